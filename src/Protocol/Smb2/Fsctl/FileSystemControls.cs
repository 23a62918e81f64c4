using System.Buffers.Binary;

namespace FastSmb.Protocol.Smb2.Fsctl;

/// <summary>
/// [MS-FSCC] 2.3.64 FILE_SET_SPARSE_BUFFER, the optional input of FSCTL_SET_SPARSE: one byte, SetSparse. No buffer
/// means TRUE ([MS-FSA] 2.1.5.10.36: "If InputBufferSize is 0 ... SetSparse is TRUE"); bytes past the first are
/// ignored, as Windows does.
/// </summary>
public static class FileSetSparseBuffer
{
    public static bool SetSparse(ReadOnlySpan<byte> input) => input.Length == 0 || input[0] != 0;
}

/// <summary>[MS-FSCC] 2.3.67 FILE_ZERO_DATA_INFORMATION, the input of FSCTL_SET_ZERO_DATA: FileOffset and
/// BeyondFinalZero, signed 64-bit byte offsets.</summary>
public readonly record struct FileZeroDataInformation(long FileOffset, long BeyondFinalZero)
{
    public const int Size = 16;

    public static bool TryParse(ReadOnlySpan<byte> input, out FileZeroDataInformation value)
    {
        value = default;
        if (input.Length < Size) return false;
        value = new FileZeroDataInformation(BinaryPrimitives.ReadInt64LittleEndian(input),
            BinaryPrimitives.ReadInt64LittleEndian(input[8..]));
        return true;
    }

    public int Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteInt64LittleEndian(dest, FileOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], BeyondFinalZero);
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.3.46 FILE_ALLOCATED_RANGE_BUFFER: the input of FSCTL_QUERY_ALLOCATED_RANGES (the range to
/// look at) and each element of its output (an allocated range).</summary>
public readonly record struct FileAllocatedRangeBuffer(long FileOffset, long Length)
{
    public const int Size = 16;

    public static bool TryParse(ReadOnlySpan<byte> input, out FileAllocatedRangeBuffer value)
    {
        value = default;
        if (input.Length < Size) return false;
        value = new FileAllocatedRangeBuffer(BinaryPrimitives.ReadInt64LittleEndian(input),
            BinaryPrimitives.ReadInt64LittleEndian(input[8..]));
        return true;
    }

    public int Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteInt64LittleEndian(dest, FileOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], Length);
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.3.13 / 2.3.73 COMPRESSION_STATE, the output of FSCTL_GET_COMPRESSION and the input of
/// FSCTL_SET_COMPRESSION: a 16-bit CompressionFormat.</summary>
public static class CompressionState
{
    public const int Size = 2;
    public const ushort FormatNone = 0x0000, FormatDefault = 0x0001, FormatLznt1 = 0x0002;

    public static bool TryParse(ReadOnlySpan<byte> input, out ushort format)
    {
        format = 0;
        if (input.Length < Size) return false;
        format = BinaryPrimitives.ReadUInt16LittleEndian(input);
        return true;
    }

    public static int Write(Span<byte> dest, ushort format)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(dest, format);
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.3.8 DUPLICATE_EXTENTS_DATA, the input of FSCTL_DUPLICATE_EXTENTS_TO_FILE: the source's
/// handle (over SMB2, its 16-byte FileId), SourceFileOffset, TargetFileOffset and ByteCount.</summary>
public readonly record struct DuplicateExtentsData(Commands.FileId SourceFileId, long SourceFileOffset, long TargetFileOffset,
    long ByteCount)
{
    public const int Size = 40;

    public static bool TryParse(ReadOnlySpan<byte> input, out DuplicateExtentsData value)
    {
        value = default;
        if (input.Length < Size) return false;
        value = new DuplicateExtentsData(Commands.FileId.Read(input), BinaryPrimitives.ReadInt64LittleEndian(input[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(input[24..]), BinaryPrimitives.ReadInt64LittleEndian(input[32..]));
        return true;
    }

    public int Write(Span<byte> dest)
    {
        SourceFileId.Write(dest);
        BinaryPrimitives.WriteInt64LittleEndian(dest[16..], SourceFileOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dest[24..], TargetFileOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dest[32..], ByteCount);
        return Size;
    }
}
