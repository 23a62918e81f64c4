using System.Diagnostics;
using System.Runtime.InteropServices;
using FastSmb.Datapath.IoUring;
using Microsoft.Win32.SafeHandles;
using static FastSmb.Datapath.Tests.IoUring.RingTestSupport;

namespace FastSmb.Datapath.Tests.IoUring;

[TestFixture]
public unsafe class IoRingTests
{
    private string _path = "";

    [SetUp]
    public void SetUp()
    {
        RequireNative();
        _path = Path.Combine(Path.GetTempPath(), $"fastsmb-ring-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void TearDown() => File.Delete(_path);

    [Test]
    public void Capabilities_ThisKernel_HasWhatTheDataPathNeeds()
    {
        using var ring = new IoRing();
        var needed = IoRingCapabilities.Read | IoRingCapabilities.Write | IoRingCapabilities.ReadFixed
            | IoRingCapabilities.WriteFixed | IoRingCapabilities.Receive | IoRingCapabilities.Send
            | IoRingCapabilities.Cancel | IoRingCapabilities.Nop;
        Assert.That(ring.Capabilities & needed, Is.EqualTo(needed), $"probe: {ring.Capabilities}");
        Assert.That(ring.SubmissionQueueSize, Is.EqualTo(256));
    }

    [Test]
    public void Read_TempFile_ReturnsItsBytes()
    {
        byte[] content = Pattern(10_000, 1);
        File.WriteAllBytes(_path, content);
        using var ring = new IoRing();
        using SafeFileHandle file = File.OpenHandle(_path);
        byte* buffer = (byte*)NativeMemory.AlignedAlloc(8192, 4096);
        try
        {
            Assert.That(ring.Read(file.Fd(), buffer, 8192, 1000, userData: 7), Is.True);
            var c = ReapAtLeast(ring, 1).Single();
            Assert.That((c.UserData, c.Result), Is.EqualTo((7UL, 8192)));
            Assert.That(new Span<byte>(buffer, 8192).SequenceEqual(content.AsSpan(1000, 8192)), Is.True);
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    [Test]
    public void Write_TempFile_PutsTheBytesAtTheOffset()
    {
        byte[] content = Pattern(4096, 2);
        using var ring = new IoRing();
        using (SafeFileHandle file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            fixed (byte* p = content)
            {
                Assert.That(ring.Write(file.Fd(), p, content.Length, 512, userData: 9), Is.True);
                var c = ReapAtLeast(ring, 1).Single();
                Assert.That((c.UserData, c.Result), Is.EqualTo((9UL, 4096)));
            }
        }
        byte[] onDisk = File.ReadAllBytes(_path);
        Assert.That(onDisk, Has.Length.EqualTo(512 + 4096));
        Assert.That(onDisk.AsSpan(512).SequenceEqual(content), Is.True);
    }

    [Test]
    public void ReadFixed_WriteFixed_RoundTripThroughRegisteredBuffers()
    {
        byte[] content = Pattern(64 * 1024, 3);
        File.WriteAllBytes(_path, content);
        using var ring = new IoRing();
        using var pool = new RegisteredBufferPool(64 * 1024, 2, ring);
        using SafeFileHandle file = File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite);
        Assert.That(pool.TryRent(out var buffer), Is.True);

        Assert.That(ring.ReadFixed(file.Fd(), buffer!, 0, content.Length, 0, userData: 1), Is.True);
        Assert.That(buffer!.InFlight, Is.EqualTo(1));
        var read = ReapAtLeast(ring, 1).Single();
        buffer.EndIo();
        Assert.That(read.Result, Is.EqualTo(content.Length));
        Assert.That(buffer.Span.SequenceEqual(content), Is.True);

        // Write the second half of the buffer over the first half of the file, from inside the buffer.
        Assert.That(ring.WriteFixed(file.Fd(), buffer, 32 * 1024, 32 * 1024, 0, userData: 2), Is.True);
        var write = ReapAtLeast(ring, 1).Single();
        buffer.EndIo();
        Assert.That((write.UserData, write.Result), Is.EqualTo((2UL, 32 * 1024)));
        pool.Return(buffer);

        byte[] onDisk = File.ReadAllBytes(_path);
        Assert.That(onDisk.AsSpan(0, 32 * 1024).SequenceEqual(content.AsSpan(32 * 1024)), Is.True);
    }

    [Test]
    public void ReadFixed_BufferOfAnUnregisteredPool_Throws()
    {
        using var ring = new IoRing();
        using var pool = new RegisteredBufferPool(4096, 1);
        pool.TryRent(out var buffer);
        Assert.Throws<InvalidOperationException>(() => ring.ReadFixed(0, buffer!, 0, 10, 0, 1));
        Assert.That(buffer!.InFlight, Is.Zero);
    }

    [Test]
    public void ReadWithFixedFile_RegisteredSlot_ReadsTheFile()
    {
        byte[] content = Pattern(4096, 4);
        File.WriteAllBytes(_path, content);
        using var ring = new IoRing();
        using SafeFileHandle file = File.OpenHandle(_path);
        ring.RegisterFiles([-1, file.Fd()]);
        byte[] target = new byte[4096];
        fixed (byte* p = target)
        {
            ring.Read(1, p, 4096, 0, userData: 5, SqeFlags.FixedFile);
            Assert.That(ReapAtLeast(ring, 1).Single().Result, Is.EqualTo(4096));
        }
        Assert.That(target, Is.EqualTo(content));
        ring.UnregisterFiles();
    }

    [Test]
    public void SendReceive_LoopbackTcp_MovesTheBytes()
    {
        var (client, server) = TcpPair();
        using (client)
        using (server)
        {
            using var ring = new IoRing();
            byte[] message = Pattern(100_000, 5);
            byte[] received = new byte[message.Length];
            fixed (byte* send = message)
            fixed (byte* recv = received)
            {
                ring.Receive(server.Fd(), recv, received.Length, userData: 1, MessageFlags.WaitAll);
                ring.Send(client.Fd(), send, message.Length, userData: 2, MessageFlags.WaitAll);
                var done = ReapAtLeast(ring, 2).ToDictionary(c => c.UserData, c => c.Result);
                Assert.That(done[1], Is.EqualTo(message.Length));
                Assert.That(done[2], Is.EqualTo(message.Length));
            }
            Assert.That(received, Is.EqualTo(message));
        }
    }

    [Test]
    public void SendZeroCopy_WhenSupported_ReportsResultThenNotification()
    {
        using var ring = new IoRing();
        if ((ring.Capabilities & IoRingCapabilities.SendZeroCopy) == 0)
            Assert.Ignore("the kernel has no IORING_OP_SEND_ZC");
        var (client, server) = TcpPair();
        using (client)
        using (server)
        using (var pool = new RegisteredBufferPool(16 * 1024, 1, ring))
        {
            pool.TryRent(out var buffer);
            Pattern(16 * 1024, 6).CopyTo(buffer!.Span);
            Assert.That(ring.SendZeroCopy(client.Fd(), buffer, 0, 16 * 1024, userData: 3), Is.True);
            var completions = ReapAtLeast(ring, 2);
            Assert.That(completions.Select(c => c.UserData), Is.All.EqualTo(3UL));
            Assert.That((completions[0].Result, completions[0].HasMore), Is.EqualTo((16 * 1024, true)));
            Assert.That(completions[1].IsNotification, Is.True);
            buffer.EndIo();
            pool.Return(buffer);

            byte[] got = new byte[16 * 1024];
            int n = 0;
            while (n < got.Length)
                n += server.Receive(got, n, got.Length - n, System.Net.Sockets.SocketFlags.None);
            Assert.That(got, Is.EqualTo(Pattern(16 * 1024, 6)));
        }
    }

    [Test]
    public void ReceiveMultishot_ProvidedBuffers_OneCompletionPerChunkUntilCancelled()
    {
        using var ring = new IoRing();
        if ((ring.Capabilities & IoRingCapabilities.ReceiveMultishot) == 0)
            Assert.Ignore("the kernel has no multishot recv");
        const int bufferSize = 4096, count = 8;
        byte* area = (byte*)NativeMemory.AlignedAlloc(bufferSize * count, 4096);
        var (client, server) = TcpPair();
        try
        {
            ring.CreateBufferRing(0, area, bufferSize, count);
            ring.ReceiveMultishot(server.Fd(), 0, userData: 11);
            ring.Submit();
            var received = new List<byte>();
            for (int i = 0; i < 3; i++)
            {
                byte[] chunk = Pattern(1000, 10 + i);
                client.Send(chunk);
                var c = ReapAtLeast(ring, 1).Single();
                Assert.That((c.UserData, c.Result, c.HasMore, c.HasBuffer), Is.EqualTo((11UL, 1000, true, true)));
                received.AddRange(new Span<byte>(area + c.BufferId * bufferSize, c.Result).ToArray());
                ring.RecycleBuffer(0, c.BufferId);
            }
            Assert.That(received, Is.EqualTo(Pattern(1000, 10).Concat(Pattern(1000, 11)).Concat(Pattern(1000, 12))));

            ring.Cancel(11, userData: 12);
            var end = ReapAtLeast(ring, 2).ToDictionary(c => c.UserData);
            Assert.That((end[11].Result, end[11].HasMore), Is.EqualTo((-Errno.ECANCELED, false)));
            Assert.That(end[12].Result, Is.Zero);
            ring.DestroyBufferRing(0);
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            ring.Dispose();
            NativeMemory.AlignedFree(area);
        }
    }

    [Test]
    public void Cancel_PendingReceive_CompletesWithECanceled()
    {
        var (client, server) = TcpPair();
        using (client)
        using (server)
        {
            using var ring = new IoRing();
            byte* buffer = stackalloc byte[64];
            ring.Receive(server.Fd(), buffer, 64, userData: 21);
            ring.Submit();
            Span<IoCompletion> none = stackalloc IoCompletion[4];
            Assert.That(ring.Reap(none, waitMin: 1, timeout: TimeSpan.FromMilliseconds(50)), Is.Zero, "nothing was sent");

            ring.Cancel(21, userData: 22);
            var done = ReapAtLeast(ring, 2).ToDictionary(c => c.UserData, c => c.Result);
            Assert.That(done[21], Is.EqualTo(-Errno.ECANCELED));
            Assert.That(done[22], Is.Zero);
        }
    }

    [Test]
    public void Cancel_NothingWithThatUserData_CompletesWithENoEnt()
    {
        using var ring = new IoRing();
        ring.Cancel(12345, userData: 1);
        Assert.That(ReapAtLeast(ring, 1).Single().Result, Is.EqualTo(-Errno.ENOENT));
    }

    [Test]
    public void Prepare_MoreOperationsThanTheSubmissionQueue_FlushesAndEveryOneCompletes()
    {
        // The defined "ring full" behaviour: queuing into a full SQ hands the queued SQEs to the kernel
        // and takes the freed slot, so nothing is lost and the caller need not count SQ space. The CQ
        // (16 entries here) overflows too; the kernel keeps the overflow (IORING_FEAT_NODROP).
        byte[] content = Pattern(8 * 100, 7);
        File.WriteAllBytes(_path, content);
        using var ring = new IoRing(new IoRingOptions { Entries = 8 });
        Assert.That(ring.SubmissionQueueSize, Is.EqualTo(8));
        using SafeFileHandle file = File.OpenHandle(_path);
        byte* buffers = (byte*)NativeMemory.Alloc(8 * 100);
        try
        {
            for (int i = 0; i < 100; i++)
            {
                bool queued = i % 2 == 0 ? ring.Read(file.Fd(), buffers + i * 8, 8, i * 8, (ulong)i) : ring.Nop((ulong)i);
                Assert.That(queued, Is.True, $"op {i}");
            }
            var completions = ReapAtLeast(ring, 100);
            Assert.That(completions.Select(c => c.UserData).Order(), Is.EqualTo(Enumerable.Range(0, 100).Select(i => (ulong)i)));
            Assert.That(completions.Where(c => c.UserData % 2 == 0).Select(c => c.Result), Is.All.EqualTo(8));
            for (int i = 0; i < 100; i += 2)
                Assert.That(new Span<byte>(buffers + i * 8, 8).SequenceEqual(content.AsSpan(i * 8, 8)), Is.True);
        }
        finally
        {
            NativeMemory.Free(buffers);
        }
    }

    [Test]
    public void Reap_SpanSmallerThanReady_LeavesTheRestForTheNextCall()
    {
        using var ring = new IoRing();
        for (ulong i = 0; i < 5; i++)
            ring.Nop(i);
        ring.Submit();
        Span<IoCompletion> two = stackalloc IoCompletion[2];
        var seen = new List<ulong>();
        var clock = Stopwatch.StartNew();
        while (seen.Count < 5 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            int n = ring.Reap(two, waitMin: 1, timeout: TimeSpan.FromSeconds(1));
            Assert.That(n, Is.LessThanOrEqualTo(2));
            for (int i = 0; i < n; i++)
                seen.Add(two[i].UserData);
        }
        Assert.That(seen, Is.EqualTo(new ulong[] { 0, 1, 2, 3, 4 }));
    }

    [Test]
    public void Reap_NothingReady_ReturnsZeroAfterTheTimeout()
    {
        using var ring = new IoRing();
        Span<IoCompletion> c = stackalloc IoCompletion[4];
        var clock = Stopwatch.StartNew();
        Assert.That(ring.Reap(c, waitMin: 1, timeout: TimeSpan.FromMilliseconds(100)), Is.Zero);
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90)));
        Assert.That(ring.Reap(c), Is.Zero, "waitMin 0 does not wait");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Wake_FromAnotherThread_UnblocksAWaitingReap(bool singleIssuer)
    {
        // The ring is made, used and reaped on one thread (a core loop's shape; SINGLE_ISSUER demands it).
        using var ready = new ManualResetEventSlim();
        IoRing? shared = null;
        TimeSpan blocked = default;
        int reaped = -1;
        var owner = new Thread(() =>
        {
            using var ring = new IoRing(new IoRingOptions { SingleIssuer = singleIssuer });
            Volatile.Write(ref shared, ring);
            Span<IoCompletion> c = stackalloc IoCompletion[4];
            ring.Reap(c); // submits the wake read before the waker is released
            ready.Set();
            var clock = Stopwatch.StartNew();
            reaped = ring.Reap(c, waitMin: 1, timeout: TimeSpan.FromSeconds(20));
            blocked = clock.Elapsed;
        });
        owner.Start();
        Assert.That(ready.Wait(TimeSpan.FromSeconds(10)), Is.True);
        Thread.Sleep(200);
        Volatile.Read(ref shared)!.Wake();
        Assert.That(owner.Join(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(reaped, Is.Zero, "the wake's own completion is not reported");
        Assert.That(blocked, Is.GreaterThan(TimeSpan.FromMilliseconds(150)).And.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void Wake_BeforeTheReap_IsNotLost()
    {
        using var ring = new IoRing();
        Span<IoCompletion> c = stackalloc IoCompletion[4];
        for (int round = 0; round < 3; round++)
        {
            ring.Wake();
            ring.Wake(); // wakes coalesce
            var clock = Stopwatch.StartNew();
            Assert.That(ring.Reap(c, waitMin: 1, timeout: TimeSpan.FromSeconds(10)), Is.Zero);
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), $"round {round}");
        }
    }

    [Test]
    public void MessageRing_ToAnotherRing_PostsACompletionThere()
    {
        using var from = new IoRing();
        using var to = new IoRing();
        if ((from.Capabilities & IoRingCapabilities.MessageRing) == 0)
            Assert.Ignore("the kernel has no IORING_OP_MSG_RING");
        from.MessageRing(to.FileDescriptor, 42, targetUserData: 77, userData: 1);
        Assert.That(ReapAtLeast(from, 1).Single().Result, Is.Zero);
        var got = ReapAtLeast(to, 1).Single();
        Assert.That((got.UserData, got.Result), Is.EqualTo((77UL, 42)));
    }

    [Test]
    public void UserData_Reserved_Throws()
    {
        using var ring = new IoRing();
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.Nop(ulong.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.Nop(ulong.MaxValue - 1));
        Assert.That(ring.Nop(ulong.MaxValue - 2), Is.True);
    }

    [Test]
    public void Dispose_ThenUse_ThrowsButWakeIsHarmless()
    {
        var ring = new IoRing();
        ring.Dispose();
        ring.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ring.Nop(1));
        Assert.DoesNotThrow(ring.Wake);
    }
}
