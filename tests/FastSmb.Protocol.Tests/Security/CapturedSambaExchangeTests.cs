using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Security.Spnego;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Security;

/// <summary>
/// Replays the smbclient → Samba 4.17 logon captured in Captures/auth-*.hex (user bench, password benchpass,
/// dialect 3.0.2): FastSmb's NTLM acceptor, answering with Samba's CHALLENGE byte for byte, must accept
/// smbclient's AUTHENTICATE (NTLMv2, MIC, key exchange), reproduce Samba's mechListMIC, and the session key it
/// derives must verify the signatures of the captured signed messages.
/// </summary>
public class CapturedSambaExchangeTests
{
    private static NtlmServer Replay(string password, out NegTokenInit init, out NegTokenResp auth)
    {
        NegTokenInit.TryParse(Captures.Load("auth-smbclient-spnego-1.hex"), out init);
        NegTokenResp.TryParse(Captures.Load("auth-samba-spnego-1.hex"), out var chal);
        NegTokenResp.TryParse(Captures.Load("auth-smbclient-spnego-2.hex"), out auth);
        var server = NtlmServer.ForReplay(new ServerIdentity(), (string u, out byte[] h) =>
        {
            h = NtlmV2.NtHash(password);
            return u == "bench";
        }, chal.ResponseToken!);
        Assert.That(server.ProcessNegotiate(init.MechToken, out var ours), Is.EqualTo(NtStatus.MoreProcessingRequired));
        Assert.That(ours, Is.EqualTo(chal.ResponseToken));
        return server;
    }

    [Test]
    public void ProcessAuthenticate_CapturedSmbclientLogon_Succeeds()
    {
        var server = Replay("benchpass", out _, out var auth);
        Assert.Multiple(() =>
        {
            Assert.That(server.ProcessAuthenticate(auth.ResponseToken), Is.EqualTo(NtStatus.Success));
            Assert.That(server.UserName, Is.EqualTo("bench"));
            Assert.That(server.DomainName, Is.EqualTo("WORKGROUP"));
            Assert.That(server.ExportedSessionKey, Has.Length.EqualTo(16));
        });
    }

    [Test]
    public void ProcessAuthenticate_CapturedLogonWrongPassword_LogonFailure()
    {
        var server = Replay("notthepassword", out _, out var auth);
        Assert.That(server.ProcessAuthenticate(auth.ResponseToken), Is.EqualTo(NtStatus.LogonFailure));
    }

    [Test]
    public void MechListMic_CapturedLogon_VerifiesClientsAndReproducesSambas()
    {
        var server = Replay("benchpass", out var init, out var auth);
        server.ProcessAuthenticate(auth.ResponseToken);
        var security = server.CreateSessionSecurity()!;
        NegTokenResp.TryParse(Captures.Load("auth-samba-spnego-2.hex"), out var final);
        Assert.Multiple(() =>
        {
            Assert.That(security.Verify(init.MechTypesEncoded, auth.MechListMic), Is.True);
            Assert.That(security.Sign(init.MechTypesEncoded), Is.EqualTo(final.MechListMic));
        });
    }

    [TestCase("auth-samba-sessionsetup-response-signed.hex")]
    [TestCase("auth-smbclient-treeconnect-signed.hex")]
    public void Smb2SignerVerify_CapturedSignedMessage_VerifiesWithDerivedSigningKey(string file)
    {
        var server = Replay("benchpass", out _, out var auth);
        server.ProcessAuthenticate(auth.ResponseToken);
        // [MS-SMB2] 3.3.5.5.3, dialect 3.0.2: SigningKey = KDF(SessionKey, "SMB2AESCMAC\0", "SmbSign\0").
        var signingKey = new byte[16];
        Smb3Kdf.Derive(server.ExportedSessionKey, Smb3Kdf.Smb30SigningLabel, Smb3Kdf.Smb30SigningContext, signingKey);
        var message = Captures.Load(file);
        Assert.That(Smb2Signer.Verify(message, SigningAlgorithm.AesCmac, signingKey), Is.True);
        message[^1] ^= 1;
        Assert.That(Smb2Signer.Verify(message, SigningAlgorithm.AesCmac, signingKey), Is.False);
    }

    [Test]
    public void Smb2SignerSign_CapturedTreeConnect_ReproducesSmbclientsSignature()
    {
        var server = Replay("benchpass", out _, out var auth);
        server.ProcessAuthenticate(auth.ResponseToken);
        var signingKey = new byte[16];
        Smb3Kdf.Derive(server.ExportedSessionKey, Smb3Kdf.Smb30SigningLabel, Smb3Kdf.Smb30SigningContext, signingKey);
        var captured = Captures.Load("auth-smbclient-treeconnect-signed.hex");
        var resigned = (byte[])captured.Clone();
        Smb2Signer.Sign(resigned, SigningAlgorithm.AesCmac, signingKey);
        Assert.That(resigned, Is.EqualTo(captured));
    }
}
