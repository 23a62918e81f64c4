using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// The 9-byte response body shared by QUERY_DIRECTORY (2.2.34), CHANGE_NOTIFY (2.2.36) and QUERY_INFO (2.2.38):
/// StructureSize 9, OutputBufferOffset (2 bytes, header-relative), OutputBufferLength (4 bytes), then the buffer.
/// </summary>
internal static class OutputBufferResponse
{
    public const ushort StructureSize = 9;
    public const int FixedSize = 8;
    /// <summary>Header offset of the buffer as written here: 64 + 8, what Samba and Windows send.</summary>
    public const ushort OutputBufferOffsetValue = 0x48;

    private const int OffOutputBufferOffset = 2, OffOutputBufferLength = 4, OffBuffer = 8;

    public static bool TryParse(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> output)
    {
        output = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        return TryGetBuffer(message, U16(body, OffOutputBufferOffset), U32(body, OffOutputBufferLength), FixedSize, out output);
    }

    public static int WriteHeader(Span<byte> body, uint outputBufferLength)
    {
        W16(body, 0, StructureSize);
        W16(body, OffOutputBufferOffset, OutputBufferOffsetValue);
        W32(body, OffOutputBufferLength, outputBufferLength);
        return FixedSize;
    }

    /// <summary>Header plus a copy of <paramref name="output"/>; an empty output still gets the one Buffer byte StructureSize 9 counts.</summary>
    public static int Write(Span<byte> body, ReadOnlySpan<byte> output)
    {
        WriteHeader(body, (uint)output.Length);
        if (output.IsEmpty)
        {
            body[OffBuffer] = 0;
            return FixedSize + 1;
        }
        output.CopyTo(body[OffBuffer..]);
        return FixedSize + output.Length;
    }
}
