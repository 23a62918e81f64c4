using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

// Fixed-size [MS-FSCC] 2.4 file information classes. Each type is a view over a QUERY_INFO output buffer or a
// SET_INFO input buffer (TryParse: false when the buffer is shorter than the structure; MS-FSA answers that with
// STATUS_INFO_LENGTH_MISMATCH) and a writer (Write: bytes written, or -1 when the destination is too small).

/// <summary>[MS-FSCC] 2.4.7 FileBasicInformation (FILE_BASIC_INFORMATION), 40 bytes; queried and set.</summary>
public readonly ref struct FileBasicInformation
{
    public const int Size = 40;
    /// <summary>In SET_INFO a time of 0 means "do not change this time".</summary>
    public const long TimeUnchanged = 0;
    /// <summary>In SET_INFO -1 means "do not change, and stop updating this time for the rest of this handle".</summary>
    public const long TimeSuspendUpdates = -1;
    /// <summary>In SET_INFO -2 means "resume updating this time" (after a -1).</summary>
    public const long TimeResumeUpdates = -2;

    private const int OffCreationTime = 0, OffLastAccessTime = 8, OffLastWriteTime = 16, OffChangeTime = 24, OffFileAttributes = 32,
        OffReserved = 36;

    private readonly ReadOnlySpan<byte> _b;

    private FileBasicInformation(ReadOnlySpan<byte> b) => _b = b;

    public long CreationTime => I64(_b, OffCreationTime);
    public long LastAccessTime => I64(_b, OffLastAccessTime);
    public long LastWriteTime => I64(_b, OffLastWriteTime);
    public long ChangeTime => I64(_b, OffChangeTime);
    /// <summary>In SET_INFO, 0 means "do not change the attributes" ([MS-FSA] 2.1.5.14.2).</summary>
    public uint FileAttributes => U32(_b, OffFileAttributes);

    /// <summary>
    /// Also the SET_INFO parse. [MS-FSA] 2.1.5.14.2: "If InputBufferSize is less than sizeof(FILE_BASIC_INFORMATION), the
    /// operation MUST be failed with STATUS_INFO_LENGTH_MISMATCH." Time values below -2 are for the handler to reject
    /// with STATUS_INVALID_PARAMETER.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileBasicInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileBasicInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, long creationTime, long lastAccessTime, long lastWriteTime, long changeTime, uint fileAttributes)
    {
        if (dest.Length < Size) return -1;
        W64(dest, OffCreationTime, creationTime);
        W64(dest, OffLastAccessTime, lastAccessTime);
        W64(dest, OffLastWriteTime, lastWriteTime);
        W64(dest, OffChangeTime, changeTime);
        W32(dest, OffFileAttributes, fileAttributes);
        W32(dest, OffReserved, 0u); // "Reserved (4 bytes): A 32-bit field. This field is reserved."
        return Size;
    }

    public static int Write(Span<byte> dest, in FileMetadata file) =>
        Write(dest, file.CreationTime, file.LastAccessTime, file.LastWriteTime, file.ChangeTime, file.WireAttributes);
}

/// <summary>[MS-FSCC] 2.4.41 FileStandardInformation (FILE_STANDARD_INFORMATION), 24 bytes.</summary>
public readonly ref struct FileStandardInformation
{
    public const int Size = 24;

    private const int OffAllocationSize = 0, OffEndOfFile = 8, OffNumberOfLinks = 16, OffDeletePending = 20, OffDirectory = 21,
        OffReserved = 22;

    private readonly ReadOnlySpan<byte> _b;

    private FileStandardInformation(ReadOnlySpan<byte> b) => _b = b;

    public long AllocationSize => I64(_b, OffAllocationSize);
    public long EndOfFile => I64(_b, OffEndOfFile);
    public uint NumberOfLinks => U32(_b, OffNumberOfLinks);
    public bool DeletePending => _b[OffDeletePending] != 0;
    public bool Directory => _b[OffDirectory] != 0;

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileStandardInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileStandardInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, long allocationSize, long endOfFile, uint numberOfLinks, bool deletePending, bool directory)
    {
        if (dest.Length < Size) return -1;
        W64(dest, OffAllocationSize, allocationSize);
        W64(dest, OffEndOfFile, endOfFile);
        W32(dest, OffNumberOfLinks, numberOfLinks);
        dest[OffDeletePending] = deletePending ? (byte)1 : (byte)0;
        dest[OffDirectory] = directory ? (byte)1 : (byte)0;
        W16(dest, OffReserved, (ushort)0);
        return Size;
    }

    public static int Write(Span<byte> dest, in FileMetadata file) =>
        Write(dest, file.AllocationSize, file.EndOfFile, file.NumberOfLinks, file.DeletePending, file.IsDirectory);
}

