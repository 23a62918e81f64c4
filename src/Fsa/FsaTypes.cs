namespace FastSmb.Fsa;

/// <summary>[MS-DTYP] 2.4.3 ACCESS_MASK as [MS-SMB2] 2.2.13.1.1 File_Pipe_Printer_Access_Mask spells it for files.</summary>
[Flags]
public enum AccessMask : uint
{
    None = 0,
    ReadData = 0x00000001,
    WriteData = 0x00000002,
    AppendData = 0x00000004,
    ReadEa = 0x00000008,
    WriteEa = 0x00000010,
    Execute = 0x00000020,
    DeleteChild = 0x00000040,
    ReadAttributes = 0x00000080,
    WriteAttributes = 0x00000100,
    Delete = 0x00010000,
    ReadControl = 0x00020000,
    WriteDac = 0x00040000,
    WriteOwner = 0x00080000,
    Synchronize = 0x00100000,
    AccessSystemSecurity = 0x01000000,
    MaximumAllowed = 0x02000000,
    GenericAll = 0x10000000,
    GenericExecute = 0x20000000,
    GenericWrite = 0x40000000,
    GenericRead = 0x80000000,

    /// <summary>FILE_ALL_ACCESS: every specific and standard right a file has.</summary>
    FileAllAccess = 0x001F01FF,

    /// <summary>The rights that change the file or its name: what a read-only share never grants.</summary>
    Modifying = WriteData | AppendData | WriteEa | DeleteChild | WriteAttributes | Delete | WriteDac | WriteOwner,
}

/// <summary>[MS-SMB2] 2.2.13 ShareAccess (FILE_SHARE_*).</summary>
[Flags]
public enum FileShareAccess : uint
{
    None = 0,
    Read = 1,
    Write = 2,
    Delete = 4,
    All = Read | Write | Delete,
}

/// <summary>[MS-SMB2] 2.2.13 CreateDisposition.</summary>
public enum CreateDisposition : uint
{
    Supersede = 0,
    Open = 1,
    Create = 2,
    OpenIf = 3,
    Overwrite = 4,
    OverwriteIf = 5,
}

/// <summary>[MS-SMB2] 2.2.13 CreateOptions (the FSA honours the ones named here).</summary>
[Flags]
public enum CreateOptions : uint
{
    None = 0,
    DirectoryFile = 0x00000001,
    WriteThrough = 0x00000002,
    NoIntermediateBuffering = 0x00000008,
    NonDirectoryFile = 0x00000040,
    DeleteOnClose = 0x00001000,
    OpenByFileId = 0x00002000,
    /// <summary>FILE_OPEN_REPARSE_POINT: a symlink named by the path is opened itself, not followed.</summary>
    OpenReparsePoint = 0x00200000,
}

/// <summary>[MS-SMB2] 2.2.14 CreateAction.</summary>
public enum CreateAction : uint
{
    Superseded = 0,
    Opened = 1,
    Created = 2,
    Overwritten = 3,
}

/// <summary>[MS-FSCC] 2.6 File Attributes.</summary>
[Flags]
public enum FileAttributeFlags : uint
{
    None = 0,
    ReadOnly = 0x00000001,
    Hidden = 0x00000002,
    System = 0x00000004,
    Directory = 0x00000010,
    Archive = 0x00000020,
    Normal = 0x00000080,
    Temporary = 0x00000100,
    SparseFile = 0x00000200,
    ReparsePoint = 0x00000400,
    Offline = 0x00001000,
    NotContentIndexed = 0x00002000,

    /// <summary>What FileBasicInformation and CREATE may set ([MS-FSA] 2.1.5.14.2); the rest the file system owns.</summary>
    Settable = ReadOnly | Hidden | System | Archive | Temporary | Offline | NotContentIndexed,
}

