using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Protocol.Tests;

/// <summary>
/// Microsoft's own SMB 3.x examples, published on the Open Specifications blog:
/// <list type="bullet">
/// <item>"SMB 3.1.1 Pre-authentication integrity in Windows 10" (2015-08-11): the preauth hash after each message
/// of a 3.1.1 NEGOTIATE / SESSION_SETUP exchange, and the signing key derived from the final value.</item>
/// <item>"Encryption in SMB 3.0: A protocol perspective" (2012-10-05): the AES-128-CCM keys, an encrypted WRITE
/// request and a decrypted WRITE response.</item>
/// <item>"SMB 3.1.1 Encryption in Windows 10" (2015-09-09): the same with AES-128-GCM and 3.1.1 keys.</item>
/// </list>
/// The blog pages could not be read here; the hex values were taken verbatim from a public test file that
/// reproduces them (Dell's pike, tests/test_vectors.py), and only the data was copied. The blogs name keys from
/// the client's side: its "encryption key" is our server's decryption key (ServerIn) and vice versa.
/// </summary>
public class MicrosoftPublishedVectorsTests
{
    // ---- "SMB 3.1.1 Pre-authentication integrity in Windows 10" (2015-08-11) ----

    private const string PreauthNegotiateRequest =
        "FE534D4240000100000000000000800000000000000000000100000000000000FFFE000000000000"
        + "00000000000000000000000000000000000000000000000024000500000000003F000000ECD86F32"
        + "6276024F9F7752B89BB33F3A70000000020000000202100200030203110300000100260000000000"
        + "010020000100FA49E6578F1F3A9F4CD3E9CC14A67AA884B3D05844E0E5A118225C15887F32FF0000"
        + "0200060000000000020002000100";

    private const string PreauthNegotiateResponse =
        "FE534D4240000100000000000000010001000000000000000100000000000000FFFE000000000000"
        + "000000000000000000000000000000000000000000000000410001001103020039CBCAF329714942"
        + "BDCE5D60F09AB3FB2F000000000080000000800000008000D8DAE5ADCBAED00109094AB095AED001"
        + "80004001C00100006082013C06062B0601050502A08201303082012CA01A3018060A2B0601040182"
        + "3702021E060A2B06010401823702020AA282010C048201084E45474F455854530100000000000000"
        + "60000000700000007C7CC0FD06D6362D02DDE1CF343BFE292900F49750B4AA97934D9C4296B26E51"
        + "FD370471B235E15A50DAE15BD5489C87000000000000000060000000010000000000000000000000"
        + "5C33530DEAF90D4DB2EC4AE3786EC3084E45474F4558545303000000010000004000000098000000"
        + "7C7CC0FD06D6362D02DDE1CF343BFE295C33530DEAF90D4DB2EC4AE3786EC3084000000058000000"
        + "3056A05430523027802530233121301F06035504031318546F6B656E205369676E696E6720507562"
        + "6C6963204B65793027802530233121301F06035504031318546F6B656E205369676E696E67205075"
        + "626C6963204B6579010026000000000001002000010060A3C3B95C3C7CCD51EC536648D9B3AC74C4"
        + "83CA5B65385A251117BEB30712E50000020004000000000001000200";

    private const string SessionSetupRequest1 =
        "FE534D4240000100000000000100800000000000000000000200000000000000FFFE000000000000"
        + "00000000000000000000000000000000000000000000000019000001010000000000000058004A00"
        + "0000000000000000604806062B0601050502A03E303CA00E300C060A2B06010401823702020AA22A"
        + "04284E544C4D5353500001000000978208E200000000000000000000000000000000060380250000"
        + "000F";

    private const string SessionSetupResponse1 =
        "FE534D4240000100160000C00100010001000000000000000200000000000000FFFE000000000000"
        + "190000000010000000000000000000000000000000000000090000004800B300A181B03081ADA003"
        + "0A0101A10C060A2B06010401823702020AA281970481944E544C4D53535000020000000C000C0038"
        + "00000015828AE20D1D8BA31179D008000000000000000050005000440000000A0092270000000F53"
        + "005500540033003100310002000C0053005500540033003100310001000C00530055005400330031"
        + "00310004000C0053005500540033003100310003000C0053005500540033003100310007000800A1"
        + "A1F5ADCBAED00100000000";

