using FastSmb.Client.Smb2;
using FastSmb.Datapath;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Connections without an authenticated session are bounded in number and in time, so idle or half-open
/// connections cannot use up the server; authenticated clients are not affected.
/// </summary>
[CancelAfter(30_000)]
public class UnauthenticatedLimitTests
{
    [Test]
    public async Task Accept_BeyondLimit_ClosedUntilOneAuthenticates()
    {
        await using var server = TestServer.Start(limits: new DatapathOptions { MaxUnauthenticatedConnections = 2 });
        var first = await server.NegotiateAsync();
        var second = await server.NegotiateAsync();

        var third = server.Connect();
        await third.SendRawAsync(NegotiateMessage());
        Assert.That(await third.ReceiveFrameAsync(), Is.Null, "the third unauthenticated connection is closed on accept");
        Assert.That(server.Log.Dropped, Has.Some.Contains("too many unauthenticated"));

        Assert.That(await first.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var fourth = server.Connect();
        var response = await fourth.NegotiateAsync([Smb2Dialect.Smb302]);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success), "a slot is free once a connection authenticated");
        GC.KeepAlive(second);
    }

    [Test]
    public async Task Idle_PastTimeout_Dropped_AuthenticatedStays()
    {
        await using var server = TestServer.Start(limits: new DatapathOptions { UnauthenticatedTimeout = TimeSpan.FromMilliseconds(500) });
        var idle = await server.NegotiateAsync();
        var busy = await server.LogonAsync();

        await Task.Delay(1500);

        Assert.That(await idle.ReceiveFrameAsync(), Is.Null, "the unauthenticated connection was closed");
        Assert.That(server.Log.Dropped, Has.Some.Contains("no authenticated session"));
        var echo = await busy.SendAsync(Smb2Command.Echo, EchoRequest.Write);
        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success), "the authenticated connection outlives the timeout");
    }

    private static byte[] NegotiateMessage() =>
        Messages.Build(Smb2Command.Negotiate, 0, b => NegotiateRequest.Write(b, 1, 0, Guid.NewGuid(), [Smb2Dialect.Smb302]));
}
