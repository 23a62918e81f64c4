namespace FastSmb.Fsa;

/// <summary>A symbolic link as [MS-FSCC] 2.1.2.4 describes one: its target with Windows separators, and whether the
/// target is relative to the directory holding the link (SYMLINK_FLAG_RELATIVE).</summary>
public readonly record struct FsaSymlink(string Target, bool Relative);

/// <summary>
/// The reparse points of an object store whose only ones are symbolic links (a POSIX file system). A link inside the
/// share is followed by every open but one with FILE_OPEN_REPARSE_POINT, which opens the link itself; no store of
/// arbitrary reparse data exists, as in Samba 4.17. Implemented by volumes next to <see cref="IFsaVolume"/>;
/// thread-safe like the volume.
/// </summary>
public interface IFsaReparsePoints
{
    /// <summary>[MS-FSA] 2.1.5.10.21 FSCTL_GET_REPARSE_POINT: the link an open of a symlink itself names;
    /// STATUS_NOT_A_REPARSE_POINT for any other open.</summary>
    NtStatus GetSymlink(FsaOpen open, out FsaSymlink link);
}
