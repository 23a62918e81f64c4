using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Security.Spnego;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Security.Spnego;

/// <summary>NegTokenInit/NegTokenInit2/NegTokenResp over tokens captured between smbclient and Samba (Captures/auth-*.hex).</summary>
public class SpnegoTokenTests
{
    [Test]
    public void NegTokenInit_SambaNegotiateHint_ParsesMechsAndHint()
    {
        Assert.That(NegTokenInit.TryParse(Captures.Load("auth-samba-negotiate-hint.hex"), out var init), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(init.MechTypes, Does.Contain(SpnegoOids.Ntlmssp));
            Assert.That(init.HintName, Is.EqualTo(NegTokenInit.DefaultHintName));
            Assert.That(init.MechToken, Is.Null);
        });
    }

    [Test]
    public void NegTokenInit_SmbclientFirstToken_CarriesNtlmNegotiate()
    {
        Assert.That(NegTokenInit.TryParse(Captures.Load("auth-smbclient-spnego-1.hex"), out var init), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(init.MechTypes[0], Is.EqualTo(SpnegoOids.Ntlmssp));
            Assert.That(NtlmNegotiateMessage.TryParse(init.MechToken, out _), Is.True);
            Assert.That(init.MechTypesEncoded, Is.EqualTo(NegTokenInit.EncodeMechTypes(init.MechTypes)));
        });
    }

    [Test]
    public void NegTokenResp_SambaChallengeToken_ParsesStateMechAndChallenge()
    {
        Assert.That(NegTokenResp.TryParse(Captures.Load("auth-samba-spnego-1.hex"), out var resp), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(resp.State, Is.EqualTo(NegState.AcceptIncomplete));
            Assert.That(resp.SupportedMech, Is.EqualTo(SpnegoOids.Ntlmssp));
            Assert.That(NtlmChallengeMessage.TryParse(resp.ResponseToken, out var c), Is.True);
            Assert.That(c.TargetInfo.IsEmpty, Is.False);
        });
    }

    [Test]
    public void NegTokenResp_SmbclientAuthenticateToken_HasAuthenticateAndMechListMic()
    {
        Assert.That(NegTokenResp.TryParse(Captures.Load("auth-smbclient-spnego-2.hex"), out var resp), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(resp.State, Is.Null);
            Assert.That(NtlmAuthenticateMessage.TryParse(resp.ResponseToken, out var a), Is.True);
            Assert.That(a.GetUserName(), Is.EqualTo("bench"));
            Assert.That(resp.MechListMic, Has.Length.EqualTo(16));
        });
    }

    [TestCase("auth-samba-spnego-1.hex")]
    [TestCase("auth-smbclient-spnego-2.hex")]
    [TestCase("auth-samba-spnego-2.hex")]
    public void NegTokenResp_Captured_ReencodesIdentically(string file)
    {
        var bytes = Captures.Load(file);
        Assert.That(NegTokenResp.TryParse(bytes, out var resp), Is.True);
        Assert.That(resp.Encode(), Is.EqualTo(bytes));
    }

    [Test]
    public void NegTokenInit_Captured_ReencodesIdentically()
    {
        var bytes = Captures.Load("auth-smbclient-spnego-1.hex");
        Assert.That(NegTokenInit.TryParse(bytes, out var init), Is.True);
        Assert.That(NegTokenInit.Encode(init.MechTypes, init.MechToken, init.HintName, init.MechListMic), Is.EqualTo(bytes));
    }

    [Test]
    public void NegTokenInit2_Encoded_RoundTripsHintAndMic()
    {
        var token = NegTokenInit.Encode([SpnegoOids.Kerberos5, SpnegoOids.Ntlmssp], [1, 2, 3], NegTokenInit.DefaultHintName, [9, 9]);
        Assert.That(NegTokenInit.TryParse(token, out var init), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(init.MechTypes, Is.EqualTo(new[] { SpnegoOids.Kerberos5, SpnegoOids.Ntlmssp }));
            Assert.That(init.MechToken, Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(init.HintName, Is.EqualTo(NegTokenInit.DefaultHintName));
            Assert.That(init.MechListMic, Is.EqualTo(new byte[] { 9, 9 }));
        });
    }

    [Test]
    public void TryParse_WrongChoice_ReturnsFalse()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NegTokenInit.TryParse(Captures.Load("auth-samba-spnego-1.hex"), out _), Is.False);
            Assert.That(NegTokenResp.TryParse(Captures.Load("auth-smbclient-spnego-1.hex"), out _), Is.False);
            Assert.That(NegTokenInit.TryParse("NTLMSSP\0"u8, out _), Is.False);
            Assert.That(NegTokenResp.TryParse([], out _), Is.False);
        });
    }

    [TestCase("auth-samba-negotiate-hint.hex")]
    [TestCase("auth-smbclient-spnego-1.hex")]
    public void NegTokenInit_CapturedPrefixesAndCorruption_RejectedWithoutThrowing(string file) =>
        ParserRobustness.Check(Captures.Load(file), s => NegTokenInit.TryParse(s, out _));

    [TestCase("auth-samba-spnego-1.hex")]
    [TestCase("auth-smbclient-spnego-2.hex")]
    [TestCase("auth-samba-spnego-2.hex")]
    public void NegTokenResp_CapturedPrefixesAndCorruption_RejectedWithoutThrowing(string file) =>
        ParserRobustness.Check(Captures.Load(file), s => NegTokenResp.TryParse(s, out _));

    [Test]
    public void NtlmParsers_CapturedTokens_RejectPrefixesAndSurviveCorruption()
    {
        NegTokenInit.TryParse(Captures.Load("auth-smbclient-spnego-1.hex"), out var init);
        NegTokenResp.TryParse(Captures.Load("auth-samba-spnego-1.hex"), out var chal);
        NegTokenResp.TryParse(Captures.Load("auth-smbclient-spnego-2.hex"), out var auth);
        ParserRobustness.Check(init.MechToken!, s => NtlmNegotiateMessage.TryParse(s, out _),
            minimumValidLength: NtlmNegotiateMessage.MinimumSize);
        ParserRobustness.Check(chal.ResponseToken!, s => NtlmChallengeMessage.TryParse(s, out _));
        ParserRobustness.Check(auth.ResponseToken!, s => NtlmAuthenticateMessage.TryParse(s, out _));
    }
}
