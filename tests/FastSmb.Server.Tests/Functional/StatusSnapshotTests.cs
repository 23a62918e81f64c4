using FastSmb.Client.Smb2;
using FastSmb.Datapath.Sessions.Status;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// The registry snapshot behind `fastsmb status` over the real dispatcher: a logged-on session, its tree connect, a
/// durable leased open with a byte-range lock, and the same open once its connection is gone (disconnected, with the
/// time the scavenger still gives it).
/// </summary>
[CancelAfter(60_000)]
public class StatusSnapshotTests
{
    private const uint ExclusiveFailImmediately = 0x02 | 0x10;

    [Test]
    public async Task Snapshot_LiveOpen_ThenDisconnectedDurableOpenWithTimeLeft()
    {
        await using var server = TestServer.Start();
        var c = server.Connect();
        Assert.That((await c.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: Guid.NewGuid())).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var (tc, tree, _) = await c.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(tc, Is.EqualTo(NtStatus.Success));
        var leaseKey = Guid.NewGuid();
        var open = await c.CreateDurableAsync(tree, "status.txt", Guid.NewGuid(), 60_000, leaseKey);
        Assert.That((open.Status, open.DurableV2), Is.EqualTo((NtStatus.Success, true)));
        Assert.That(await c.LockRangeAsync(tree, open.FileId, 5, 10, ExclusiveFailImmediately), Is.EqualTo(NtStatus.Success));
        ulong sessionId = c.SessionId;

        var live = await server.Server.Sessions.SnapshotAsync();
        var session = live.Sessions.Single(s => s.SessionId == sessionId);
        Assert.That((session.User, session.Dialect, session.State, session.Channels.Count), Is.EqualTo((TestServer.User, "SMB3_02", "valid", 1)));
        var tcon = live.TreeConnects.Single(t => t.SessionId == sessionId);
        Assert.That((tcon.TreeId, tcon.Share, tcon.IsPipe), Is.EqualTo((tree, TestServer.ShareName, false)));
        var file = live.Opens.Single(o => o.PersistentFileId == open.FileId.Persistent);
        Assert.That((file.SessionId, file.TreeId, file.Share, file.Path), Is.EqualTo((sessionId, tree, TestServer.ShareName, "status.txt")));
        Assert.That((file.Caching, file.LeaseKey, file.Durable, file.Persistent, file.Disconnected, file.TimeLeftMs),
            Is.EqualTo(("lease(RWH)", (Guid?)leaseKey, true, false, false, (long?)null)));
        Assert.That(file.Locks, Is.EqualTo(new[] { new LockStatus(5, 10, true) }));
        Assert.That((file.ShareAccess, file.DurableTimeoutMs), Is.EqualTo((7u, open.TimeoutMs)));

        await c.DisposeAsync();
        var gone = await WhenDisconnectedAsync(server, open.FileId.Persistent);
        Assert.That(gone.Sessions.Any(s => s.SessionId == sessionId), Is.False, "the session ended with its connection");
        Assert.That(gone.TreeConnects.Any(t => t.SessionId == sessionId), Is.False);
        var kept = gone.Opens.Single(o => o.PersistentFileId == open.FileId.Persistent);
        Assert.That((kept.SessionId, kept.TreeId, kept.Path, kept.Caching), Is.EqualTo((0ul, 0u, "status.txt", "lease(RWH)")));
        Assert.That(kept.User, Does.EndWith(TestServer.User), "the owner who may reclaim it");
        Assert.That(kept.TimeLeftMs, Is.GreaterThan(0).And.LessThanOrEqualTo(open.TimeoutMs));
        Assert.That(kept.DisconnectedUntilUtc, Is.GreaterThan(gone.TakenAtUtc).And.LessThanOrEqualTo(gone.TakenAtUtc.AddMilliseconds(open.TimeoutMs)));
        Assert.That(kept.Locks, Is.EqualTo(new[] { new LockStatus(5, 10, true) }), "a disconnected durable open keeps its locks");
    }

    /// <summary>The server notices a lost connection asynchronously: snapshot until it has (bounded).</summary>
    private static async Task<ServerStatus> WhenDisconnectedAsync(TestServer server, ulong persistentId)
    {
        for (int attempt = 0; ; attempt++)
        {
            var status = await server.Server.Sessions.SnapshotAsync();
            if (status.Opens.Any(o => o.PersistentFileId == persistentId && o.Disconnected) || attempt == 400) return status;
            await Task.Delay(25);
        }
    }
}
