using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.14 SMB2 LOCK through the real dispatcher: validation, all-or-nothing, blocking locks that go
/// async and wake when the conflict goes, CANCEL, close, tree disconnect, and the lock checks of READ/WRITE.</summary>
[CancelAfter(30_000)]
public class LockTests
{
    private const uint S = LockElement.FlagSharedLock, X = LockElement.FlagExclusiveLock;
    private const uint F = LockElement.FlagFailImmediately, U = LockElement.FlagUnlock;

    private static async Task<(Smb2ClientConnection C, uint Tree, FileId H1, FileId H2)> TwoHandlesAsync(TestServer server)
    {
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (s1, h1, _) = await c.CreateAsync(tree, "lock.dat");
        Assert.That(s1, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.WriteAsync(tree, h1, 0, new byte[200]), Is.EqualTo(NtStatus.Success));
        var (s2, h2, _) = await c.CreateAsync(tree, "lock.dat");
        Assert.That(s2, Is.EqualTo(NtStatus.Success));
        return (c, tree, h1, h2);
    }

    [Test]
    public async Task Lock_InvalidFlagsAndRanges_Refused()
    {
        await using var server = TestServer.Start();
        var (c, tree, h1, _) = await TwoHandlesAsync(server);

        Assert.That(await c.LockRangeAsync(tree, h1, 0, 1, 0), Is.EqualTo(NtStatus.InvalidParameter), "no flag");
        Assert.That(await c.LockRangeAsync(tree, h1, 0, 1, U | X), Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(await c.LockRangeAsync(tree, h1, 0, 1, U | F), Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(await c.LockRangeAsync(tree, h1, ulong.MaxValue, 2, X | F), Is.EqualTo(NtStatus.InvalidLockRange));
        Assert.That(await c.LockRangeAsync(tree, h1, ulong.MaxValue, 1, X | F), Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LockRangeAsync(tree, h1, 0, 1, U), Is.EqualTo(NtStatus.RangeNotLocked));
        var lockWithoutFailImmediately = await c.LockAsync(tree, h1, 0, new LockElement(10, 1, S | F), new LockElement(20, 1, S));
        Assert.That(lockWithoutFailImmediately.Status, Is.EqualTo(NtStatus.InvalidParameter),
            "several locks must all fail immediately");
        var mixed = await c.LockAsync(tree, h1, 0, new LockElement(10, 1, S | F), new LockElement(10, 1, U));
        Assert.That(mixed.Status, Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(await c.LockRangeAsync(tree, h1, 10, 1, U), Is.EqualTo(NtStatus.RangeNotLocked), "nothing was locked");
    }

    [Test]
    public async Task Lock_SeveralElements_AllOrNothing()
    {
        await using var server = TestServer.Start();
        var (c, tree, h1, h2) = await TwoHandlesAsync(server);
        Assert.That(await c.LockRangeAsync(tree, h2, 50, 10, X | F), Is.EqualTo(NtStatus.Success));

        var response = await c.LockAsync(tree, h1, 0, new LockElement(0, 10, X | F), new LockElement(55, 1, S | F));
        Assert.That(response.Status, Is.EqualTo(NtStatus.LockNotGranted));
        Assert.That(await c.LockRangeAsync(tree, h2, 0, 10, X | F), Is.EqualTo(NtStatus.Success),
            "the first element's lock was rolled back");

        var unlocks = await c.LockAsync(tree, h2, 0, new LockElement(99, 1, U), new LockElement(0, 10, U));
        Assert.That(unlocks.Status, Is.EqualTo(NtStatus.RangeNotLocked));
        Assert.That(await c.LockRangeAsync(tree, h1, 0, 10, S | F), Is.EqualTo(NtStatus.LockNotGranted),
            "unlocking stops at the first failure");
    }

    [Test]
    public async Task ReadWrite_OtherHandleInLockedRange_FileLockConflict()
    {
        await using var server = TestServer.Start();
        var (c, tree, h1, h2) = await TwoHandlesAsync(server);
        Assert.That(await c.LockRangeAsync(tree, h1, 100, 100, X), Is.EqualTo(NtStatus.Success));

        Assert.That(await c.WriteAsync(tree, h1, 100, new byte[10]), Is.EqualTo(NtStatus.Success));
        Assert.That(await c.WriteAsync(tree, h2, 150, new byte[10]), Is.EqualTo(NtStatus.FileLockConflict));
        Assert.That((await c.ReadAsync(tree, h2, 100, 100)).Status, Is.EqualTo(NtStatus.FileLockConflict));
        Assert.That((await c.ReadAsync(tree, h2, 0, 100)).Status, Is.EqualTo(NtStatus.Success));

        Assert.That(await c.LockRangeAsync(tree, h1, 100, 100, U), Is.EqualTo(NtStatus.Success));
        Assert.That(await c.WriteAsync(tree, h2, 150, new byte[10]), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Blocking_ConflictGoesAway_InterimThenGranted()
    {
        await using var server = TestServer.Start();
        var (c, tree, h1, h2) = await TwoHandlesAsync(server);
        var (c2, tree2) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, other, _) = await c2.CreateAsync(tree2, "lock.dat");
        Assert.That(status, Is.EqualTo(NtStatus.Success));

        Assert.That(await c.LockRangeAsync(tree, h1, 100, 50, X), Is.EqualTo(NtStatus.Success));
        var interim = await c2.LockAsync(tree2, other, 0, new LockElement(100, 50, X));
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        Assert.That(interim.Header.IsAsync, Is.True);

        Assert.That(await c.LockRangeAsync(tree, h1, 100, 50, U), Is.EqualTo(NtStatus.Success));
        var final = await c2.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.Lock));
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(await c.LockRangeAsync(tree, h2, 120, 1, S | F), Is.EqualTo(NtStatus.LockNotGranted),
            "the waiter holds the range now");
    }

    [Test]
    public async Task Blocking_Cancel_EndsWithCancelled_AndNeverLocks()
    {
        await using var server = TestServer.Start();
        var (c, tree, h1, h2) = await TwoHandlesAsync(server);
        Assert.That(await c.LockRangeAsync(tree, h1, 100, 10, X), Is.EqualTo(NtStatus.Success));
        var interim = await c.LockAsync(tree, h2, 0, new LockElement(100, 10, X));
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        Assert.That(await c.LockRangeAsync(tree, h2, 100, 10, U), Is.EqualTo(NtStatus.RangeNotLocked),
            "a waiting lock is not held");

        await c.SendCancelAsync(interim.MessageId, interim.Header.AsyncId);
        var final = await c.ReceiveAsync();
        Assert.That(final.Status, Is.EqualTo(NtStatus.Cancelled));
        Assert.That(await c.LockRangeAsync(tree, h1, 100, 10, U), Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LockRangeAsync(tree, h1, 100, 10, X | F), Is.EqualTo(NtStatus.Success),
            "the cancelled request took nothing");
    }

    [Test]
    public async Task Blocking_CloseOfWaitingHandle_RangeNotLocked()
    {
        await using var server = TestServer.Start();
        var (c, tree, h1, h2) = await TwoHandlesAsync(server);
        Assert.That(await c.LockRangeAsync(tree, h1, 100, 10, X), Is.EqualTo(NtStatus.Success));
        var interim = await c.LockAsync(tree, h2, 0, new LockElement(100, 10, X));
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        var close = await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, h2), tree);
        Assert.That(close.Command, Is.EqualTo(Smb2Command.Close));
        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.Lock));
        Assert.That(final.Status, Is.EqualTo(NtStatus.RangeNotLocked));
    }

    [Test]
    public async Task Blocking_TreeDisconnect_HoldersCloseFirst_WaiterGranted()
    {
        await using var server = TestServer.Start();
        var (c, tree, h1, h2) = await TwoHandlesAsync(server);
        Assert.That(await c.LockRangeAsync(tree, h1, 100, 10, X), Is.EqualTo(NtStatus.Success));
        var interim = await c.LockAsync(tree, h2, 0, new LockElement(100, 10, X));
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        var tdis = await c.SendAsync(Smb2Command.TreeDisconnect, TreeDisconnectRequest.Write, tree);
        Assert.That(tdis.Command, Is.EqualTo(Smb2Command.TreeDisconnect));
        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.Lock));
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        await server.AssertStillServingAsync();
    }
}
