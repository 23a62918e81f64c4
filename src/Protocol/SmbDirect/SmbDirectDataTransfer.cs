using System.Buffers.Binary;

namespace FastSmb.Protocol.SmbDirect;

/// <summary>[MS-SMBD] 2.2.3 Flags of a Data Transfer message.</summary>
[Flags]
public enum SmbDirectFlags : ushort
{
    None = 0,
    /// <summary>SMB_DIRECT_RESPONSE_REQUESTED: "The peer is requested to promptly send a message in response." (keep-alive)</summary>
    ResponseRequested = 0x0001,
}

/// <summary>
/// [MS-SMBD] 2.2.3 Data Transfer Message: every message after the negotiation. A 20-byte header, optional
/// padding, then DataLength bytes of upper-layer data at DataOffset. An upper-layer message larger than one
/// send is split into several of these; RemainingDataLength counts the bytes still to come after this one.
/// </summary>
public readonly ref struct SmbDirectDataTransfer
{
    /// <summary>The fixed header; also the whole message when there is no payload (credit grants, keep-alives).</summary>
    public const int HeaderSize = 20;

    /// <summary>
    /// 3.1.5.5: "The DataOffset MUST be 8-byte aligned in the message. ... The value of DataOffset SHOULD be 24":
    /// the 20-byte header and 4 bytes of padding.
    /// </summary>
    public const int DataOffsetValue = 24;

    private const int OffCreditsRequested = 0, OffCreditsGranted = 2, OffFlags = 4, OffReserved = 6,
        OffRemainingDataLength = 8, OffDataOffset = 12, OffDataLength = 16;

    private readonly ReadOnlySpan<byte> _b;

    private SmbDirectDataTransfer(ReadOnlySpan<byte> b, ReadOnlySpan<byte> data)
    {
        _b = b;
        Data = data;
    }

    /// <summary>"The total number of Send Credits requested of the receiver, including any Send Credits already granted."</summary>
    public ushort CreditsRequested => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCreditsRequested..]);
    /// <summary>"The incremental number of Send Credits granted by the sender."</summary>
    public ushort CreditsGranted => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCreditsGranted..]);
    public SmbDirectFlags Flags => (SmbDirectFlags)BinaryPrimitives.ReadUInt16LittleEndian(_b[OffFlags..]);
    public ushort Reserved => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffReserved..]);
    /// <summary>"The amount of data, in bytes, remaining in a sequence of fragmented messages."</summary>
    public uint RemainingDataLength => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffRemainingDataLength..]);
    public uint DataOffset => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffDataOffset..]);
    public uint DataLength => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffDataLength..]);
    /// <summary>The DataLength bytes at DataOffset; empty for a message without payload.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>
    /// The structural checks of 3.1.5.8: at least 20 bytes, DataOffset 8-byte aligned, DataOffset + DataLength
    /// within the message. With a payload, DataOffset must also lie past the header. The connection checks the rest
    /// (CreditsRequested ≥ 1, DataLength + RemainingDataLength ≤ the negotiated fragmented size).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SmbDirectDataTransfer value)
    {
        value = default;
        if (message.Length < HeaderSize) return false;
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(message[OffDataOffset..]);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(message[OffDataLength..]);
        if ((offset & 7) != 0) return false;
        if ((ulong)offset + length > (ulong)message.Length) return false;
        ReadOnlySpan<byte> data = default;
        if (length != 0)
        {
            if (offset < HeaderSize) return false;
            data = message.Slice((int)offset, (int)length);
        }
        value = new SmbDirectDataTransfer(message, data);
        return true;
    }

    /// <summary>
    /// Writes the header (and zeroed padding when there is a payload) and returns where the payload starts: 24 when
    /// <paramref name="dataLength"/> &gt; 0, else 20 with DataOffset 0 ("If no data payload is associated with this
    /// message, this value MUST be 0"). The caller copies the payload at the returned offset; the message is
    /// <c>offset + dataLength</c> bytes.
    /// </summary>
    public static int WriteHeader(Span<byte> dest, ushort creditsRequested, ushort creditsGranted, SmbDirectFlags flags,
        uint remainingDataLength, uint dataLength)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCreditsRequested..], creditsRequested);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCreditsGranted..], creditsGranted);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffFlags..], (ushort)flags);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffReserved..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffRemainingDataLength..], dataLength == 0 ? 0 : remainingDataLength);
        if (dataLength == 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[OffDataOffset..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(dest[OffDataLength..], 0);
            return HeaderSize;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffDataOffset..], DataOffsetValue);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffDataLength..], dataLength);
        dest[HeaderSize..DataOffsetValue].Clear();
        return DataOffsetValue;
    }

    /// <summary>
    /// The largest payload one message of <paramref name="maxSendSize"/> bytes carries: "DataLength MUST have a
    /// maximum value such that DataOffset plus DataLength does not exceed Connection.MaxSendSize" (3.1.5.5).
    /// </summary>
    public static int MaxDataLength(int maxSendSize) => Math.Max(0, maxSendSize - DataOffsetValue);
}
