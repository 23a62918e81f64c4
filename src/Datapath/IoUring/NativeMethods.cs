using System.Runtime.InteropServices;

namespace FastSmb.Datapath.IoUring;

/// <summary>
/// The C ABI of libfastsmb_native.so (native/fastsmb_native.h), one declaration per function there.
/// Every function returns 0/a count or a negative errno and leaves errno alone, so none needs
/// SetLastError. Pointers are raw: the memory behind them is native (registered buffers, mmap) or
/// pinned by the caller for as long as the kernel may touch it, which a SafeHandle or a marshaller
/// could not express anyway. The ring pointer is passed as <see cref="nint"/> on the owner thread's
/// hot path; <see cref="IoRing"/> keeps it alive with a <see cref="SafeHandle"/>.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "fastsmb_native";

    /// <summary>FSN_ABI_VERSION this file was written against.</summary>
    internal const int AbiVersion = 1;

    /// <summary>FSN_UD_RESERVED_MIN: user_data values from here up belong to the shim.</summary>
    internal const ulong ReservedUserDataMin = 0xFFFF_FFFF_FFFF_FFFEUL;

    [LibraryImport(Library)]
    internal static partial int fsn_abi_version();

    [LibraryImport(Library)]
    internal static partial int fsn_ring_create(uint entries, uint cqEntries, uint setupFlags, uint sqpollIdleMs, out nint ring);

    [LibraryImport(Library)]
    internal static partial void fsn_ring_destroy(nint ring);

    [LibraryImport(Library)]
    internal static partial int fsn_ring_fd(nint ring);

    [LibraryImport(Library)]
    internal static partial ulong fsn_probe(nint ring);

    [LibraryImport(Library)]
    internal static partial uint fsn_sq_space_left(nint ring);

    [LibraryImport(Library)]
    internal static partial int fsn_register_buffers(nint ring, IoVec* iovecs, uint count);

    [LibraryImport(Library)]
    internal static partial int fsn_unregister_buffers(nint ring);

    [LibraryImport(Library)]
    internal static partial int fsn_register_files(nint ring, int* fds, uint count);

    [LibraryImport(Library)]
    internal static partial int fsn_update_files(nint ring, uint offset, int* fds, uint count);

    [LibraryImport(Library)]
    internal static partial int fsn_unregister_files(nint ring);

    [LibraryImport(Library)]
    internal static partial int fsn_buf_ring_create(nint ring, ushort groupId, byte* baseAddress, uint bufferSize, uint count);

    [LibraryImport(Library)]
    internal static partial int fsn_buf_ring_recycle(nint ring, ushort groupId, ushort bufferId);

    [LibraryImport(Library)]
    internal static partial int fsn_buf_ring_destroy(nint ring, ushort groupId);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_nop(nint ring, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_read(nint ring, int fd, byte* buffer, uint length, long offset, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_write(nint ring, int fd, byte* buffer, uint length, long offset, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_read_fixed(nint ring, int fd, byte* buffer, uint length, long offset, ushort bufferIndex, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_write_fixed(nint ring, int fd, byte* buffer, uint length, long offset, ushort bufferIndex, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_recv(nint ring, int fd, byte* buffer, uint length, int msgFlags, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_send(nint ring, int fd, byte* buffer, uint length, int msgFlags, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_send_zc(nint ring, int fd, byte* buffer, uint length, int msgFlags, int bufferIndex, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_recv_multishot(nint ring, int fd, ushort groupId, int msgFlags, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_cancel(nint ring, ulong targetUserData, uint cancelFlags, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_prep_msg_ring(nint ring, int targetRingFd, int result, ulong targetUserData, uint sqeFlags, ulong userData);

    [LibraryImport(Library)]
    internal static partial int fsn_submit(nint ring);

    [LibraryImport(Library)]
    internal static partial int fsn_reap(nint ring, IoCompletion* completions, uint max, uint waitMin, long timeoutNs);

    [LibraryImport(Library)]
    internal static partial int fsn_wake(nint ring);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int fsn_memfd_create(string name, ulong size, uint flags);

    [LibraryImport(Library)]
    internal static partial int fsn_mmap_shared(int fd, ulong size, ulong offset, out byte* address);

    [LibraryImport(Library)]
    internal static partial int fsn_munmap(byte* address, ulong size);
}

/// <summary>struct iovec: one registered buffer for <see cref="IoRing.RegisterBuffers"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct IoVec
{
    public byte* Base;
    public nuint Length;

    public IoVec(byte* baseAddress, nuint length)
    {
        Base = baseAddress;
        Length = length;
    }
}
