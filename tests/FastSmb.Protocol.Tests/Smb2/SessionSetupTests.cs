using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class SessionSetupRequestTests
{
    [TestCase("smb2-session_setup-request-smbclient-ntlm1.hex")]
    [TestCase("smb2-session_setup-request-smbclient-ntlm3.hex")]
    public void TryParse_SmbclientCapture_SpnegoBufferAndReencode(string capture)
    {
        var msg = Captures.Load(capture);
        Assert.That(SessionSetupRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.SecurityBuffer.Length, Is.EqualTo(msg.Length - 88));
        Assert.That(r.SecurityBuffer[0], Is.EqualTo(0x60).Or.EqualTo(0xA1), "SPNEGO NegTokenInit / NegTokenResp");
        Assert.That(r.IsBinding, Is.False);
        Assert.That(r.PreviousSessionId, Is.EqualTo(0));
        var body = new byte[1024];
        int n = SessionSetupRequest.Write(body, r.Flags, (byte)r.SecurityMode, (uint)r.Capabilities, r.PreviousSessionId, r.SecurityBuffer);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void RoundTrip_Written_SameFields()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.SessionSetup, b =>
            SessionSetupRequest.Write(b, SessionSetupRequest.FlagBinding, 2, 1, 0xABCDEF, new byte[] { 1, 2, 3 }));
        Assert.That(SessionSetupRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.Flags, r.IsBinding, r.SecurityMode, r.Capabilities, r.PreviousSessionId, r.Channel),
            Is.EqualTo((SessionSetupRequest.FlagBinding, true, Smb2SecurityMode.SigningRequired, Smb2GlobalCapabilities.Dfs, 0xABCDEFUL, 0u)));
        Assert.That(r.SecurityBuffer.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void TryParse_SecurityBufferOutside_Rejected()
    {
        var msg = Captures.Load("smb2-session_setup-request-smbclient-ntlm1.hex");
        Smb2TestMessages.PutU16(msg, 14, msg.Length - 88 + 1);
        Assert.That(SessionSetupRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Robustness() =>
        ParserRobustness.Check(Captures.Load("smb2-session_setup-request-smbclient-ntlm3.hex"), m => SessionSetupRequest.TryParse(m, out _));
}

public class SessionSetupResponseTests
{
    [Test]
    public void TryParse_SambaCaptures_FlagsAndBuffer()
    {
        var first = Captures.Load("smb2-session_setup-response-samba-ntlm1.hex");
        Assert.That(SessionSetupResponse.TryParse(first, out var r1), Is.True);
        Assert.That(r1.SecurityBuffer.Length, Is.EqualTo(first.Length - 72));
        var last = Captures.Load("smb2-session_setup-response-samba-ntlm3.hex");
        Assert.That(SessionSetupResponse.TryParse(last, out var r3), Is.True);
        Assert.That(r3.SessionFlags, Is.EqualTo(Smb2SessionFlags.None));
        var body = new byte[1024];
        int n = SessionSetupResponse.Write(body, (ushort)r3.SessionFlags, r3.SecurityBuffer);
        Assert.That(body[..n], Is.EqualTo(last.AsSpan(64).ToArray()));
    }

    [Test]
    public void RoundTrip_Written_SameFields()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.SessionSetup, b =>
            SessionSetupResponse.Write(b, (ushort)(Smb2SessionFlags.IsGuest | Smb2SessionFlags.EncryptData), new byte[] { 0xA1, 0 }));
        Assert.That(SessionSetupResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.SessionFlags, Is.EqualTo(Smb2SessionFlags.IsGuest | Smb2SessionFlags.EncryptData));
        Assert.That(r.SecurityBuffer.ToArray(), Is.EqualTo(new byte[] { 0xA1, 0 }));
    }

    [Test]
    public void Robustness() =>
        ParserRobustness.Check(Captures.Load("smb2-session_setup-response-samba-ntlm1.hex"), m => SessionSetupResponse.TryParse(m, out _));
}
