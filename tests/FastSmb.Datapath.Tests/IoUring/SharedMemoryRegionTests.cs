using FastSmb.Datapath.IoUring;
using static FastSmb.Datapath.Tests.IoUring.RingTestSupport;

namespace FastSmb.Datapath.Tests.IoUring;

[TestFixture]
public unsafe class SharedMemoryRegionTests
{
    [SetUp]
    public void SetUp() => RequireNative();

    [Test]
    public void Map_SameMemfdTwice_EachMappingSeesTheOthersWrites()
    {
        // What the RDMA proxy will do with the fd it receives: map the same pages at another address.
        long length = 4 * Environment.SystemPageSize;
        using var region = SharedMemoryRegion.Create("fastsmb-test", length);
        using var view = SharedMemoryRegion.Map(region.FileHandle, length);
        Assert.That((nint)view.Pointer, Is.Not.EqualTo((nint)region.Pointer));

        region.GetSpan(100, 5).Fill(0x5A);
        Assert.That(view.GetSpan(100, 5).ToArray(), Is.All.EqualTo(0x5A));
        view.Pointer[length - 1] = 0x77;
        Assert.That(region.Pointer[length - 1], Is.EqualTo(0x77));
    }

    [Test]
    public void Map_AtAnOffset_SeesThatPartOfTheRegion()
    {
        int page = Environment.SystemPageSize;
        using var region = SharedMemoryRegion.Create("fastsmb-test", 3L * page);
        region.Pointer[2L * page] = 0x42;
        using var tail = SharedMemoryRegion.Map(region.FileHandle, page, offset: 2L * page);
        Assert.That(tail.Pointer[0], Is.EqualTo(0x42));
    }

    [Test]
    public void BufferPool_Region_IsAMemfdAnotherMappingShares()
    {
        using var pool = new RegisteredBufferPool(8192, 2);
        using var view = SharedMemoryRegion.Map(pool.Region.FileHandle, pool.Region.Length);
        pool.TryRent(out var buffer);
        buffer!.Span.Fill(0x33);
        Assert.That(view.GetSpan((long)buffer.Index * pool.BufferSize, buffer.Length).ToArray(), Is.All.EqualTo(0x33));
        Assert.That(File.Exists($"/proc/self/fd/{pool.Region.FileHandle.DangerousGetHandle()}"), Is.True);
    }

    [Test]
    public void Create_LengthNotWholePages_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemoryRegion.Create("x", 1000));
    }

    [Test]
    public void Dispose_ClosesTheMemfdButAnotherMappingStaysValid()
    {
        long length = Environment.SystemPageSize;
        var region = SharedMemoryRegion.Create("fastsmb-test", length);
        var view = SharedMemoryRegion.Map(region.FileHandle, length);
        region.Pointer[0] = 9;
        region.Dispose();
        Assert.That(region.FileHandle.IsClosed, Is.True);
        Assert.That(view.Pointer[0], Is.EqualTo(9));
        view.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = region.Pointer);
    }
}
