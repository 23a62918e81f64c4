using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Session binding without multichannel ([MS-SMB2] 3.3.5.5): a SESSION_SETUP with SMB2_SESSION_FLAG_BINDING is
/// refused with STATUS_REQUEST_NOT_ACCEPTED before any lookup, whichever connection owns the session, and the
/// session it names is unharmed (smbtorture smb2.session.bind_negative_smb202 expects this status).
/// </summary>
[CancelAfter(30_000)]
public class SessionBindingTests
{
    [TestCase(Smb2Dialect.Smb210)]
    [TestCase(Smb2Dialect.Smb302)]
    [TestCase(Smb2Dialect.Smb311)]
    public async Task Binding_SessionOfAnotherConnection_RequestNotAccepted(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var owner = await server.LogonAsync(dialect);
        var second = await server.NegotiateAsync(dialect);
        second.SessionId = owner.SessionId;

        var response = await second.SendAsync(Smb2Command.SessionSetup,
            b => SessionSetupRequest.Write(b, SessionSetupRequest.FlagBinding, 1, 0, 0, [0x60, 0x00]));

        Assert.That(response.Status, Is.EqualTo(NtStatus.RequestNotAccepted));
        var echo = await owner.SendAsync(Smb2Command.Echo, EchoRequest.Write);
        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success), "the bound-to session is unharmed");
        var (status, _, _) = await owner.TreeConnectAsync(TestServer.Unc("IPC$"));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
    }
}
