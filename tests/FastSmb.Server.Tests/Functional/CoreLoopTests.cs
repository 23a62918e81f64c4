using FastSmb.Client.Smb2;
using FastSmb.Datapath;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// The server on pinned io_uring core loops (<c>fastsmb io = uring</c>) over loopback TCP: requests, placement on
/// the least-loaded loop, work posted to a connection on another loop (a blocking lock granted by another
/// connection's unlock), and the unauthenticated deadline cancelling a receive in flight.
/// (FASTSMB_IO=uring runs every functional test this way; these run it always.)
/// </summary>
[CancelAfter(30_000)]
public class CoreLoopTests
{
    private static TestServer StartOnLoops(int cores = 2, TimeSpan? unauthenticatedTimeout = null) =>
        TestServer.Start(limits: new DatapathOptions
        {
            Io = IoEngine.Uring,
            Cores = cores,
            UnauthenticatedTimeout = unauthenticatedTimeout ?? TimeSpan.FromSeconds(60),
        });

    [Test]
    public async Task WriteThenRead_SameBytesBack()
    {
        await using var server = StartOnLoops();
        Assert.That(server.Server.CoreLoops, Is.Not.Null, "io_uring core loops (is the native shim built?)");
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, file, _) = await c.CreateAsync(tree, "big.dat");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var data = new byte[60_000];
        new Random(6).NextBytes(data);
        Assert.That(await c.WriteAsync(tree, file, 4096, data), Is.EqualTo(NtStatus.Success));
        var (readStatus, back) = await c.ReadAsync(tree, file, 4096, (uint)data.Length);
        Assert.That(readStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(back, Is.EqualTo(data));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(server.ShareDir, "big.dat")), Has.Length.EqualTo(4096 + data.Length));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task TwoConnections_PlacedOnDifferentLoops()
    {
        await using var server = StartOnLoops(cores: 2);
        var loops = server.Server.CoreLoops!.Loops;
        var c1 = await server.LogonAsync();
        var c2 = await server.LogonAsync();
        Assert.That(loops.Select(l => l.ConnectionCount), Is.EqualTo(new[] { 1, 1 }));
        await c1.DisposeAsync();
        await c2.DisposeAsync();
        await WaitUntilAsync(() => loops.All(l => l.ConnectionCount == 0), "connections leave their loops when they close");
    }

    [Test]
    public async Task BlockingLock_GrantedByUnlockOnAnotherLoop()
    {
        await using var server = StartOnLoops(cores: 2);
        var (c1, tree1) = await server.TreeConnectAsync(TestServer.ShareName);
        var (c2, tree2) = await server.TreeConnectAsync(TestServer.ShareName);
        var (s1, h1, _) = await c1.CreateAsync(tree1, "lock.dat");
        var (s2, h2, _) = await c2.CreateAsync(tree2, "lock.dat");
        Assert.That((s1, s2), Is.EqualTo((NtStatus.Success, NtStatus.Success)));
        Assert.That(await c1.LockRangeAsync(tree1, h1, 0, 10, LockElement.FlagExclusiveLock), Is.EqualTo(NtStatus.Success));

        var interim = await c2.LockAsync(tree2, h2, 0, new LockElement(0, 10, LockElement.FlagExclusiveLock));
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        Assert.That(await c1.LockRangeAsync(tree1, h1, 0, 10, LockElement.FlagUnlock), Is.EqualTo(NtStatus.Success));
        var final = await c2.ReceiveAsync();
        Assert.That((final.Command, final.Status), Is.EqualTo((Smb2Command.Lock, NtStatus.Success)));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
    }

    [Test]
    public async Task NoLogonInTime_ReceiveInFlightCancelled_ConnectionClosed()
    {
        await using var server = StartOnLoops(cores: 1, unauthenticatedTimeout: TimeSpan.FromMilliseconds(300));
        var stream = server.OpenStream();
        var buffer = new byte[16];
        // The server's receive is in flight in the ring; the deadline cancels it and the server closes the socket.
        Assert.That(await stream.ReadAsync(buffer), Is.EqualTo(0));
        await WaitUntilAsync(() => server.Server.CoreLoops!.Loops[0].ConnectionCount == 0, "the connection leaves its loop");
        Assert.That(server.Log.Dropped, Has.Some.Contains("no authenticated session"));
        await server.AssertStillServingAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(20);
        Assert.That(condition(), Is.True, what);
    }
}
