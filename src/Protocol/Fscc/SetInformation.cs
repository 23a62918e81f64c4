using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

// SET_INFO input buffers ([MS-FSCC] 2.4, as sent over SMB2). The views are what the server parses; Write is the client side.

/// <summary>
/// [MS-FSCC] 2.4.37.2 FileRenameInformation for SMB2 (FILE_RENAME_INFORMATION_TYPE_2): ReplaceIfExists (1), Reserved (7),
/// RootDirectory (8), FileNameLength (4), FileName. 20 bytes before the name.
/// </summary>
public readonly ref struct FileRenameInformation
{
    public const int FixedSize = 20;

    private const int OffReplaceIfExists = 0, OffReserved = 1, OffRootDirectory = 8, OffFileNameLength = 16, OffFileName = 20;

    private readonly ReadOnlySpan<byte> _b;

    private FileRenameInformation(ReadOnlySpan<byte> b, ReadOnlySpan<byte> name)
    {
        _b = b;
        FileNameUtf16 = name;
    }

    /// <summary>"Set to TRUE (0x01) to indicate that if a file with the given name already exists, it SHOULD be replaced".</summary>
    public bool ReplaceIfExists => _b[OffReplaceIfExists] != 0;
    /// <summary>"For network operations, this value MUST be zero" — the handler fails anything else with STATUS_INVALID_PARAMETER.</summary>
    public ulong RootDirectory => U64(_b, OffRootDirectory);
    /// <summary>The new name: a full path from the share root (no leading backslash), or a stream name starting with ':'.</summary>
    public ReadOnlySpan<byte> FileNameUtf16 { get; }
    public string FileName => Utf16ToString(FileNameUtf16);

    /// <summary>False when the buffer is shorter than 20 bytes or FileNameLength reaches past it.</summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileRenameInformation value)
    {
        value = default;
        if (buffer.Length < FixedSize) return false;
        uint length = U32(buffer, OffFileNameLength);
        if (length > (uint)(buffer.Length - FixedSize)) return false;
        value = new FileRenameInformation(buffer, buffer.Slice(OffFileName, (int)length));
        return true;
    }

    /// <summary>Client side; returns 20 + name bytes, or -1 when it does not fit.</summary>
    public static int Write(Span<byte> dest, bool replaceIfExists, ReadOnlySpan<char> fileName)
    {
        if (dest.Length < FixedSize + 2 * fileName.Length) return -1;
        dest[OffReplaceIfExists] = replaceIfExists ? (byte)1 : (byte)0;
        dest.Slice(OffReserved, 7).Clear();
        W64(dest, OffRootDirectory, 0UL);
        W32(dest, OffFileNameLength, 2 * fileName.Length);
        return FixedSize + WriteUtf16(dest[OffFileName..], fileName);
    }
}

/// <summary>
/// [MS-FSCC] 2.4.27.2 FileLinkInformation for SMB2 (FILE_LINK_INFORMATION_TYPE_2): the same layout as
/// <see cref="FileRenameInformation"/> — ReplaceIfExists (1), Reserved (7), RootDirectory (8), FileNameLength (4), FileName.
/// </summary>
public readonly ref struct FileLinkInformation
{
    public const int FixedSize = FileRenameInformation.FixedSize;

    private readonly FileRenameInformation _same;

    private FileLinkInformation(FileRenameInformation same) => _same = same;

    public bool ReplaceIfExists => _same.ReplaceIfExists;
    /// <summary>"For network operations, this value MUST be 0".</summary>
    public ulong RootDirectory => _same.RootDirectory;
    /// <summary>The name of the new link, a full path from the share root.</summary>
    public ReadOnlySpan<byte> FileNameUtf16 => _same.FileNameUtf16;
    public string FileName => _same.FileName;

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileLinkInformation value)
    {
        value = default;
        if (!FileRenameInformation.TryParse(buffer, out var same)) return false;
        value = new FileLinkInformation(same);
        return true;
    }

    public static int Write(Span<byte> dest, bool replaceIfExists, ReadOnlySpan<char> fileName) =>
        FileRenameInformation.Write(dest, replaceIfExists, fileName);
}

/// <summary>[MS-FSCC] 2.4.11 FileDispositionInformation (FILE_DISPOSITION_INFORMATION): DeletePending, 1 byte.</summary>
public readonly ref struct FileDispositionInformation
{
    public const int Size = 1;
    private readonly ReadOnlySpan<byte> _b;
    private FileDispositionInformation(ReadOnlySpan<byte> b) => _b = b;

    /// <summary>"Set to TRUE to indicate that a file SHOULD be deleted when it is closed; set to FALSE otherwise."</summary>
    public bool DeletePending => _b[0] != 0;

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileDispositionInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileDispositionInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, bool deletePending)
    {
        if (dest.Length < Size) return -1;
        dest[0] = deletePending ? (byte)1 : (byte)0;
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.4.12 FileDispositionInformationEx (FILE_DISPOSITION_INFORMATION_EX): Flags, 4 bytes.</summary>
public readonly ref struct FileDispositionInformationEx
{
    public const int Size = 4;
    /// <summary>FILE_DISPOSITION_DO_NOT_DELETE: "Specifies the system should not delete a file."</summary>
    public const uint DoNotDelete = 0x00000000;
    public const uint Delete = 0x00000001;
    /// <summary>FILE_DISPOSITION_POSIX_SEMANTICS: unlink the name now even while other handles stay open.</summary>
    public const uint PosixSemantics = 0x00000002;
    public const uint ForceImageSectionCheck = 0x00000004;
    /// <summary>FILE_DISPOSITION_ON_CLOSE: set or clear delete-on-close rather than delete-pending.</summary>
    public const uint OnClose = 0x00000008;
    public const uint IgnoreReadOnlyAttribute = 0x00000010;

    private readonly ReadOnlySpan<byte> _b;
    private FileDispositionInformationEx(ReadOnlySpan<byte> b) => _b = b;

    public uint Flags => U32(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileDispositionInformationEx value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileDispositionInformationEx(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint flags) => FileEaInformation.WriteU32(dest, flags);
}

/// <summary>[MS-FSCC] 2.4.14 FileEndOfFileInformation (FILE_END_OF_FILE_INFORMATION): EndOfFile, 8 bytes.</summary>
public readonly ref struct FileEndOfFileInformation
{
    public const int Size = 8;
    private readonly ReadOnlySpan<byte> _b;
    private FileEndOfFileInformation(ReadOnlySpan<byte> b) => _b = b;

    /// <summary>"A 64-bit signed integer that contains the absolute new end of file position as a byte offset from the start of the file."</summary>
    public long EndOfFile => I64(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileEndOfFileInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileEndOfFileInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, long endOfFile) => WriteI64(dest, endOfFile);

    internal static int WriteI64(Span<byte> dest, long v)
    {
        if (dest.Length < 8) return -1;
        W64(dest, 0, v);
        return 8;
    }
}

/// <summary>[MS-FSCC] 2.4.4 FileAllocationInformation (FILE_ALLOCATION_INFORMATION): AllocationSize, 8 bytes.</summary>
public readonly ref struct FileAllocationInformation
{
    public const int Size = 8;
    private readonly ReadOnlySpan<byte> _b;
    private FileAllocationInformation(ReadOnlySpan<byte> b) => _b = b;

    /// <summary>"A 64-bit signed integer that contains the number of bytes that MUST be allocated for the file."</summary>
    public long AllocationSize => I64(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileAllocationInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileAllocationInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, long allocationSize) => FileEndOfFileInformation.WriteI64(dest, allocationSize);
}
