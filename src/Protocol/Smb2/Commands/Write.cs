using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.21 SMB2 WRITE Request.</summary>
public readonly ref struct WriteRequest
{
    /// <summary>"The client MUST set this field to 49, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 49;
    public const int FixedSize = 48;
    public const uint FlagWriteThrough = 0x00000001;
    public const uint FlagWriteUnbuffered = 0x00000002;

    private const int OffDataOffset = 2, OffLength = 4, OffOffset = 8, OffFileId = 16, OffChannel = 32, OffRemainingBytes = 36,
        OffWriteChannelInfoOffset = 40, OffWriteChannelInfoLength = 42, OffFlags = 44, OffBuffer = 48;

    private readonly ReadOnlySpan<byte> _body;

    private WriteRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> data, ReadOnlySpan<byte> channelInfo)
    {
        _body = body;
        Data = data;
        WriteChannelInfo = channelInfo;
    }

    /// <summary>"The offset, in bytes, from the beginning of the SMB2 header to the data being written."</summary>
    public ushort DataOffset => U16(_body, OffDataOffset);
    public uint Length => U32(_body, OffLength);
    public ulong Offset => U64(_body, OffOffset);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    public uint Channel => U32(_body, OffChannel);
    public uint RemainingBytes => U32(_body, OffRemainingBytes);
    public uint Flags => U32(_body, OffFlags);
    /// <summary>The Length bytes at DataOffset (empty for an RDMA channel, whose data comes over RDMA).</summary>
    public ReadOnlySpan<byte> Data { get; }
    public ReadOnlySpan<byte> WriteChannelInfo { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out WriteRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U16(body, OffDataOffset), U32(body, OffLength), FixedSize, out var data)) return false;
        if (!TryGetBuffer(message, U16(body, OffWriteChannelInfoOffset), U16(body, OffWriteChannelInfoLength), FixedSize,
                out var info)) return false;
        value = new WriteRequest(body, data, info);
        return true;
    }

    /// <summary>Client side: data at offset 112; returns 48 + data length (49 for an empty write).</summary>
    public static int Write(Span<byte> body, ulong offset, FileId fileId, ReadOnlySpan<byte> data, uint flags = 0,
        uint remainingBytes = 0)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        W16(body, OffDataOffset, OffsetOf(OffBuffer));
        W32(body, OffLength, data.Length);
        W64(body, OffOffset, offset);
        fileId.Write(body[OffFileId..]);
        W32(body, OffRemainingBytes, remainingBytes);
        W32(body, OffFlags, flags);
        if (data.IsEmpty)
        {
            body[OffBuffer] = 0;
            return FixedSize + 1;
        }
        data.CopyTo(body[OffBuffer..]);
        return FixedSize + data.Length;
    }

    /// <summary>
    /// Client side, [MS-SMB2] 2.2.21 over RDMA: no data in the message (DataOffset and Length 0), RemainingBytes the
    /// length the server RDMA-reads, Channel SMB2_CHANNEL_RDMA_V1[_INVALIDATE] and WriteChannelInfo at offset 112.
    /// Returns 48 + the channel info length.
    /// </summary>
    public static int WriteRdma(Span<byte> body, ulong offset, FileId fileId, uint channel, uint remainingBytes,
        ReadOnlySpan<byte> writeChannelInfo, uint flags = 0)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        W64(body, OffOffset, offset);
        fileId.Write(body[OffFileId..]);
        W32(body, OffChannel, channel);
        W32(body, OffRemainingBytes, remainingBytes);
        W16(body, OffWriteChannelInfoOffset, OffsetOf(OffBuffer));
        W16(body, OffWriteChannelInfoLength, writeChannelInfo.Length);
        W32(body, OffFlags, flags);
        writeChannelInfo.CopyTo(body[OffBuffer..]);
        return FixedSize + writeChannelInfo.Length;
    }
}

/// <summary>[MS-SMB2] 2.2.22 SMB2 WRITE Response.</summary>
public readonly ref struct WriteResponse
{
    /// <summary>"The server MUST set this field to 17, the actual size of the response structure notwithstanding."</summary>
    public const ushort StructureSize = 17;
    public const int FixedSize = 16;

    private const int OffCount = 4, OffRemaining = 8, OffWriteChannelInfoOffset = 12, OffWriteChannelInfoLength = 14;

    private readonly ReadOnlySpan<byte> _body;

    private WriteResponse(ReadOnlySpan<byte> body) => _body = body;

    public uint Count => U32(_body, OffCount);
    /// <summary>"This field MUST NOT be used and MUST be reserved. The server MUST set this to 0."</summary>
    public uint Remaining => U32(_body, OffRemaining);

    public static bool TryParse(ReadOnlySpan<byte> message, out WriteResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new WriteResponse(body);
        return true;
    }

    /// <summary>Returns 16 (the fixed part; WriteChannelInfoOffset/Length "MUST be set to 0").</summary>
    public static int Write(Span<byte> body, uint count, uint remaining = 0)
    {
        W16(body, 0, StructureSize);
        W16(body, 2, (ushort)0);
        W32(body, OffCount, count);
        W32(body, OffRemaining, remaining);
        W16(body, OffWriteChannelInfoOffset, (ushort)0);
        W16(body, OffWriteChannelInfoLength, (ushort)0);
        return FixedSize;
    }
}
