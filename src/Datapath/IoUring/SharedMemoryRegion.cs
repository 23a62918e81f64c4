using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace FastSmb.Datapath.IoUring;

/// <summary>
/// A memory mapping of a memfd (an anonymous file in RAM), MAP_SHARED: every mapping of the same fd,
/// in this process or another one the fd was passed to (SCM_RIGHTS), sees the same bytes. That is
/// what lets the RDMA proxy daemon of the SMB Direct issue register the very region FastSmb's
/// io_uring reads land in, so payloads go file → region → client with no copy.
/// <para>
/// Owned by whoever created it (a buffer pool); plain memory otherwise, with no synchronization of
/// its own. Disposing unmaps it and, for <see cref="Create"/>, closes the memfd (other mappings stay
/// valid: the kernel frees the pages with the last mapping).
/// </para>
/// </summary>
public sealed unsafe class SharedMemoryRegion : IDisposable
{
    private byte* _address;

    private SharedMemoryRegion(SafeFileHandle handle, byte* address, long length)
    {
        FileHandle = handle;
        _address = address;
        Length = length;
    }

    /// <summary>memfd_create + ftruncate + mmap: a new zero-filled region of <paramref name="length"/> bytes (a multiple of the page size).</summary>
    public static SharedMemoryRegion Create(string name, long length)
    {
        IoRing.ThrowIfUnsupported();
        CheckLength(length);
        int fd = NativeMethods.fsn_memfd_create(name, (ulong)length, 0);
        if (fd < 0)
            throw new IoRingException("memfd_create", -fd);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        int rc = NativeMethods.fsn_mmap_shared(fd, (ulong)length, 0, out byte* address);
        if (rc < 0)
        {
            handle.Dispose();
            throw new IoRingException("mmap", -rc);
        }
        return new SharedMemoryRegion(handle, address, length);
    }

    /// <summary>
    /// Another mapping of an existing memfd (for example one received from another process). The
    /// handle stays the caller's: disposing this region only unmaps it.
    /// </summary>
    public static SharedMemoryRegion Map(SafeFileHandle memfd, long length, long offset = 0)
    {
        IoRing.ThrowIfUnsupported();
        CheckLength(length);
        int rc = NativeMethods.fsn_mmap_shared((int)memfd.DangerousGetHandle(), (ulong)length, (ulong)offset, out byte* address);
        if (rc < 0)
            throw new IoRingException("mmap", -rc);
        return new SharedMemoryRegion(new SafeFileHandle(memfd.DangerousGetHandle(), ownsHandle: false), address, length);
    }

    /// <summary>The memfd: pass it to another process to share the region.</summary>
    public SafeFileHandle FileHandle { get; }

    public long Length { get; }

    public byte* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_address == null)
                ThrowDisposed();
            return _address;
        }
    }

    public bool IsDisposed => _address == null;

    public Span<byte> GetSpan(long offset, int length)
    {
        if ((ulong)offset > (ulong)Length || (ulong)length > (ulong)(Length - offset))
            throw new ArgumentOutOfRangeException(nameof(offset));
        return new Span<byte>(Pointer + offset, length);
    }

    public void Dispose()
    {
        if (_address == null)
            return;
        _ = NativeMethods.fsn_munmap(_address, (ulong)Length);
        _address = null;
        FileHandle.Dispose();
    }

    private static void CheckLength(long length)
    {
        if (length <= 0 || length % Environment.SystemPageSize != 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "a positive multiple of the page size");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(SharedMemoryRegion));
}
