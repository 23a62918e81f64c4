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

    public NtStatus ReadFailed(int errno) => ErrnoMap.ToStatus(FsOperation.Read, errno);
}
