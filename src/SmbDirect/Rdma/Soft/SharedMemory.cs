using System.Buffers;

namespace FastSmb.SmbDirect.Rdma.Soft;

/// <summary>
/// A memfd mapped MAP_SHARED: the memory behind a soft-RDMA registration, mappable by the peer process from the
/// descriptor passed over the connection. Owns the mapping and the descriptor; disposing unmaps and closes.
/// </summary>
internal sealed unsafe class SharedMemory : MemoryManager<byte>
{
    private byte* _base;

    private SharedMemory(int fd, byte* address, int length)
    {
        Fd = fd;
        _base = address;
        Length = length;
    }

    public int Fd { get; private set; }
    public int Length { get; }

    public static SharedMemory Create(string name, int length)
    {
        int fd = SoftRdmaNative.memfd_create(name, SoftRdmaNative.MFD_CLOEXEC);
        if (fd < 0) throw SoftRdmaNative.Error("memfd_create");
        if (SoftRdmaNative.ftruncate(fd, length) != 0)
        {
            SoftRdmaNative.close(fd);
            throw SoftRdmaNative.Error("ftruncate");
        }
        return Map(fd, length);
    }

    /// <summary>Maps a descriptor received from the peer; takes ownership of <paramref name="fd"/>.</summary>
    public static SharedMemory Map(int fd, int length)
    {
        void* p = SoftRdmaNative.mmap(null, (nuint)length, SoftRdmaNative.PROT_READ | SoftRdmaNative.PROT_WRITE,
            SoftRdmaNative.MAP_SHARED, fd, 0);
        if (p == (void*)-1)
        {
            SoftRdmaNative.close(fd);
            throw SoftRdmaNative.Error("mmap");
        }
        return new SharedMemory(fd, (byte*)p, length);
    }

    public override Span<byte> GetSpan() =>
        _base == null ? throw new ObjectDisposedException(nameof(SharedMemory)) : new Span<byte>(_base, Length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_base + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        if (_base == null) return;
        SoftRdmaNative.munmap(_base, (nuint)Length);
        SoftRdmaNative.close(Fd);
        _base = null;
        Fd = -1;
    }

    public void Release() => ((IDisposable)this).Dispose();
}