/// <summary>[MS-FSCC] 2.4.22 FileInternalInformation (FILE_INTERNAL_INFORMATION): IndexNumber, 8 bytes.</summary>
public readonly ref struct FileInternalInformation
{
    public const int Size = 8;
    private readonly ReadOnlySpan<byte> _b;
    private FileInternalInformation(ReadOnlySpan<byte> b) => _b = b;

    /// <summary>"A 64-bit signed integer that contains the 8-byte file reference number for the file."</summary>
    public ulong IndexNumber => U64(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileInternalInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileInternalInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, ulong indexNumber)
    {
        if (dest.Length < Size) return -1;
        W64(dest, 0, indexNumber);
        return Size;
    }

    public static int Write(Span<byte> dest, in FileMetadata file) => Write(dest, file.FileId);
}

/// <summary>[MS-FSCC] 2.4.13 FileEaInformation (FILE_EA_INFORMATION): EaSize, 4 bytes.</summary>
public readonly ref struct FileEaInformation
{
    public const int Size = 4;
    private readonly ReadOnlySpan<byte> _b;
    private FileEaInformation(ReadOnlySpan<byte> b) => _b = b;

    public uint EaSize => U32(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileEaInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileEaInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint eaSize) => WriteU32(dest, eaSize);
    public static int Write(Span<byte> dest, in FileMetadata file) => Write(dest, file.EaSize);

    internal static int WriteU32(Span<byte> dest, uint v)
    {
        if (dest.Length < 4) return -1;
        W32(dest, 0, v);
        return 4;
    }
}

/// <summary>[MS-FSCC] 2.4.1 FileAccessInformation (FILE_ACCESS_INFORMATION): AccessFlags, 4 bytes — the open's granted access mask.</summary>
public readonly ref struct FileAccessInformation
{
    public const int Size = 4;
    private readonly ReadOnlySpan<byte> _b;
    private FileAccessInformation(ReadOnlySpan<byte> b) => _b = b;

    public uint AccessFlags => U32(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileAccessInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileAccessInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint accessFlags) => FileEaInformation.WriteU32(dest, accessFlags);
}

/// <summary>[MS-FSCC] 2.4.35 FilePositionInformation (FILE_POSITION_INFORMATION): CurrentByteOffset, 8 bytes; queried and set.</summary>
public readonly ref struct FilePositionInformation
{
    public const int Size = 8;
    private readonly ReadOnlySpan<byte> _b;
    private FilePositionInformation(ReadOnlySpan<byte> b) => _b = b;

    /// <summary>"MUST be greater than or equal to 0" when set; the handler fails a negative one with STATUS_INVALID_PARAMETER.</summary>
    public long CurrentByteOffset => I64(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FilePositionInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FilePositionInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, long currentByteOffset) => FileEndOfFileInformation.WriteI64(dest, currentByteOffset);
}

/// <summary>[MS-FSCC] 2.4.26 FileModeInformation (FILE_MODE_INFORMATION): Mode, 4 bytes; queried and set.</summary>
public readonly ref struct FileModeInformation
{
    public const int Size = 4;
    public const uint WriteThrough = 0x00000002;
    public const uint SequentialOnly = 0x00000004;
    public const uint NoIntermediateBuffering = 0x00000008;
    public const uint SynchronousIoAlert = 0x00000010;
    public const uint SynchronousIoNonAlert = 0x00000020;
    public const uint DeleteOnClose = 0x00001000;

    private readonly ReadOnlySpan<byte> _b;
    private FileModeInformation(ReadOnlySpan<byte> b) => _b = b;

    public uint Mode => U32(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileModeInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileModeInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint mode) => FileEaInformation.WriteU32(dest, mode);
}

/// <summary>[MS-FSCC] 2.4.3 FileAlignmentInformation (FILE_ALIGNMENT_INFORMATION): AlignmentRequirement, 4 bytes.</summary>
public readonly ref struct FileAlignmentInformation
{
    public const int Size = 4;
    /// <summary>FILE_BYTE_ALIGNMENT: "If this value is specified, there are no alignment requirements for the device."</summary>
    public const uint ByteAlignment = 0;

    private readonly ReadOnlySpan<byte> _b;
    private FileAlignmentInformation(ReadOnlySpan<byte> b) => _b = b;

    public uint AlignmentRequirement => U32(_b, 0);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileAlignmentInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileAlignmentInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint alignmentRequirement) => FileEaInformation.WriteU32(dest, alignmentRequirement);
}

