using FastSmb.Client.Smb2;
using FastSmb.Datapath;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Session expiry and re-authentication ([MS-SMB2] 3.3.5.2.9, 3.3.5.5.3): an expired session refuses work with
/// STATUS_NETWORK_SESSION_EXPIRED until SESSION_SETUP on the same session renews it, keeping its keys and trees.
/// </summary>
[CancelAfter(30_000)]
public class ReauthenticationTests
{
    [TestCase(Smb2Dialect.Smb210)]
    [TestCase(Smb2Dialect.Smb302)]
    [TestCase(Smb2Dialect.Smb311)]
    public async Task Reauthenticate_ValidSession_KeepsSessionAndTrees(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$", dialect);
        ulong sessionId = c.SessionId;
        var key = c.SigningKey.ToArray();
        c.SignRequests = true;

        Assert.That(await c.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));

        Assert.That(c.SessionId, Is.EqualTo(sessionId), "re-authentication keeps the session");
        Assert.That(c.SigningKey, Is.EqualTo(key), "and its keys");
        var (status, _) = await c.OpenPipeAsync(tree, "srvsvc");
        Assert.That(status, Is.EqualTo(NtStatus.Success), "and its tree connects");
    }

    [Test]
    public async Task Reauthenticate_AsAnotherUser_Refused()
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();
        c.SignRequests = true;

        var status = await c.LogonAsync("someone-else", "whatever");

        Assert.That(status, Is.Not.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Expired_RequestsRefused_UntilReauthenticated()
    {
        var lifetime = TimeSpan.FromMilliseconds(400);
        await using var server = TestServer.Start(limits: new DatapathOptions { SessionLifetime = lifetime });
        var c = await server.LogonAsync();
        c.SignRequests = true;
        Assert.That((await c.TreeConnectAsync(TestServer.Unc("IPC$"))).Status, Is.EqualTo(NtStatus.Success));

        await Task.Delay(lifetime * 3);
        var expired = await c.TreeConnectAsync(TestServer.Unc("IPC$"));
        Assert.That(expired.Status, Is.EqualTo(NtStatus.NetworkSessionExpired));

        Assert.That(await c.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var renewed = await c.TreeConnectAsync(TestServer.Unc("IPC$"));
        Assert.That(renewed.Status, Is.EqualTo(NtStatus.Success), "re-authentication renews the session");
    }

    [Test]
    public async Task Expired_LogoffStillAccepted()
    {
        var lifetime = TimeSpan.FromMilliseconds(300);
        await using var server = TestServer.Start(limits: new DatapathOptions { SessionLifetime = lifetime });
        var c = await server.LogonAsync();
        await Task.Delay(lifetime * 3);

        var logoff = await c.SendAsync(Smb2Command.Logoff, LogoffRequest.Write);

        Assert.That(logoff.Status, Is.EqualTo(NtStatus.Success), "LOGOFF releases an expired session ([MS-SMB2] 3.3.5.2.9)");
    }
}