/// <summary>What a CREATE asks of the FSA ([MS-FSA] 2.1.5.1 Server Requests an Open of a File).</summary>
public readonly record struct FsaOpenRequest(
    string Path,
    AccessMask DesiredAccess,
    FileShareAccess ShareAccess,
    CreateDisposition Disposition,
    CreateOptions Options,
    FileAttributeFlags Attributes)
{
    /// <summary>The permission bits of a file this open creates (the share's "create mask" applied), and of a
    /// directory; null for the volume's defaults. The process umask still applies.</summary>
    public uint? FileMode { get; init; }
    public uint? DirectoryMode { get; init; }

    /// <summary>The caller may not modify the volume through this open (a "read only" share): no create, no
    /// overwrite, no modifying access.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Extended attributes to give a file this open creates, overwrites or supersedes ([MS-SMB2] 2.2.13.2.1
    /// SMB2_CREATE_EA_BUFFER); null for none.</summary>
    public IReadOnlyList<FsaEa>? ExtendedAttributes { get; init; }

    /// <summary>Who opens: the DACL checks of [MS-FSA] 2.1.5.1 run against it. Null skips them (only the kernel's
    /// permission checks apply).</summary>
    public Security.AccessToken? Token { get; init; }

    /// <summary>The descriptor to give a file this open creates ([MS-SMB2] 2.2.13.2.2 SMB2_CREATE_SD_BUFFER); null
    /// for the inherited one.</summary>
    public Protocol.Security.Descriptors.SecurityDescriptor? SecurityDescriptor { get; init; }

    /// <summary>The caller will report <see cref="FsaOpen.MaximalAccess"/> (an MxAc context): the rights the parent
    /// directory lends (DELETE, READ_ATTRIBUTES) are looked up even when the open does not ask for them.</summary>
    public bool QueryMaximalAccess { get; init; }

    /// <summary>The oplock or lease the open asks for, and where its breaks go (see Oplocks/); null for none.</summary>
    public Oplocks.CachingRequest? Caching { get; init; }
}

/// <summary>
/// One extended attribute ([MS-FSCC] 2.4.15 FILE_FULL_EA_INFORMATION without the chaining): an ASCII name, compared
/// ignoring case, and a value of up to 65535 bytes; an empty value in a set request removes the attribute.
/// </summary>
public readonly record struct FsaEa(string Name, byte[] Value)
{
    /// <summary>
    /// The size of <paramref name="eas"/> as a FILE_FULL_EA_INFORMATION chain (8 bytes, the name, its NUL, the value,
    /// each entry but the last padded to 4): what FileEaInformation.EaSize reports and a full query returns.
    /// </summary>
    public static uint ChainSize(IEnumerable<(int NameLength, int ValueLength)> eas)
    {
        uint total = 0, last = 0;
        foreach (var (nameLength, valueLength) in eas)
        {
            total = (total + 3) & ~3u;
            last = (uint)(8 + nameLength + 1 + valueLength);
            total += last;
        }
        return total;
    }
}

/// <summary>One data stream of a file, as FileStreamInformation lists it: "::$DATA" for the default one,
/// ":name:$DATA" for a named one.</summary>
public readonly record struct FsaStreamInfo(string Name, long Size, long AllocationSize);

/// <summary>
/// What [MS-FSCC] 2.4 information classes report about a file. Times are FILETIMEs (100 ns since 1601 UTC);
/// <see cref="FileId"/> is the inode number, unique on the volume.
/// </summary>
public readonly record struct FileMetadata(
    long CreationTime,
    long LastAccessTime,
    long LastWriteTime,
    long ChangeTime,
    long AllocationSize,
    long EndOfFile,
    FileAttributeFlags Attributes,
    ulong FileId,
    uint NumberOfLinks)
{
    /// <summary>[MS-FSCC] 2.4.13 FileEaInformation.EaSize: the size of the file's EAs as a FILE_FULL_EA_INFORMATION chain.</summary>
    public uint EaSize { get; init; }

    /// <summary>[MS-FSCC] 2.1.2.1 the reparse tag when <see cref="FileAttributeFlags.ReparsePoint"/> is set, else 0.</summary>
    public uint ReparseTag { get; init; }

    public bool IsDirectory => (Attributes & FileAttributeFlags.Directory) != 0;
}

/// <summary>One name a directory enumeration returns, with its metadata.</summary>
public readonly record struct DirectoryEntry(string Name, FileMetadata Metadata);

/// <summary>[MS-FSCC] 2.5.8 FileFsSizeInformation / 2.5.4 FileFsFullSizeInformation, in allocation units.</summary>
public readonly record struct FsSizeInfo(long TotalUnits, long CallerAvailableUnits, long ActualAvailableUnits,
    uint SectorsPerUnit, uint BytesPerSector);

/// <summary>What [MS-FSCC] 2.5.1 FileFsAttributeInformation and 2.5.9 FileFsVolumeInformation report.</summary>
public readonly record struct FsVolumeInfo(string FileSystemName, uint MaximumComponentNameLength, uint SerialNumber,
    long CreationTime, string Label);
