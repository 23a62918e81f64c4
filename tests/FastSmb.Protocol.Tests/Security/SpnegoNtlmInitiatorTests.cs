using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Security.Spnego;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Security;

public class SpnegoNtlmInitiatorTests
{
    [Test]
    public void Step_First_SendsNegTokenInitWithNtlmNegotiate()
    {
        var initiator = new SpnegoNtlmInitiator(new NtlmClient("u", "p", "d"));
        Assert.That(initiator.Step(Captures.Load("auth-samba-negotiate-hint.hex"), out var token),
            Is.EqualTo(NtStatus.MoreProcessingRequired));
        Assert.That(NegTokenInit.TryParse(token, out var init), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(init.MechTypes, Is.EqualTo(new[] { SpnegoOids.Ntlmssp }));
            Assert.That(NtlmNegotiateMessage.TryParse(init.MechToken, out _), Is.True);
        });
    }

    [Test]
    public void Step_SambasChallenge_SendsAuthenticateWithMechListMic()
    {
        var initiator = new SpnegoNtlmInitiator(new NtlmClient("bench", "benchpass", "WORKGROUP"));
        initiator.Step([], out _);
        Assert.That(initiator.Step(Captures.Load("auth-samba-spnego-1.hex"), out var token),
            Is.EqualTo(NtStatus.MoreProcessingRequired));
        Assert.That(NegTokenResp.TryParse(token, out var resp), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(NtlmAuthenticateMessage.TryParse(resp.ResponseToken, out var a), Is.True);
            Assert.That(a.HasMicField, Is.True);
            Assert.That(resp.MechListMic, Has.Length.EqualTo(16));
        });
    }

    [Test]
    public void Step_MalformedServerToken_InvalidParameter()
    {
        var initiator = new SpnegoNtlmInitiator(new NtlmClient("u", "p", "d"));
        initiator.Step([], out _);
        Assert.That(initiator.Step([0xa1, 0x05, 0x30], out _), Is.EqualTo(NtStatus.InvalidParameter));
    }
}
