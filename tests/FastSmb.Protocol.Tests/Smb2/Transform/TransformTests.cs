using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Smb2.Transform;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2.Transform;

/// <summary>
/// TRANSFORM_HEADER framing and AES-CCM/GCM sealing. The expected ciphertexts were computed independently with
/// PyCryptodome's AES.MODE_CCM / AES.MODE_GCM (Debian 12 python3-pycryptodome, the AEAD impacket.smb3 uses), with
/// the header built by hand from [MS-SMB2] 2.2.41 and the AAD = header bytes 20..51 (3.1.4.3). Microsoft's
/// published SMB 3.0 and 3.1.1 encryption examples are checked in <see cref="MicrosoftPublishedVectorsTests"/>.
/// </summary>
public class Smb2TransformCipherTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
    private const ulong SessionId = 0x0000100000000005;

    private static readonly byte[] Plain = Convert.FromHexString(
        "fe534d4240000100000000000300010000000000000000000500000000000000fffe000001000000050000000010000000000000000000000000000000000000"
        + "68656c6c6f2c20656e6372797074656420776f726c6421");

    private const string CcmExpected =
        "fd534d42c291341b924710ca1bd81deb390f200f0102030405060708090a0b0000000000570000000000010005000000001000003f1ba99267c1b75833e0bfcd8162e21085686c97c56578d12a7f70efaf301d28072e368a20801b737337f9a250dc9a827563820744adb32b6ae42b889b0e1ef1d4ca6b534005095e631432ccf8087f8845a6380b5ba2f5";
    private const string GcmExpected =
        "fd534d425cf63d5fa2fd43a82d1c7697156799b80102030405060708090a0b0c0000000057000000000001000500000000100000f856256473f55ec5385c0d45aed86c35c1cbe75deea1ec6c58a53b57e4896c5c3a9991476c933deee9417079dc9fec760790fe9c7270ed239123b0793748eac0a9aaebf585cbac426f2a9516f930c26429741d7ae02328";

    [TestCase(Smb2CipherId.Aes128Ccm, "0102030405060708090a0b", CcmExpected)]
    [TestCase(Smb2CipherId.Aes128Gcm, "0102030405060708090a0b0c", GcmExpected)]
    public void Seal_KnownNonce_MatchesPyCryptodome(Smb2CipherId cipher, string nonce, string expected)
    {
        using var aead = new Smb2TransformCipher(cipher, Key);
        var frame = new byte[TransformHeader.Size + Plain.Length];
        Plain.CopyTo(frame, TransformHeader.Size);
        aead.Seal(frame, SessionId, Convert.FromHexString(nonce));
        Assert.That(Convert.ToHexStringLower(frame), Is.EqualTo(expected));
    }

    [TestCase(Smb2CipherId.Aes128Ccm, CcmExpected)]
    [TestCase(Smb2CipherId.Aes128Gcm, GcmExpected)]
    public void TryOpen_KnownMessage_Decrypts(Smb2CipherId cipher, string sealedHex)
    {
        using var aead = new Smb2TransformCipher(cipher, Key);
        var message = Convert.FromHexString(sealedHex);
        Assert.That(TransformHeader.TryParse(message, out var header), Is.True);
        Assert.That(header.SessionId, Is.EqualTo(SessionId));
        Assert.That(header.OriginalMessageSize, Is.EqualTo((uint)Plain.Length));
        var plain = new byte[header.OriginalMessageSize];
        Assert.That(aead.TryOpen(header, plain), Is.True);
        Assert.That(plain, Is.EqualTo(Plain));
    }

    [TestCase(Smb2CipherId.Aes128Ccm, 4)]      // tag
    [TestCase(Smb2CipherId.Aes128Gcm, 20)]     // nonce (AAD)
    [TestCase(Smb2CipherId.Aes128Gcm, 44)]     // SessionId (AAD)
    [TestCase(Smb2CipherId.Aes256Ccm, 60)]     // ciphertext
    [TestCase(Smb2CipherId.Aes256Gcm, 60)]
    public void TryOpen_AnyByteChanged_Fails(Smb2CipherId cipher, int offset)
    {
        var key = new byte[cipher.KeySize()];
        using var aead = new Smb2TransformCipher(cipher, key);
        var frame = new byte[TransformHeader.Size + Plain.Length];
        Plain.CopyTo(frame, TransformHeader.Size);
        aead.Seal(frame, SessionId);
        frame[offset] ^= 0x01;
        Assert.That(TransformHeader.TryParse(frame, out var header), Is.True);
        Assert.That(aead.TryOpen(header, new byte[Plain.Length]), Is.False);
    }

    [Test]
    public void Seal_TwoMessages_UseDifferentNonces()
    {
        using var aead = new Smb2TransformCipher(Smb2CipherId.Aes128Gcm, Key);
        var a = new byte[TransformHeader.Size + Plain.Length];
        var b = new byte[TransformHeader.Size + Plain.Length];
        aead.Seal(a, SessionId);
        aead.Seal(b, SessionId);
        Assert.That(a.AsSpan(20, 12).ToArray(), Is.Not.EqualTo(b.AsSpan(20, 12).ToArray()));
        Assert.That(a.AsSpan(32, 4).ToArray(), Is.EqualTo(new byte[4]), "GCM nonce is 12 bytes, the rest of the field zero");
    }

    [Test]
    public void Constructor_WrongKeySize_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Smb2TransformCipher(Smb2CipherId.Aes256Gcm, Key));
    }
}

