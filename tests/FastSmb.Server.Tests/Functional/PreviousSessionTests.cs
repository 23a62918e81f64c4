using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// [MS-SMB2] 3.3.5.5.3 PreviousSessionId: a reconnecting client's new session ends its previous session of the same
/// user — its opens close and a pending CHANGE_NOTIFY completes with STATUS_NOTIFY_CLEANUP — and leaves another
/// user's session alone.
/// </summary>
[CancelAfter(30_000)]
public class PreviousSessionTests
{
    [Test]
    public async Task NewConnection_EndsPreviousSession_OldHandleGoneAndFileFree()
    {
        await using var server = TestServer.Start();
        var (c1, tree1) = await server.TreeConnectAsync(TestServer.ShareName);
        // Shared with nobody: while this open lives, no other open of the file succeeds.
        var (status, file, _) = await c1.CreateAsync(tree1, "held.txt", FileClient.Create, share: 0);
        Assert.That(status, Is.EqualTo(NtStatus.Success));

        var c2 = await server.NegotiateAsync(Smb2Dialect.Smb302);
        Assert.That(await c2.LogonAsync(TestServer.User, TestServer.Password, previousSessionId: c1.SessionId),
            Is.EqualTo(NtStatus.Success));

        var (oldRead, _) = await c1.ReadAsync(tree1, file, 0, 1);
        Assert.That(oldRead, Is.EqualTo(NtStatus.UserSessionDeleted));
        var (treeStatus, tree2, _) = await c2.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(treeStatus, Is.EqualTo(NtStatus.Success));
        var (reopen, _, _) = await c2.CreateAsync(tree2, "held.txt", FileClient.Open, share: 0);
        Assert.That(reopen, Is.EqualTo(NtStatus.Success), "the previous session's open was closed");
    }

    [Test]
    public async Task SameConnection_PendingNotifyCompletedWithCleanup()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, dir, _) = await c.CreateAsync(tree, "watched", FileClient.Create, FileClient.GenericRead,
            FileClient.DirectoryFile);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var interim = await c.ChangeNotifyAsync(tree, dir, CompletionFilter.FileName);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        ulong previous = c.SessionId;

        c.ResetSession();
        Assert.That(await c.LogonAsync(TestServer.User, TestServer.Password, previousSessionId: previous),
            Is.EqualTo(NtStatus.Success));
        Assert.That(c.SessionId, Is.Not.EqualTo(previous));

        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.ChangeNotify));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(final.Status, Is.EqualTo(NtStatus.NotifyCleanup));
    }

    [Test]
    public async Task AnotherUsersSession_LeftAlone()
    {
        await using var server = TestServer.StartWithUsers(users => users.Add("other", "other-pw"));
        var (c1, tree1) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, file, _) = await c1.CreateAsync(tree1, "kept.txt", FileClient.Create);
        Assert.That(status, Is.EqualTo(NtStatus.Success));

        var c2 = await server.NegotiateAsync(Smb2Dialect.Smb302);
        Assert.That(await c2.LogonAsync("other", "other-pw", previousSessionId: c1.SessionId), Is.EqualTo(NtStatus.Success));

        var (read, _) = await c1.ReadAsync(tree1, file, 0, 1);
        Assert.That(read, Is.EqualTo(NtStatus.EndOfFile), "the first user's session and open live on");
    }
}