    private const string SessionSetupRequest2 =
        "FE534D4240000100000000000100800000000000000000000300000000000000FFFE000000000000"
        + "1900000000100000000000000000000000000000000000001900000101000000000000005800CF01"
        + "0000000000000000A18201CB308201C7A0030A0101A28201AA048201A64E544C4D53535000030000"
        + "001800180090000000EE00EE00A80000000C000C00580000001A001A0064000000120012007E0000"
        + "001000100096010000158288E2060380250000000FECAC77A5F385A8BF9C38C706EEEDDCD3530055"
        + "005400330031003100610064006D0069006E006900730074007200610074006F0072004400520049"
        + "0056004500520033003100310000000000000000000000000000000000000000000000000063078E"
        + "B639FE03E20A231C3AE3BF23080101000000000000A1A1F5ADCBAED001BC4AD05F223CC90F000000"
        + "0002000C0053005500540033003100310001000C0053005500540033003100310004000C00530055"
        + "00540033003100310003000C0053005500540033003100310007000800A1A1F5ADCBAED001060004"
        + "00020000000800300030000000000000000000000000300000B61FEFCAA857EA57BF1EDCEBF8974B"
        + "8E0EBA5A6DFD9D07A31D11B548F8C9D0CC0A00100000000000000000000000000000000000090016"
        + "0063006900660073002F005300550054003300310031000000000000000000000000003B9BDFF38F"
        + "5EE8F9663F11A0F4C03A78A31204100100000063775A9A5FD97F0600000000";

    private static readonly (string Name, string Message, string HashAfter)[] PreauthExchange =
    [
        ("NEGOTIATE request", PreauthNegotiateRequest,
            "DD94EFC5321BB618A2E208BA8920D2F422992526947A409B5037DE1E0FE8C7362B8C47122594CDE0"
            + "CE26AA9DFC8BCDBDE0621957672623351A7540F1E54A0426"),
        ("NEGOTIATE response", PreauthNegotiateResponse,
            "324BFA92A4F3A190E466EBEA08D9C110DC88BFED758D9846ECC6F541CC1D02AE3C94A79F36011E99"
            + "7E13F841B91B50957AD07B19C8E2539C0B23FDAE09D2C513"),
        ("SESSION_SETUP request 1", SessionSetupRequest1,
            "AC0B0F2B9986257700365E416D142A6EDC96DF03594A19E52A15F6BD0D041CD5D432F8ED42C55E33"
            + "197A50C9EC00F1462B50C592211B1471A04B56088FDFD5F9"),
        ("SESSION_SETUP response 1 (MORE_PROCESSING_REQUIRED)", SessionSetupResponse1,
            "2729E3440DFDDD839E37193F6E8F20C20CEFB3469E453A70CD980EEC06B8835740A7376008563336"
            + "4C8989895ECE81BF102DEEB14D4B7D48AFA76901A7A38387"),
        ("SESSION_SETUP request 2", SessionSetupRequest2,
            "0DD13628CC3ED218EF9DF9772D436D0887AB9814BFAE63A80AA845F36909DB7928622DDDAD522D97"
            + "51640A459762C5A9D6BB084CBB3CE6BDADEF5D5BCE3C6C01"),
    ];

    [Test]
    public void PreauthIntegrity_Windows10Exchange_MatchesEveryPublishedHash()
    {
        // Source: "SMB 3.1.1 Pre-authentication integrity in Windows 10", Microsoft Open Specifications blog,
        // 2015-08-11. The connection's value covers the NEGOTIATE pair; the session's continues from it.
        var hash = new PreauthIntegrity();
        Assert.Multiple(() =>
        {
            foreach (var (name, message, expected) in PreauthExchange)
            {
                hash.Update(Convert.FromHexString(message));
                Assert.That(Convert.ToHexString(hash.Value), Is.EqualTo(expected), $"after the {name}");
            }
        });
    }

