using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// [MS-SMB2] 2.2.19 SMB2 READ Request. StructureSize 49 counts one byte of Buffer, so a request is 49 body bytes
/// (48 fixed + at least one Buffer byte, which carries ReadChannelInfo for RDMA channels).
/// </summary>
public readonly ref struct ReadRequest
{
    /// <summary>"The client MUST set this field to 49, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 49;
    public const int FixedSize = 48;
    public const byte FlagReadUnbuffered = 0x01;
    public const byte FlagRequestCompressed = 0x02;

    private const int OffPadding = 2, OffFlags = 3, OffLength = 4, OffOffset = 8, OffFileId = 16, OffMinimumCount = 32,
        OffChannel = 36, OffRemainingBytes = 40, OffReadChannelInfoOffset = 44, OffReadChannelInfoLength = 46, OffBuffer = 48;

    private readonly ReadOnlySpan<byte> _body;

    private ReadRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> channelInfo)
    {
        _body = body;
        ReadChannelInfo = channelInfo;
    }

    /// <summary>"The requested offset from the start of the SMB2 header, in bytes, at which to place the data read in the SMB2 READ Response."</summary>
    public byte Padding => _body[OffPadding];
    public byte Flags => _body[OffFlags];
    public uint Length => U32(_body, OffLength);
    public ulong Offset => U64(_body, OffOffset);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    public uint MinimumCount => U32(_body, OffMinimumCount);
    /// <summary>SMB2_CHANNEL_NONE 0, RDMA_V1 1, RDMA_V1_INVALIDATE 2, RDMA_TRANSFORM 3.</summary>
    public uint Channel => U32(_body, OffChannel);
    public uint RemainingBytes => U32(_body, OffRemainingBytes);
    public ReadOnlySpan<byte> ReadChannelInfo { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out ReadRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U16(body, OffReadChannelInfoOffset), U16(body, OffReadChannelInfoLength), FixedSize,
                out var info)) return false;
        value = new ReadRequest(body, info);
        return true;
    }

    /// <summary>Client side; returns 49, or 48 + the channel info length.</summary>
    public static int Write(Span<byte> body, byte padding, byte flags, uint length, ulong offset, FileId fileId,
        uint minimumCount, uint channel, uint remainingBytes, ReadOnlySpan<byte> readChannelInfo = default)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        body[OffPadding] = padding;
        body[OffFlags] = flags;
        W32(body, OffLength, length);
        W64(body, OffOffset, offset);
        fileId.Write(body[OffFileId..]);
        W32(body, OffMinimumCount, minimumCount);
        W32(body, OffChannel, channel);
        W32(body, OffRemainingBytes, remainingBytes);
        if (readChannelInfo.IsEmpty)
        {
            body[OffBuffer] = 0;
            return FixedSize + 1;
        }
        W16(body, OffReadChannelInfoOffset, OffsetOf(OffBuffer));
        W16(body, OffReadChannelInfoLength, readChannelInfo.Length);
        readChannelInfo.CopyTo(body[OffBuffer..]);
        return FixedSize + readChannelInfo.Length;
    }
}

/// <summary>[MS-SMB2] 2.2.20 SMB2 READ Response.</summary>
public readonly ref struct ReadResponse
{
    /// <summary>"The server MUST set this field to 17, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 17;
    public const int FixedSize = 16;
    /// <summary>Header offset of the data as written by <see cref="WriteHeader"/>: 64 + 16.</summary>
    public const byte DataOffsetValue = 0x50;

    private const int OffDataOffset = 2, OffDataLength = 4, OffDataRemaining = 8, OffFlags = 12;

    private readonly ReadOnlySpan<byte> _body;

    private ReadResponse(ReadOnlySpan<byte> body, ReadOnlySpan<byte> data)
    {
        _body = body;
        Data = data;
    }

    public byte DataOffset => _body[OffDataOffset];
    public uint DataLength => U32(_body, OffDataLength);
    public uint DataRemaining => U32(_body, OffDataRemaining);
    /// <summary>3.1.1: SMB2_READFLAG_RESPONSE_RDMA_TRANSFORM; Reserved2 before.</summary>
    public uint Flags => U32(_body, OffFlags);
    public ReadOnlySpan<byte> Data { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out ReadResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, body[OffDataOffset], U32(body, OffDataLength), FixedSize, out var data)) return false;
        value = new ReadResponse(body, data);
        return true;
    }

    /// <summary>
    /// Writes the 16-byte fixed part with DataOffset 0x50 and returns 16. The caller appends
    /// <paramref name="dataLength"/> bytes of data at <c>body[16..]</c> (straight from the file into the send buffer),
    /// so the body is 16 + dataLength. If dataLength is 0 the caller should still append one zero byte: StructureSize
    /// 17 counts one byte of Buffer.
    /// </summary>
    public static int WriteHeader(Span<byte> body, uint dataLength, uint dataRemaining)
    {
        W16(body, 0, StructureSize);
        body[OffDataOffset] = DataOffsetValue;
        body[3] = 0;
        W32(body, OffDataLength, dataLength);
        W32(body, OffDataRemaining, dataRemaining);
        W32(body, OffFlags, 0u);
        return FixedSize;
    }
}
