namespace FastSmb.Fsa.Posix;

/// <summary>An open on the POSIX backend: the FSA open and its file descriptor (O_RDONLY|O_DIRECTORY for a
/// directory). Owned by its SMB open; closed by <see cref="PosixVolume.Close"/>.</summary>
internal sealed class PosixOpen(PosixVolume volume, FileDescriptor fd, AccessMask grantedAccess, FileShareAccess shareAccess,
    bool isDirectory) : FsaOpen(volume, grantedAccess, shareAccess, isDirectory)
{
    /// <summary>Data was written through this open: its close reports the change ([MS-FSA] 2.1.4.1).</summary>
    public bool Written { get; set; }

    public FileDescriptor Fd { get; private set; } = fd;

    /// <summary>The descriptor holds a Linux lease ("kernel oplocks", PosixVolume.KernelLeases.cs).</summary>
    internal bool KernelLeased { get; set; }

    /// <summary>A stream open that became an open of its file's data (a stream renamed onto the default stream)
    /// takes a descriptor that can write it; the old one closes.</summary>
    internal void ReplaceFd(FileDescriptor fd)
    {
        var old = Fd;
        Fd = fd;
        old.Dispose();
    }

    /// <summary>Opened with FILE_WRITE_THROUGH or FILE_NO_INTERMEDIATE_BUFFERING ([MS-SMB2] 2.2.13, [MS-FSA] 2.1.5.3):
    /// every write through it reaches stable storage before it completes, as a WRITE with
    /// SMB2_WRITEFLAG_WRITE_THROUGH does.</summary>
    public bool WriteThrough { get; init; }
}

/// <summary>A listing of a directory open (<see cref="FsaEnumeration"/>): "." and ".." first, then the names
/// read when it started; metadata is read as entries are returned, beneath the root only.</summary>
internal sealed class PosixEnumeration(PosixVolume volume, PosixOpen directory, string pattern, IReadOnlyList<string> names)
    : FsaEnumeration(pattern, names)
{
    protected override bool TryDescribe(string name, out FileMetadata metadata) =>
        volume.TryDescribeEntry(directory, name, out metadata);
}