public class TransformHeaderTests
{
    [Test]
    public void TryParse_TruncatedOrCorrupted_NeverThrows()
    {
        var valid = Convert.FromHexString(
            "fd534d425cf63d5fa2fd43a82d1c7697156799b80102030405060708090a0b0c0000000057000000000001000500000000100000f856256473f55ec5385c0d45aed86c35c1cbe75deea1ec6c58a53b57e4896c5c3a9991476c933deee9417079dc9fec760790fe9c7270ed239123b0793748eac0a9aaebf585cbac426f2a9516f930c26429741d7ae02328");
        ParserRobustness.Check(valid, b => TransformHeader.TryParse(b, out _));
    }

    [Test]
    public void TryParse_SizeMismatchOrBadFlags_Rejected()
    {
        var frame = new byte[TransformHeader.Size + 80];
        TransformHeader.Write(frame, new byte[11], 80, 7);
        Assert.That(TransformHeader.TryParse(frame, out _), Is.True);
        Assert.That(TransformHeader.TryParse(frame.AsSpan(0, frame.Length - 1), out _), Is.False, "OriginalMessageSize");
        frame[42] = 2;
        Assert.That(TransformHeader.TryParse(frame, out _), Is.False, "Flags must be 0x0001");
        var tiny = new byte[TransformHeader.Size + 8];
        TransformHeader.Write(tiny, new byte[11], 8, 7);
        Assert.That(TransformHeader.TryParse(tiny, out _), Is.False, "shorter than an SMB2 header");
    }
}

public class GmacSigningVectorTests
{
    [Test]
    public void Sign_Gmac_MatchesPyCryptodome()
    {
        // AES-128-GMAC over the request above (flags 0 -> SIGNED set, signature zeroed), nonce MessageId || 0u32,
        // computed with PyCryptodome AES.MODE_GCM (empty plaintext, message as AAD).
        var message = Convert.FromHexString(
            "fe534d4240000100000000000300010000000000000000000500000000000000fffe000001000000050000000010000000000000000000000000000000000000"
            + "68656c6c6f2c20656e6372797074656420776f726c6421");
        Smb2Signer.Sign(message, SigningAlgorithm.AesGmac, Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
        Assert.That(Convert.ToHexStringLower(message.AsSpan(48, 16)), Is.EqualTo("9d24ac9f7b49ac212a2fd0521e2988d6"));
    }
}

public class NegotiateContextDataTests
{
    [Test]
    public void PreauthIntegrityCapabilities_SmbclientCapture_Sha512AndSalt()
    {
        var msg = Captures.Load("smb2-negotiate-request-smbclient311.hex");
        Assert.That(NegotiateRequest.TryParse(msg, out var r), Is.True);
        bool seen = false;
        foreach (var (type, data) in r.GetNegotiateContexts())
        {
            if (type != Smb2NegotiateContextType.PreauthIntegrityCapabilities) continue;
            seen = true;
            Assert.That(PreauthIntegrityCapabilities.TryParse(data, out var p), Is.True);
            Assert.That(p.HashAlgorithms.Count, Is.EqualTo(1));
            Assert.That(p.HashAlgorithms.Contains(Smb2HashAlgorithm.Sha512), Is.True);
            Assert.That(p.Salt.Length, Is.EqualTo(32));
            ParserRobustness.Check(data.ToArray(), b => PreauthIntegrityCapabilities.TryParse(b, out _));
        }
        Assert.That(seen, Is.True);
    }

    [Test]
    public void PreauthIntegrityCapabilities_WriteThenParse_RoundTrips()
    {
        var data = new byte[PreauthIntegrityCapabilities.SizeOf(1, 32)];
        var salt = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        Assert.That(PreauthIntegrityCapabilities.Write(data, Smb2HashAlgorithm.Sha512, salt), Is.EqualTo(38));
        Assert.That(PreauthIntegrityCapabilities.TryParse(data, out var p), Is.True);
        Assert.That(p.Salt.ToArray(), Is.EqualTo(salt));
    }

    [Test]
    public void IdList_ZeroCountOrShort_Rejected()
    {
        Assert.That(IdList.TryParseCounted([0, 0], out _), Is.False, "count 0");
        Assert.That(IdList.TryParseCounted([2, 0, 1, 0], out _), Is.False, "two ids announced, one present");
        var data = new byte[IdList.SizeOfCounted(3)];
        IdList.WriteCounted(data, [2, 1, 4]);
        Assert.That(IdList.TryParseCounted(data, out var list), Is.True);
        Assert.That(list.Count, Is.EqualTo(3));
        Assert.That(list[0], Is.EqualTo(2));
        Assert.That(list.Contains(4), Is.True);
        ParserRobustness.Check(data, b => IdList.TryParseCounted(b, out _));
    }
}