    [Test]
    public void PreauthIntegrity_PublishedMessages_ParseAsWhatTheBlogSaysTheyAre()
    {
        // Source: as above. Our parsers accept Windows 10's own NEGOTIATE and SESSION_SETUP requests.
        Assert.That(NegotiateRequest.TryParse(Convert.FromHexString(PreauthNegotiateRequest), out var negotiate), Is.True);
        var dialects = new List<Smb2Dialect>();
        for (int i = 0; i < negotiate.DialectCount; i++) dialects.Add(negotiate.GetDialect(i));
        Assert.That(dialects, Does.Contain(Smb2Dialect.Smb311));
        Assert.That(SessionSetupRequest.TryParse(Convert.FromHexString(SessionSetupRequest1), out _), Is.True);
        Assert.That(SessionSetupRequest.TryParse(Convert.FromHexString(SessionSetupRequest2), out _), Is.True);
    }

    [Test]
    public void Derive_Smb311SigningKey_MatchesPreauthBlog()
    {
        // Source: "SMB 3.1.1 Pre-authentication integrity in Windows 10" (2015-08-11): SessionKey and SigningKey.
        var hash = new PreauthIntegrity();
        foreach (var (_, message, _) in PreauthExchange) hash.Update(Convert.FromHexString(message));
        var signingKey = new byte[16];
        Smb3Kdf.Derive(Convert.FromHexString("270E1BA896585EEB7AF3472D3B4C75A7"), Smb3Kdf.Smb311SigningLabel, hash.Value,
            signingKey);
        Assert.That(Convert.ToHexString(signingKey), Is.EqualTo("73FE7A9A77BEF0BDE49C650D8CCB5F76"));
    }

    // ---- "Encryption in SMB 3.0: A protocol perspective" (2012-10-05), AES-128-CCM ----

    private static readonly byte[] Smb30SessionKey = Convert.FromHexString("B4546771B515F766A86735532DD6C4F0");
    private const ulong Smb30SessionId = 0x0008E40014000011;
    private const string Smb30ClientEncryptionKey = "261B72350558F2E9DCF613070383EDBF";
    private const string Smb30ClientDecryptionKey = "8FE2B57EC34D2DB5B1A9727F526BBDB5";

    /// <summary>The client's WRITE of "Smb3 encryption testing" (MessageId 4, TreeId 1, SIGNED flag, zero signature).</summary>
    private const string Smb30WriteRequest =
        "FE534D4240000100000000000900400008000000000000000400000000000000"
        + "FFFE0000010000001100001400E4080000000000000000000000000000000000"
        + "3100700017000000000000000000000015010000390000020100000039020000"
        + "00000000000000007000000000000000536D623320656E6372797074696F6E20"
        + "74657374696E67";

    /// <summary>All 16 bytes of the Nonce field are random in Windows Server 2012's message; CCM uses the first 11.</summary>
    private const string Smb30WriteNonceField = "66E69A111892584FB5ED524A744DA3EE";

    private const string Smb30WriteTransformed =
        "FD534D4281A286535415445DAE393921E44FA42E66E69A111892584FB5ED524A"
        + "744DA3EE87000000000001001100001400E4080025C8FEE16605A437832D1CD5"
        + "2DA9F4645333482A175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4"
        + "4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA899E410E910EABF5"
        + "AA1DB43050B33B49182637759AC15D84BFCDF5B6B238993C0F4CF4D6012023F6"
        + "C627297075D84B7803912D0A9639634453595EF3E33FFE4E7AC2AB";

    private const string Smb30WriteResponseTransformed =
        "FD534D42A6015530A18F6D9AFFE22AFAE8E66484860000000000000011000014"
        + "00E4080050000000000001001100001400E40800DBF46435C5F14169293CE079"
        + "E344479BF670227E49873F458672C3098DAC467DD5809F369D67409166515787"
        + "1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B378F1993EFF6E60D1"
        + "77309E5B";

