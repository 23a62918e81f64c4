namespace FastSmb.Fsa.Posix;

/// <summary>What the backend was doing when a call failed: the same errno means different things per operation.</summary>
internal enum FsOperation
{
    Lookup,
    Open,
    Create,
    Read,
    Write,
    Truncate,
    SetTimes,
    Rename,
    Delete,
    Enumerate,
    Flush,
    VolumeInfo,
    Xattr,
}

/// <summary>
/// errno → NTSTATUS, for every operation of the POSIX backend, in this one place (the statuses are those Windows
/// returns for the situation the errno describes, as Samba's map_nt_error_from_unix does for the common ones).
/// </summary>
internal static class ErrnoMap
{
    public static NtStatus ToStatus(FsOperation operation, int errno) => (operation, errno) switch
    {
        // The file system keeps no user xattrs (or not on this kind of file); a full xattr block or a value over
        // the file system's limit is an EA set that does not fit.
        (FsOperation.Xattr, Libc.EOPNOTSUPP) => NtStatus.EasNotSupported,
        (FsOperation.Xattr, Libc.E2BIG or Libc.ENOSPC or Libc.ERANGE) => NtStatus.EaTooLarge,
        (FsOperation.Xattr, Libc.ENODATA) => NtStatus.NonexistentEaEntry,
        (FsOperation.Lookup or FsOperation.Open or FsOperation.Create, Libc.ENOENT) => NtStatus.ObjectNameNotFound,
        (FsOperation.Rename, Libc.ENOENT) => NtStatus.ObjectPathNotFound,
        (FsOperation.Delete, Libc.ENOENT) => NtStatus.ObjectNameNotFound,
        (_, Libc.ENOTDIR) => NtStatus.ObjectPathNotFound,
        // RESOLVE_BENEATH refused a path (or a symlink) that leaves the share; O_NOFOLLOW met a symlink.
        (_, Libc.EXDEV) when operation != FsOperation.Rename => NtStatus.AccessDenied,
        (FsOperation.Rename, Libc.EXDEV) => NtStatus.NotSameDevice,
        (_, Libc.ELOOP) => NtStatus.AccessDenied,
        (FsOperation.Create or FsOperation.Rename, Libc.EEXIST) => NtStatus.ObjectNameCollision,
        (FsOperation.Delete or FsOperation.Rename, Libc.EEXIST or Libc.ENOTEMPTY) => NtStatus.DirectoryNotEmpty,
        (FsOperation.Open or FsOperation.Read or FsOperation.Write, Libc.EISDIR) => NtStatus.FileIsADirectory,
        (_, Libc.EISDIR) => NtStatus.ObjectNameCollision,
        (_, Libc.EACCES or Libc.EPERM) => NtStatus.AccessDenied,
        (_, Libc.EROFS) => NtStatus.MediaWriteProtected,
        (_, Libc.ENOSPC or Libc.EDQUOT or Libc.EFBIG) => NtStatus.DiskFull,
        (_, Libc.ENAMETOOLONG) => NtStatus.ObjectNameInvalid,
        (_, Libc.EBUSY or Libc.ETXTBSY) => NtStatus.SharingViolation,
        (_, Libc.EMFILE or Libc.ENFILE) => NtStatus.TooManyOpenedFiles,
        (_, Libc.ENOMEM) => NtStatus.NoMemory,
        (_, Libc.EINVAL) => NtStatus.InvalidParameter,
        (_, Libc.EOPNOTSUPP or Libc.ENOSYS) => NtStatus.NotSupported,
        (_, Libc.EBADF) => NtStatus.InvalidHandle,
        (_, Libc.EAGAIN) => NtStatus.SharingViolation,
        _ => NtStatus.Unsuccessful,
    };
}
