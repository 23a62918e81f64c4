using System.Net.Sockets;
using FastSmb.Datapath.CoreLoops;
using static FastSmb.Datapath.Tests.IoUring.RingTestSupport;

namespace FastSmb.Datapath.Tests.CoreLoops;

/// <summary>Core loops: placement, posting, and a socket's receive/send/cancel through a loop's ring.</summary>
[TestFixture]
[CancelAfter(30_000)]
public class CoreLoopTests
{
    private readonly List<Exception> _errors = new();

    [SetUp]
    public void SetUp() => RequireNative();

    [TearDown]
    public void TearDown()
    {
        lock (_errors) Assert.That(_errors, Is.Empty, "a core loop reported an exception");
    }

    private CoreLoopGroup Loops(int cores) => new(cores, new CoreLoopOptions(), e => { lock (_errors) _errors.Add(e); });

    [Test]
    public void Place_PicksTheLeastLoadedLoop_LowestIndexOnTie()
    {
        using var group = Loops(3);
        var placed = Enumerable.Range(0, 6).Select(_ => group.Place().Index).ToArray();
        Assert.That(placed, Is.EqualTo(new[] { 0, 1, 2, 0, 1, 2 }));
        group.Loops[1].ConnectionGone();
        Assert.That(group.Place().Index, Is.EqualTo(1), "the loop a connection left is the least loaded");
    }

    [Test]
    public void Loop_PinnedToItsCpu_WhenTheProcessMayRunThere()
    {
        using var group = Loops(1);
        var loop = group.Loops[0];
        Assert.That(loop.Cpu, Is.EqualTo(0));
        long allowed = OperatingSystem.IsLinux() ? (long)System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity : 0;
        Assert.That(loop.Pinned, Is.EqualTo((allowed & 1) != 0));
    }

    [Test]
    public async Task Post_FromAnotherThread_RunsOnTheLoopThread_InOrder()
    {
        using var group = Loops(1);
        var loop = group.Loops[0];
        var seen = new List<(int, bool)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (int i = 0; i < 100; i++)
        {
            int n = i;
            loop.Post(() =>
            {
                seen.Add((n, loop.IsLoopThread));
                if (n == 99) done.SetResult();
            });
        }
        await done.Task;
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 100).Select(i => (i, true))));
    }

    [Test]
    public async Task Connection_ReceiveAndSend_ThroughTheRing()
    {
        using var group = Loops(1);
        var (client, server) = TcpPair();
        using var _ = client;
        var connection = new UringSocketConnection(server, group.Place());
        var request = Pattern(200_000, 3);
        var sendTask = Task.Run(() => client.Send(request));

        // Receive on the loop (the owner's thread) until the whole request is in, then echo it back in one send.
        var received = await connection.Loop.Run(async () =>
        {
            var buffer = new byte[request.Length];
            int total = 0;
            while (total < buffer.Length)
            {
                int n = await connection.ReceiveAsync(buffer.AsMemory(total), CancellationToken.None);
                Assert.That(n, Is.GreaterThan(0));
                Assert.That(connection.Loop.IsLoopThread, Is.True, "the owner continues on its loop");
                total += n;
            }
            await connection.SendAsync(buffer, CancellationToken.None);
            return buffer;
        });
        await sendTask;
        Assert.That(received, Is.EqualTo(request));
        var echoed = new byte[request.Length];
        int got = 0;
        while (got < echoed.Length) got += client.Receive(echoed, got, echoed.Length - got, SocketFlags.None);
        Assert.That(echoed, Is.EqualTo(request));

        // The peer closes: the receive in flight ends with 0.
        client.Shutdown(SocketShutdown.Send);
        int end = await connection.ReceiveAsync(new byte[16], CancellationToken.None);
        Assert.That(end, Is.EqualTo(0));
        await connection.DisposeAsync();
        Assert.That(connection.Loop.ConnectionCount, Is.EqualTo(0));
    }

    [Test]
    public async Task Connection_CancelledReceive_EndsCancelled_AndLeavesTheBufferAlone()
    {
        using var group = Loops(1);
        var (client, server) = TcpPair();
        using var _ = client;
        var connection = new UringSocketConnection(server, group.Place());
        using var cancel = new CancellationTokenSource();
        var buffer = new byte[64];
        var receive = connection.Loop.Run(() => connection.ReceiveAsync(buffer, cancel.Token).AsTask());
        await Task.Delay(50); // not a timing assertion: the receive is usually in flight by now, and either way it must end cancelled
        cancel.Cancel();
        Assert.ThrowsAsync<OperationCanceledException>(async () => await receive);

        // The cancelled receive consumed nothing: the next one gets the bytes, and the old buffer stays untouched.
        client.Send([1, 2, 3]);
        var fresh = new byte[8];
        int n = await connection.Loop.Run(() => connection.ReceiveAsync(fresh, CancellationToken.None).AsTask());
        Assert.That(fresh.AsSpan(0, n).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(buffer, Is.All.EqualTo(0));
        await connection.DisposeAsync();
    }

    [Test]
    public async Task Connection_CalledOffTheLoop_HopsToIt()
    {
        using var group = Loops(1);
        var (client, server) = TcpPair();
        using var _ = client;
        var connection = new UringSocketConnection(server, group.Place());
        await connection.SendAsync(new byte[] { 9, 8, 7 }, CancellationToken.None); // from a test thread
        var got = new byte[3];
        Assert.That(client.Receive(got), Is.EqualTo(3));
        Assert.That(got, Is.EqualTo(new byte[] { 9, 8, 7 }));
        await connection.DisposeAsync();
    }
}
