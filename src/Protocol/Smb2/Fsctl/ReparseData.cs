using System.Buffers.Binary;

namespace FastSmb.Protocol.Smb2.Fsctl;

/// <summary>
/// [MS-FSCC] 2.1.2.1 REPARSE_DATA_BUFFER, the input of FSCTL_SET_REPARSE_POINT and FSCTL_DELETE_REPARSE_POINT and the
/// output of FSCTL_GET_REPARSE_POINT: ReparseTag (4), ReparseDataLength (2), Reserved (2), then ReparseDataLength
/// bytes of tag-specific data.
/// </summary>
public readonly ref struct ReparseDataBuffer
{
    public const int HeaderSize = 8;

    /// <summary>[MS-FSCC] 2.1.2.1: "The reparse tag of a symbolic link" (Microsoft, name surrogate).</summary>
    public const uint TagSymlink = 0xA000000C;

    public uint Tag { get; }
    public ReadOnlySpan<byte> Data { get; }

    private ReparseDataBuffer(uint tag, ReadOnlySpan<byte> data)
    {
        Tag = tag;
        Data = data;
    }

    /// <summary>False when the header is cut short or ReparseDataLength runs past the input ([MS-FSA] 2.1.5.10.37:
    /// STATUS_IO_REPARSE_DATA_INVALID); bytes after the data are ignored. A DELETE request carries the header only
    /// (ReparseDataLength 0).</summary>
    public static bool TryParse(ReadOnlySpan<byte> input, out ReparseDataBuffer buffer)
    {
        buffer = default;
        if (input.Length < HeaderSize) return false;
        int length = BinaryPrimitives.ReadUInt16LittleEndian(input[4..]);
        if (input.Length - HeaderSize < length) return false;
        buffer = new ReparseDataBuffer(BinaryPrimitives.ReadUInt32LittleEndian(input), input.Slice(HeaderSize, length));
        return true;
    }
}

/// <summary>
/// [MS-FSCC] 2.1.2.4 Symbolic Link Reparse Data Buffer: after the REPARSE_DATA_BUFFER header, SubstituteNameOffset,
/// SubstituteNameLength, PrintNameOffset, PrintNameLength (2 each, in bytes, offsets from the start of PathBuffer),
/// Flags (4: SYMLINK_FLAG_RELATIVE), then PathBuffer with both names in UTF-16LE, unterminated. Names use Windows
/// separators ('\').
/// </summary>
public static class SymlinkReparseBuffer
{
    /// <summary>The substitute name is relative to the directory holding the link.</summary>
    public const uint FlagRelative = 0x00000001;

    /// <summary>Bytes from the start of the buffer to PathBuffer: the 8-byte header and 12 bytes of fields.</summary>
    public const int PathBufferOffset = ReparseDataBuffer.HeaderSize + 12;

    /// <summary>The whole buffer for these names, print name first in PathBuffer as Windows lays it out.</summary>
    public static int SizeOf(string substituteName, string printName) =>
        PathBufferOffset + 2 * (substituteName.Length + printName.Length);

    /// <summary>Writes the buffer; <paramref name="dest"/> must hold <see cref="SizeOf"/> bytes. False when a name
    /// is too long for the 16-bit lengths.</summary>
    public static bool TryWrite(Span<byte> dest, string substituteName, string printName, uint flags, out int written)
    {
        written = 0;
        int size = SizeOf(substituteName, printName);
        if (size - ReparseDataBuffer.HeaderSize > ushort.MaxValue || dest.Length < size) return false;
        int printBytes = 2 * printName.Length, substituteBytes = 2 * substituteName.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(dest, ReparseDataBuffer.TagSymlink);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[4..], (ushort)(size - ReparseDataBuffer.HeaderSize));
        BinaryPrimitives.WriteUInt16LittleEndian(dest[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[8..], (ushort)printBytes); // SubstituteNameOffset
        BinaryPrimitives.WriteUInt16LittleEndian(dest[10..], (ushort)substituteBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[12..], 0); // PrintNameOffset
        BinaryPrimitives.WriteUInt16LittleEndian(dest[14..], (ushort)printBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[16..], flags);
        var path = dest[PathBufferOffset..];
        WriteUtf16(path, printName);
        WriteUtf16(path[printBytes..], substituteName);
        written = size;
        return true;
    }

    /// <summary>Parses a symlink buffer: false when it is not one, is cut short, or a name lies outside PathBuffer
    /// or has an odd length.</summary>
    public static bool TryParse(ReadOnlySpan<byte> input, out string substituteName, out string printName, out uint flags)
    {
        substituteName = printName = "";
        flags = 0;
        if (!ReparseDataBuffer.TryParse(input, out var buffer) || buffer.Tag != ReparseDataBuffer.TagSymlink) return false;
        var data = buffer.Data;
        if (data.Length < PathBufferOffset - ReparseDataBuffer.HeaderSize) return false;
        int substituteOffset = BinaryPrimitives.ReadUInt16LittleEndian(data);
        int substituteLength = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        int printOffset = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        int printLength = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        flags = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        var path = data[12..];
        if (!TryName(path, substituteOffset, substituteLength, out substituteName)) return false;
        return TryName(path, printOffset, printLength, out printName);
    }

    private static bool TryName(ReadOnlySpan<byte> path, int offset, int length, out string name)
    {
        name = "";
        if ((length & 1) != 0 || offset > path.Length || length > path.Length - offset) return false;
        var bytes = path.Slice(offset, length);
        var chars = new char[length / 2];
        for (int i = 0; i < chars.Length; i++) chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
        name = new string(chars);
        return true;
    }

    private static void WriteUtf16(Span<byte> dest, string value)
    {
        for (int i = 0; i < value.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dest[(2 * i)..], value[i]);
    }
}
