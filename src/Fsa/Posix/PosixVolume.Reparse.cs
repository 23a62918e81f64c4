namespace FastSmb.Fsa.Posix;

/// <summary>
/// Symbolic links as reparse points ([MS-FSCC] 2.1.2.4). A link is followed by every open (beneath the root only,
/// <see cref="PathResolver"/>) except one with FILE_OPEN_REPARSE_POINT, which opens the link itself: an O_PATH|O_NOFOLLOW
/// descriptor taken beneath the root, good for querying, renaming and deleting the link but not for its data.
/// Listings and the link's own queries show FILE_ATTRIBUTE_REPARSE_POINT with IO_REPARSE_TAG_SYMLINK;
/// FSCTL_GET_REPARSE_POINT reads the target (<see cref="GetSymlink"/>). Nothing here ever resolves a link's target
/// outside the share: the target is only read as text.
/// </summary>
public sealed partial class PosixVolume : IFsaReparsePoints
{
    /// <summary>[MS-FSCC] 2.1.2.1 IO_REPARSE_TAG_SYMLINK.</summary>
    public const uint SymlinkTag = 0xA000000C;

    /// <summary>What an open of a link itself may be granted: no data, EAs or execution, a link has none of them.</summary>
    private const AccessMask LinkAccess = AccessMask.ReadAttributes | AccessMask.WriteAttributes | AccessMask.Delete
        | AccessMask.ReadControl | AccessMask.WriteDac | AccessMask.WriteOwner | AccessMask.Synchronize;

    /// <summary>
    /// FILE_OPEN_REPARSE_POINT ([MS-FSA] 2.1.5.1): when the path's last component is a symlink, opens the link itself
    /// and returns true with the outcome in <paramref name="status"/>; false (nothing done) for anything else, which
    /// the ordinary open handles.
    /// </summary>
    private bool TryOpenSymlinkItself(in FsaOpenRequest request, string[] components, AccessMask granted, bool deleteOnClose,
        out FsaOpen? open, out CreateAction action, out NtStatus status)
    {
        open = null;
        action = CreateAction.Opened;
        status = NtStatus.Success;
        if (_paths.Resolve(components[..^1], out var parent) != NtStatus.Success || !parent.Exists || !parent.Stat.IsDirectory)
            return false;
        string directory = parent.Path, leaf = components[^1];
        if (!IsSymlink(directory, leaf))
        {
            if (_paths.FindIgnoringCase(directory, leaf) is not { } onDisk || !IsSymlink(directory, onDisk)) return false;
            leaf = onDisk;
        }
        string path = PathResolver.Join(directory, leaf);
        var options = request.Options;
        // A link to a directory answers as a directory does (Windows' directory symlinks carry FILE_ATTRIBUTE_DIRECTORY).
        bool toDirectory = _paths.Stat(path, out var target) == 0 && target.IsDirectory;
        status = request.Disposition switch
        {
            CreateDisposition.Create => NtStatus.ObjectNameCollision,
            CreateDisposition.Open or CreateDisposition.OpenIf => NtStatus.Success,
            _ => NtStatus.AccessDenied, // overwriting a link's data: it has none
        };
        if (status == NtStatus.Success && (options & CreateOptions.DirectoryFile) != 0 && !toDirectory) status = NtStatus.NotADirectory;
        if (status == NtStatus.Success && (options & CreateOptions.NonDirectoryFile) != 0 && toDirectory) status = NtStatus.FileIsADirectory;
        if (status != NtStatus.Success) return true;
        int errno = _paths.Open(path, Libc.O_PATH | Libc.O_NOFOLLOW, 0, out var fd);
        Libc.Statx st = default;
        // Replaced by something else since it was looked at: the link the client named is gone.
        if (errno == 0 && (errno = PathResolver.StatFd(fd!, out st)) == 0 && !st.IsSymlink) errno = Libc.ENOENT;
        if (errno != 0)
        {
            fd?.Dispose();
            status = ErrnoMap.ToStatus(FsOperation.Open, errno);
            return true;
        }
        var linkOpen = new PosixOpen(this, fd!, granted & LinkAccess, request.ShareAccess, isDirectory: false)
        {
            DeleteOnClose = deleteOnClose,
            MaximalAccess = LinkAccess,
        };
        status = ShareModes.TryAdd(st.Key, path, linkOpen);
        if (status != NtStatus.Success)
        {
            fd!.Dispose();
            return true;
        }
        open = linkOpen;
        ReportOpened(linkOpen, action);
        return true;
    }

    private bool IsSymlink(string directory, string name)
    {
        if (_paths.Open(directory, Libc.O_PATH | Libc.O_DIRECTORY, 0, out var dir) != 0) return false;
        using (dir)
            return Libc.StatxAt(dir!, name, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out var st) == 0 && st.IsSymlink;
    }

    public NtStatus GetSymlink(FsaOpen open, out FsaSymlink link)
    {
        link = default;
        var o = (PosixOpen)open;
        if (o.StreamName is not null || PathResolver.StatFd(o.Fd, out var st) != 0 || !st.IsSymlink) return NtStatus.NotAReparsePoint;
        int errno = Libc.ReadLink(o.Fd, out string target);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        link = new FsaSymlink(target.Replace('/', '\\'), Relative: !target.StartsWith('/'));
        return NtStatus.Success;
    }

    /// <summary>The metadata of a link itself: its own times and id, FILE_ATTRIBUTE_REPARSE_POINT with the symlink tag,
    /// and DIRECTORY when it leads to a directory beneath the root.</summary>
    private FileMetadata DescribeLinkItself(PosixOpen o, in Libc.Statx st)
    {
        var metadata = ToMetadata(st, default);
        bool toDirectory = o.Node is { } node && _paths.Stat(node.Path, out var target) == 0 && target.IsDirectory;
        var attributes = (toDirectory ? FileAttributeFlags.Directory : FileAttributeFlags.Archive) | FileAttributeFlags.ReparsePoint;
        return metadata with { Attributes = attributes, EndOfFile = 0, AllocationSize = 0, ReparseTag = SymlinkTag };
    }

    /// <summary>A listed name that is a link followed beneath the root: its target's metadata, marked as a reparse point
    /// (what a Windows client sees for a symlink on NTFS).</summary>
    private static FileMetadata MarkAsLink(in FileMetadata target) =>
        target with { Attributes = target.Attributes | FileAttributeFlags.ReparsePoint, ReparseTag = SymlinkTag };
}
