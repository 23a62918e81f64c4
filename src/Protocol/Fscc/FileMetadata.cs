namespace FastSmb.Protocol.Fscc;

/// <summary>
/// What a handler knows about one file or directory, filled once from the file system and handed to any
/// [MS-FSCC] 2.4 writer (query classes and directory entries). Times are FILETIME (100 ns since 1601, UTC).
/// A plain value; copy freely.
/// </summary>
public record struct FileMetadata
{
    public long CreationTime { get; set; }
    public long LastAccessTime { get; set; }
    public long LastWriteTime { get; set; }
    public long ChangeTime { get; set; }
    public long AllocationSize { get; set; }
    public long EndOfFile { get; set; }
    /// <summary><see cref="FileAttribute"/> bits ([MS-FSCC] 2.6).</summary>
    public uint FileAttributes { get; set; }
    /// <summary>The 64-bit file id: FileInternalInformation.IndexNumber and the FileId of the Id* directory classes.</summary>
    public ulong FileId { get; set; }
    public uint NumberOfLinks { get; set; }
    public bool DeletePending { get; set; }
    public bool IsDirectory { get; set; }
    /// <summary>"The combined length, in bytes, of the extended attributes for the file."</summary>
    public uint EaSize { get; set; }
    /// <summary>The reparse tag when <see cref="FileAttribute.ReparsePoint"/> is set, else 0.</summary>
    public uint ReparseTag { get; set; }

    /// <summary>
    /// The attributes as sent on the wire: FILE_ATTRIBUTE_DIRECTORY added for a directory, and FILE_ATTRIBUTE_NORMAL
    /// when nothing else is set ([MS-FSCC] 2.6: NORMAL "is valid only if used alone").
    /// </summary>
    public readonly uint WireAttributes
    {
        get
        {
            uint a = FileAttributes;
            if (IsDirectory) a |= FileAttribute.Directory;
            if (a == 0) a = FileAttribute.Normal;
            else if (a != FileAttribute.Normal) a &= ~FileAttribute.Normal;
            return a;
        }
    }

    /// <summary>
    /// The EaSize field of the FullDirectory/BothDirectory/Id* entries: "If FILE_ATTRIBUTE_REPARSE_POINT is set in the
    /// FileAttributes field, this field MUST contain a reparse tag"; otherwise the EA size.
    /// </summary>
    public readonly uint DirectoryEaField => (WireAttributes & FileAttribute.ReparsePoint) != 0 ? ReparseTag : EaSize;
}

/// <summary>[MS-FSCC] 2.6 File Attributes (FILE_ATTRIBUTE_*).</summary>
public static class FileAttribute
{
    public const uint ReadOnly = 0x00000001;
    public const uint Hidden = 0x00000002;
    public const uint System = 0x00000004;
    public const uint Directory = 0x00000010;
    public const uint Archive = 0x00000020;
    public const uint Normal = 0x00000080;
    public const uint Temporary = 0x00000100;
    public const uint SparseFile = 0x00000200;
    public const uint ReparsePoint = 0x00000400;
    public const uint Compressed = 0x00000800;
    public const uint Offline = 0x00001000;
    public const uint NotContentIndexed = 0x00002000;
    public const uint Encrypted = 0x00004000;
    public const uint IntegrityStream = 0x00008000;
    public const uint NoScrubData = 0x00020000;
    public const uint RecallOnOpen = 0x00040000;
    public const uint Pinned = 0x00080000;
    public const uint Unpinned = 0x00100000;
    public const uint RecallOnDataAccess = 0x00400000;
}