    private const string Smb30WriteResponse =
        "FE534D4240000100000000000900210009000000000000000400000000000000"
        + "FFFE0000010000001100001400E4080000000000000000000000000000000000"
        + "11000000170000000000000000000000";

    [Test]
    public void Derive_Smb30CipherKeys_MatchEncryptionBlog()
    {
        // Source: "Encryption in SMB 3.0: A protocol perspective" (2012-10-05). The client encrypts with the key the
        // server decrypts with ("ServerIn "), and decrypts with the server's encryption key ("ServerOut").
        var serverIn = new byte[16];
        var serverOut = new byte[16];
        Smb3Kdf.Derive(Smb30SessionKey, Smb3Kdf.Smb30EncryptionLabel, Smb3Kdf.Smb30ServerInContext, serverIn);
        Smb3Kdf.Derive(Smb30SessionKey, Smb3Kdf.Smb30EncryptionLabel, Smb3Kdf.Smb30ServerOutContext, serverOut);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(serverIn), Is.EqualTo(Smb30ClientEncryptionKey));
            Assert.That(Convert.ToHexString(serverOut), Is.EqualTo(Smb30ClientDecryptionKey));
        });
    }

    [Test]
    public void Seal_Smb30WriteRequest_GivesPublishedTransformMessage()
    {
        // Source: "Encryption in SMB 3.0: A protocol perspective" (2012-10-05): nonce, plaintext, ciphertext,
        // signature and the whole transform message.
        using var cipher = new Smb2TransformCipher(Smb2CipherId.Aes128Ccm, Convert.FromHexString(Smb30ClientEncryptionKey));
        var plain = Convert.FromHexString(Smb30WriteRequest);
        var frame = new byte[TransformHeader.Size + plain.Length];
        plain.CopyTo(frame, TransformHeader.Size);

        cipher.Seal(frame, Smb30SessionId, Convert.FromHexString(Smb30WriteNonceField));

        Assert.That(Convert.ToHexString(frame), Is.EqualTo(Smb30WriteTransformed));
    }

    [Test]
    public void TryOpen_Smb30WriteRequest_GivesPublishedPlaintext()
    {
        // Source: as above; the server's side of the same message: decrypted with its ServerIn key.
        AssertOpens(Smb2CipherId.Aes128Ccm, Smb30ClientEncryptionKey, Smb30WriteTransformed, Smb30SessionId, Smb30WriteRequest);
    }

    [Test]
    public void TryOpen_Smb30WriteResponse_GivesPublishedSmb2Message()
    {
        // Source: "Encryption in SMB 3.0: A protocol perspective" (2012-10-05): the decryption example.
        AssertOpens(Smb2CipherId.Aes128Ccm, Smb30ClientDecryptionKey, Smb30WriteResponseTransformed, Smb30SessionId,
            Smb30WriteResponse);
    }

    [Test]
    public void Seal_Smb30WriteResponse_WithItsNonce_GivesPublishedTransformMessage()
    {
        // Source: as above. Our server's side: sealing the published response with the published Nonce field
        // (a counter 0x86 followed by the SessionId) reproduces Windows' bytes exactly.
        var message = Convert.FromHexString(Smb30WriteResponseTransformed);
        using var cipher = new Smb2TransformCipher(Smb2CipherId.Aes128Ccm, Convert.FromHexString(Smb30ClientDecryptionKey));
        var frame = new byte[message.Length];
        Convert.FromHexString(Smb30WriteResponse).CopyTo(frame, TransformHeader.Size);
        cipher.Seal(frame, Smb30SessionId, message.AsSpan(20, TransformHeader.NonceFieldSize));
        Assert.That(Convert.ToHexString(frame), Is.EqualTo(Smb30WriteResponseTransformed));
    }

    [Test]
    public void TryOpen_Smb30WriteRequest_FifthNonceByteChanged_Fails()
    {
        // Nonce bytes 11..15 are not CCM's nonce but are authenticated AAD: changing one must fail the tag.
        using var cipher = new Smb2TransformCipher(Smb2CipherId.Aes128Ccm, Convert.FromHexString(Smb30ClientEncryptionKey));
        var message = Convert.FromHexString(Smb30WriteTransformed);
        message[20 + 13] ^= 0x01;
        Assert.That(TransformHeader.TryParse(message, out var header), Is.True);
        Assert.That(cipher.TryOpen(header, new byte[header.OriginalMessageSize]), Is.False);
    }

    [Test]
    public void Smb30WriteRequest_Plaintext_ParsesAsTheBlogDescribesIt()
    {
        // Source: as above: WRITE of 23 bytes "Smb3 encryption testing", FileId {0x200003900000115, 0x23900000001}.
        var message = Convert.FromHexString(Smb30WriteRequest);
        Assert.That(Smb2Header.TryParse(message, out var header), Is.True);
        Assert.That(header.SessionId, Is.EqualTo(Smb30SessionId));
        Assert.That(WriteRequest.TryParse(message, out var write), Is.True);
        Assert.That(write.Data.ToArray(), Is.EqualTo("Smb3 encryption testing"u8.ToArray()));
        Assert.That(write.FileId, Is.EqualTo(new FileId(0x200003900000115, 0x23900000001)));
    }

    // ---- "SMB 3.1.1 Encryption in Windows 10" (2015-09-09), AES-128-GCM ----

    private static readonly byte[] Smb311SessionKey = Convert.FromHexString("419FDDF34C1E001909D362AE7FB6AF79");
    private static readonly byte[] Smb311PreauthHash = Convert.FromHexString(
        "B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDBA7DB256BA2EA30E9"
        + "77F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770");
    private const ulong Smb311SessionId = 0x0000100000000025;
    private const string Smb311ClientEncryptionKey = "A2F5E80E5D59103034F32E52F698E5EC";
    private const string Smb311ClientDecryptionKey = "748C50868C90F302962A5C35F5F9A8BF";

    private const string Smb311WriteRequest =
        "FE534D4240000100000000000900010008000000000000000500000000000000FFFE000001000000"
        + "25000000001000000000000000000000000000000000000031007000170000000000000000000000"
        + "0600000004000000010000000400000000000000000000007000000000000000536D623320656E63"
        + "72797074696F6E2074657374696E67";

    private const string Smb311WriteNonce = "C7D6822D269CAF48904C664C";

    private const string Smb311WriteTransformed =
        "FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D269CAF48904C664C0000000087000000"
        + "0000010025000000001000006ECDD2A7AFC7B47763057A041B8FD4DAFFE990B70C9E09D36C084E02"
        + "D14EF247F8BDE38ACF6256F8B1D3B56F77FBDEB312FEA5E92CBCC1ED8FB2EBBFAA75E49A4A394BB4"
        + "4576545567C24D4C014D47C9FBDFDAFD2C4F9B72F8D256452620A299F48E29E53D6B61D1C13A19E9"
        + "1AF013F00D17E3ABC2FC3D36C8C1B6B93973253852DBD442E46EE8";

    private const string Smb311WriteResponseTransformed =
        "FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD2E8EB7B4000000000000000050000000"
        + "00000100250000000010000026BBBF949983A6C1C796559D0F2C510CB651D1F7B6AC8DED32A2A0B8"
        + "F2D793A815C6F6B848D69767A215841A42D400AE6DDB5F0B44173A014973321FDD7950DA6179159B"
        + "82E03C9E18A050FF0EA1C967";

    private const string Smb311WriteResponse =
        "FE534D4240000100000000000900010001000000000000000500000000000000FFFE000001000000"
        + "25000000001000000000000000000000000000000000000011000000170000000000000000000000";

    [Test]
    public void Derive_Smb311CipherKeys_MatchEncryptionBlog()
    {
        // Source: "SMB 3.1.1 Encryption in Windows 10" (2015-09-09): SessionKey, PreauthIntegrityHashValue and the
        // client's encryption (SMBC2SCipherKey) and decryption (SMBS2CCipherKey) keys.
        var c2s = new byte[16];
        var s2c = new byte[16];
        Smb3Kdf.Derive(Smb311SessionKey, Smb3Kdf.Smb311ServerInLabel, Smb311PreauthHash, c2s);
        Smb3Kdf.Derive(Smb311SessionKey, Smb3Kdf.Smb311ServerOutLabel, Smb311PreauthHash, s2c);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(c2s), Is.EqualTo(Smb311ClientEncryptionKey));
            Assert.That(Convert.ToHexString(s2c), Is.EqualTo(Smb311ClientDecryptionKey));
        });
    }

    [Test]
    public void Seal_Smb311WriteRequest_GivesPublishedTransformMessage()
    {
        // Source: "SMB 3.1.1 Encryption in Windows 10" (2015-09-09): AES-128-GCM, 12-byte nonce, the rest of the
        // Nonce field zero.
        using var cipher = new Smb2TransformCipher(Smb2CipherId.Aes128Gcm, Convert.FromHexString(Smb311ClientEncryptionKey));
        var plain = Convert.FromHexString(Smb311WriteRequest);
        var frame = new byte[TransformHeader.Size + plain.Length];
        plain.CopyTo(frame, TransformHeader.Size);

        cipher.Seal(frame, Smb311SessionId, Convert.FromHexString(Smb311WriteNonce));

        Assert.That(Convert.ToHexString(frame), Is.EqualTo(Smb311WriteTransformed));
    }

    [Test]
    public void TryOpen_Smb311WriteRequest_GivesPublishedPlaintext()
    {
        // Source: as above; the server decrypts the client's request with its ServerIn (C2S) key.
        AssertOpens(Smb2CipherId.Aes128Gcm, Smb311ClientEncryptionKey, Smb311WriteTransformed, Smb311SessionId,
            Smb311WriteRequest);
    }

    [Test]
    public void TryOpen_Smb311WriteResponse_GivesPublishedSmb2Message()
    {
        // Source: "SMB 3.1.1 Encryption in Windows 10" (2015-09-09): the decryption example.
        AssertOpens(Smb2CipherId.Aes128Gcm, Smb311ClientDecryptionKey, Smb311WriteResponseTransformed, Smb311SessionId,
            Smb311WriteResponse);
    }

    [Test]
    public void Seal_Smb311WriteResponse_WithItsNonce_GivesPublishedTransformMessage()
    {
        // Source: as above; what our server would send with Windows' nonce and the S2C key.
        using var cipher = new Smb2TransformCipher(Smb2CipherId.Aes128Gcm, Convert.FromHexString(Smb311ClientDecryptionKey));
        var plain = Convert.FromHexString(Smb311WriteResponse);
        var frame = new byte[TransformHeader.Size + plain.Length];
        plain.CopyTo(frame, TransformHeader.Size);
        cipher.Seal(frame, Smb311SessionId, Convert.FromHexString("E06831DD2E8EB7B400000000"));
        Assert.That(Convert.ToHexString(frame), Is.EqualTo(Smb311WriteResponseTransformed));
    }

    private static void AssertOpens(Smb2CipherId cipherId, string keyHex, string transformedHex, ulong sessionId,
        string expectedHex)
    {
        using var cipher = new Smb2TransformCipher(cipherId, Convert.FromHexString(keyHex));
        var message = Convert.FromHexString(transformedHex);
        Assert.That(TransformHeader.TryParse(message, out var header), Is.True);
        Assert.That(header.SessionId, Is.EqualTo(sessionId));
        var plain = new byte[header.OriginalMessageSize];
        Assert.That(cipher.TryOpen(header, plain), Is.True, "tag verifies");
        Assert.That(Convert.ToHexString(plain), Is.EqualTo(expectedHex));
    }
}
