using System.Buffers;
using System.Runtime.InteropServices;
using FastSmb.Datapath.IoUring;
using static FastSmb.Datapath.Tests.IoUring.RingTestSupport;

namespace FastSmb.Datapath.Tests.IoUring;

[TestFixture]
public unsafe class RegisteredBufferPoolTests
{
    [SetUp]
    public void SetUp() => RequireNative();

    [Test]
    public void Constructor_OddSize_RoundsUpToWholePagesAlignedAndDisjoint()
    {
        using var pool = new RegisteredBufferPool(10_000, 4);
        int page = Environment.SystemPageSize;
        Assert.That(pool.BufferSize, Is.EqualTo((10_000 + page - 1) / page * page));
        for (int i = 0; i < pool.Count; i++)
        {
            Assert.That((long)pool[i].Pointer % page, Is.Zero, $"buffer {i} page-aligned");
            Assert.That((nint)pool[i].Pointer, Is.EqualTo((nint)(pool.Region.Pointer + (long)i * pool.BufferSize)));
            Assert.That(pool[i].Index, Is.EqualTo(i));
        }
    }

    [Test]
    public void RentReturn_OneMillionCycles_NoGrowthNoLeakNoAllocation()
    {
        using var ring = new IoRing();
        using var pool = new RegisteredBufferPool(64 * 1024, 8, ring);
        var held = new RegisteredBuffer[3];
        Cycle(pool, held, 1000); // JIT and tiering before measuring
        long before = GC.GetAllocatedBytesForCurrentThread();
        Cycle(pool, held, 1_000_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, "bytes allocated by 1,000,000 rent/return cycles");
        Assert.That(pool.Available, Is.EqualTo(pool.Count), "every buffer back");
        Assert.That(pool.Count, Is.EqualTo(8), "the pool never grows");
        var seen = new HashSet<int>();
        while (pool.TryRent(out var b))
            Assert.That(seen.Add(b.Index), Is.True, $"buffer {b.Index} handed out twice");
        Assert.That(seen, Has.Count.EqualTo(8));

        // Rents three at a time (a request's receive, read and response buffers), with I/O marks.
        static void Cycle(RegisteredBufferPool pool, RegisteredBuffer[] held, int cycles)
        {
            for (int i = 0; i < cycles; i++)
            {
                for (int j = 0; j < held.Length; j++)
                {
                    if (!pool.TryRent(out var b))
                        throw new AssertionException($"pool ran dry at cycle {i}");
                    b.BeginIo();
                    held[j] = b;
                }
                for (int j = 0; j < held.Length; j++)
                {
                    // Half returned before the I/O ends, half after: both orders must free the buffer.
                    if ((i + j) % 2 == 0)
                    {
                        pool.Return(held[j]);
                        held[j].EndIo();
                    }
                    else
                    {
                        held[j].EndIo();
                        pool.Return(held[j]);
                    }
                }
            }
        }
    }

    [Test]
    public void Return_WhileInFlight_NotRentedAgainUntilTheIoEnds()
    {
        using var pool = new RegisteredBufferPool(4096, 2);
        pool.TryRent(out var inFlight);
        inFlight!.BeginIo();
        pool.Return(inFlight);
        Assert.That(pool.Available, Is.EqualTo(1), "returned but in flight: not free");

        Assert.That(pool.TryRent(out var other), Is.True);
        Assert.That(other, Is.Not.SameAs(inFlight));
        Assert.That(pool.TryRent(out _), Is.False, "the in-flight buffer is not handed out");

        inFlight.EndIo();
        Assert.That(pool.TryRent(out var again), Is.True);
        Assert.That(again, Is.SameAs(inFlight));
    }

    [Test]
    public void Return_WithAPendingReceiveIntoIt_FreedOnlyWhenTheReceiveCompletes()
    {
        // The real case: a connection goes away while a receive into its buffer is still in the kernel.
        using var ring = new IoRing();
        using var pool = new RegisteredBufferPool(4096, 1, ring);
        var (client, server) = TcpPair();
        using (client)
        using (server)
        {
            pool.TryRent(out var buffer);
            ring.Receive(server.Fd(), buffer!.Pointer, buffer.Length, userData: 1);
            buffer.BeginIo();
            ring.Submit();
            pool.Return(buffer);
            Assert.That(pool.TryRent(out _), Is.False);

            client.Send(Pattern(100, 1));
            var c = ReapAtLeast(ring, 1).Single();
            Assert.That(c.Result, Is.EqualTo(100));
            pool[(int)c.UserData - 1].EndIo();
            Assert.That(pool.TryRent(out var again), Is.True);
            Assert.That(again!.Span[..100].SequenceEqual(Pattern(100, 1)), Is.True, "the data landed before reuse");
        }
    }

    [Test]
    public void Return_Twice_Throws()
    {
        using var pool = new RegisteredBufferPool(4096, 1);
        pool.TryRent(out var buffer);
        pool.Return(buffer!);
        Assert.Throws<InvalidOperationException>(() => pool.Return(buffer!));
        Assert.Throws<InvalidOperationException>(() => buffer!.BeginIo(), "I/O on a free buffer");
        Assert.Throws<InvalidOperationException>(() => buffer!.EndIo());
        Assert.That(pool.Available, Is.EqualTo(1));
    }

    [Test]
    public void Return_BufferOfAnotherPool_Throws()
    {
        using var a = new RegisteredBufferPool(4096, 1);
        using var b = new RegisteredBufferPool(4096, 1);
        a.TryRent(out var buffer);
        Assert.Throws<ArgumentException>(() => b.Return(buffer!));
    }

    [Test]
    public void Memory_OverTheMappedRegion_SharesTheBytesWithoutCopy()
    {
        using var pool = new RegisteredBufferPool(4096, 2);
        pool.TryRent(out var buffer);
        Memory<byte> memory = buffer!.Memory;
        memory.Span[10] = 0xAB;
        Assert.That(buffer.Pointer[10], Is.EqualTo(0xAB));
        Assert.That(pool.Region.Pointer[(long)buffer.Index * pool.BufferSize + 10], Is.EqualTo(0xAB));
        Assert.That(MemoryMarshal.TryGetMemoryManager<byte, RegisteredBuffer>(memory, out var manager), Is.True);
        Assert.That(manager, Is.SameAs(buffer));
        using MemoryHandle pin = memory[5..].Pin();
        Assert.That((nint)pin.Pointer, Is.EqualTo((nint)(buffer.Pointer + 5)));
    }

    [Test]
    public void Dispose_WhileTheRingLives_UnregistersSoAnotherPoolCanRegister()
    {
        using var ring = new IoRing();
        var first = new RegisteredBufferPool(4096, 2, ring);
        Assert.Throws<InvalidOperationException>(() => new RegisteredBufferPool(4096, 1).Register(ring));
        first.Dispose();
        using var second = new RegisteredBufferPool(4096, 2, ring);
        Assert.That(second.Ring, Is.SameAs(ring));
        Assert.That(first.IsDisposed, Is.True);
    }
}
