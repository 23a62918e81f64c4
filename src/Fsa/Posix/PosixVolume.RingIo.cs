using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

// IFsaRingIo: the checks of Read without the pread, for the core loops' io_uring reads.
public sealed partial class PosixVolume : IFsaRingIo
{
    public NtStatus BeginRead(FsaOpen open, long offset, int length, out int fd)
    {
        fd = -1;
        var o = (PosixOpen)open;
        // The same checks, in the same order, as Read ([MS-FSA] 2.1.5.2).
        if (o.IsDirectory) return NtStatus.InvalidDeviceRequest;
        if ((o.GrantedAccess & (AccessMask.ReadData | AccessMask.Execute)) == 0) return NtStatus.AccessDenied;
        if (offset < 0) return NtStatus.InvalidParameter;
        var lockStatus = Locks.ByteRangeLocks.CheckRead(o, offset, length);
        if (lockStatus != NtStatus.Success) return lockStatus;
        // A stream lives in an xattr, and a frozen access time must be put back after the read (KeepFrozenTimes):
        // both only through Read.
        if (o.StreamName is null && o.FrozenLastAccessTime == 0 && !o.Fd.IsClosed)
            fd = (int)o.Fd.DangerousGetHandle();
        return NtStatus.Success;
    }

    public unsafe bool TryReadCached(int fd, long offset, Span<byte> destination)
    {
        if (destination.IsEmpty) return false;
        fixed (byte* p = destination)
        {
            // preadv2(RWF_NOWAIT) (Linux 4.14): -EAGAIN instead of waiting for the disk, as Samba's io_uring and
            // pthreadpool paths try first; a cached read then costs no more than the pread it replaces.
            var iov = new IoVec { Base = p, Length = (nuint)destination.Length };
            nint n = Preadv2(fd, &iov, 1, offset, RwfNoWait);
            return n == destination.Length;
        }
    }

    public NtStatus ReadFailed(int errno) => ErrnoMap.ToStatus(FsOperation.Read, errno);

    private const int RwfNoWait = 0x00000008; // RWF_NOWAIT, linux/fs.h

    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [LibraryImport("libc", EntryPoint = "preadv2", SetLastError = true)]
    private static unsafe partial nint Preadv2(int fd, IoVec* iov, int iovcnt, long offset, int flags);
}