/// <summary>[MS-FSCC] 2.4.29 FileNetworkOpenInformation (FILE_NETWORK_OPEN_INFORMATION), 56 bytes.</summary>
public readonly ref struct FileNetworkOpenInformation
{
    public const int Size = 56;

    private const int OffCreationTime = 0, OffLastAccessTime = 8, OffLastWriteTime = 16, OffChangeTime = 24, OffAllocationSize = 32,
        OffEndOfFile = 40, OffFileAttributes = 48, OffReserved = 52;

    private readonly ReadOnlySpan<byte> _b;
    private FileNetworkOpenInformation(ReadOnlySpan<byte> b) => _b = b;

    public long CreationTime => I64(_b, OffCreationTime);
    public long LastAccessTime => I64(_b, OffLastAccessTime);
    public long LastWriteTime => I64(_b, OffLastWriteTime);
    public long ChangeTime => I64(_b, OffChangeTime);
    public long AllocationSize => I64(_b, OffAllocationSize);
    public long EndOfFile => I64(_b, OffEndOfFile);
    public uint FileAttributes => U32(_b, OffFileAttributes);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileNetworkOpenInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileNetworkOpenInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, in FileMetadata file)
    {
        if (dest.Length < Size) return -1;
        WriteFields(dest, file.CreationTime, file.LastAccessTime, file.LastWriteTime, file.ChangeTime, file.AllocationSize,
            file.EndOfFile, file.WireAttributes);
        W32(dest, OffReserved, 0u);
        return Size;
    }

    /// <summary>Bytes the fields take without the trailing Reserved.</summary>
    public const int FieldsSize = OffReserved;

    /// <summary>
    /// The structure's fields without its trailing Reserved: the same 52 bytes, in the same order, that the SMB2
    /// CREATE response ([MS-SMB2] 2.2.14) and CLOSE response (2.2.16) carry at body offset 8, so all three write
    /// them here.
    /// </summary>
    public static void WriteFields(Span<byte> dest, long creationTime, long lastAccessTime, long lastWriteTime,
        long changeTime, long allocationSize, long endOfFile, uint fileAttributes)
    {
        W64(dest, OffCreationTime, creationTime);
        W64(dest, OffLastAccessTime, lastAccessTime);
        W64(dest, OffLastWriteTime, lastWriteTime);
        W64(dest, OffChangeTime, changeTime);
        W64(dest, OffAllocationSize, allocationSize);
        W64(dest, OffEndOfFile, endOfFile);
        W32(dest, OffFileAttributes, fileAttributes);
    }
}

/// <summary>[MS-FSCC] 2.4.6 FileAttributeTagInformation (FILE_ATTRIBUTE_TAG_INFORMATION), 8 bytes.</summary>
public readonly ref struct FileAttributeTagInformation
{
    public const int Size = 8;
    private readonly ReadOnlySpan<byte> _b;
    private FileAttributeTagInformation(ReadOnlySpan<byte> b) => _b = b;

    public uint FileAttributes => U32(_b, 0);
    /// <summary>"If FILE_ATTRIBUTE_REPARSE_POINT is set in the FileAttributes field, the ReparseTag field contains the reparse tag" — else 0.</summary>
    public uint ReparseTag => U32(_b, 4);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileAttributeTagInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileAttributeTagInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint fileAttributes, uint reparseTag)
    {
        if (dest.Length < Size) return -1;
        W32(dest, 0, fileAttributes);
        W32(dest, 4, (fileAttributes & FileAttribute.ReparsePoint) != 0 ? reparseTag : 0u);
        return Size;
    }

    public static int Write(Span<byte> dest, in FileMetadata file) => Write(dest, file.WireAttributes, file.ReparseTag);
}

/// <summary>[MS-FSCC] 2.4.9 FileCompressionInformation (FILE_COMPRESSION_INFORMATION), 16 bytes.</summary>
public readonly ref struct FileCompressionInformation
{
    public const int Size = 16;
    /// <summary>COMPRESSION_FORMAT_NONE: "The file or directory is not compressed."</summary>
    public const ushort FormatNone = 0x0000;
    public const ushort FormatLznt1 = 0x0002;

    private const int OffCompressedFileSize = 0, OffCompressionFormat = 8, OffCompressionUnitShift = 10, OffChunkShift = 11,
        OffClusterShift = 12, OffReserved = 13;

    private readonly ReadOnlySpan<byte> _b;
    private FileCompressionInformation(ReadOnlySpan<byte> b) => _b = b;

    public long CompressedFileSize => I64(_b, OffCompressedFileSize);
    public ushort CompressionFormat => U16(_b, OffCompressionFormat);
    public byte CompressionUnitShift => _b[OffCompressionUnitShift];
    public byte ChunkShift => _b[OffChunkShift];
    public byte ClusterShift => _b[OffClusterShift];

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileCompressionInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileCompressionInformation(buffer[..Size]);
        return true;
    }

    /// <summary>For an uncompressed file: CompressedFileSize is the file size and the shifts are 0.</summary>
    public static int Write(Span<byte> dest, long compressedFileSize, ushort compressionFormat = FormatNone,
        byte compressionUnitShift = 0, byte chunkShift = 0, byte clusterShift = 0)
    {
        if (dest.Length < Size) return -1;
        W64(dest, OffCompressedFileSize, compressedFileSize);
        W16(dest, OffCompressionFormat, compressionFormat);
        dest[OffCompressionUnitShift] = compressionUnitShift;
        dest[OffChunkShift] = chunkShift;
        dest[OffClusterShift] = clusterShift;
        dest.Slice(OffReserved, 3).Clear();
        return Size;
    }
}
