namespace FastSmb.Fsa.Posix;

/// <summary>An open on the POSIX backend: the FSA open and its file descriptor (O_RDONLY|O_DIRECTORY for a
/// directory). Owned by its SMB open; closed by <see cref="PosixVolume.Close"/>.</summary>
internal sealed class PosixOpen(PosixVolume volume, FileDescriptor fd, AccessMask grantedAccess, FileShareAccess shareAccess,
    bool isDirectory) : FsaOpen(volume, grantedAccess, shareAccess, isDirectory)
{
    public FileDescriptor Fd { get; } = fd;

    /// <summary>Data was written through this open: its close reports the change ([MS-FSA] 2.1.4.1).</summary>
    public bool Written { get; set; }
}

/// <summary>A listing of a directory open (<see cref="FsaEnumeration"/>): "." and ".." first, then the names
/// read when it started; metadata is read as entries are returned, beneath the root only.</summary>
internal sealed class PosixEnumeration(PosixVolume volume, PosixOpen directory, string pattern, IReadOnlyList<string> names)
    : FsaEnumeration(pattern, names)
{
    protected override bool TryDescribe(string name, out FileMetadata metadata) =>
        volume.TryDescribeEntry(directory, name, out metadata);
}
