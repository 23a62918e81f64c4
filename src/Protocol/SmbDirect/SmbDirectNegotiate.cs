using System.Buffers.Binary;

namespace FastSmb.Protocol.SmbDirect;

/// <summary>Constants shared by the [MS-SMBD] messages.</summary>
public static class SmbDirectProtocol
{
    /// <summary>[MS-SMBD] 1.7: the only protocol version, 1.0.</summary>
    public const ushort Version1 = 0x0100;

    /// <summary>[MS-SMBD] 3.1.5.6/3.1.5.7: "The MaxReceiveSize field is at least 128 bytes."</summary>
    public const int MinReceiveSize = 128;

    /// <summary>[MS-SMBD] 3.1.5.6/3.1.5.7: "The MaxFragmentedSize field is at least 131,072 bytes."</summary>
    public const int MinFragmentedSize = 131072;
}

/// <summary>
/// [MS-SMBD] 2.2.1 Negotiate Request Message: the first message on a new connection, sent by the initiator.
/// Exactly 20 bytes; a receiver MUST terminate a connection whose first message is shorter (3.1.5.6).
/// </summary>
public readonly ref struct SmbDirectNegotiateRequest
{
    public const int Size = 20;

    private const int OffMinVersion = 0, OffMaxVersion = 2, OffReserved = 4, OffCreditsRequested = 6,
        OffPreferredSendSize = 8, OffMaxReceiveSize = 12, OffMaxFragmentedSize = 16;

    private readonly ReadOnlySpan<byte> _b;

    private SmbDirectNegotiateRequest(ReadOnlySpan<byte> b) => _b = b;

    public ushort MinVersion => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffMinVersion..]);
    public ushort MaxVersion => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffMaxVersion..]);
    /// <summary>"The sender SHOULD set this field to 0 and the receiver MUST ignore it on receipt."</summary>
    public ushort Reserved => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffReserved..]);
    /// <summary>"The number of Send Credits requested of the receiver."</summary>
    public ushort CreditsRequested => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCreditsRequested..]);
    /// <summary>"The maximum number of bytes that the sender requests to transmit in a single message."</summary>
    public uint PreferredSendSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffPreferredSendSize..]);
    /// <summary>"The maximum number of bytes that the sender can receive in a single message."</summary>
    public uint MaxReceiveSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffMaxReceiveSize..]);
    /// <summary>"The maximum number of upper-layer bytes that the sender can receive as the result of a sequence of fragmented Send operations."</summary>
    public uint MaxFragmentedSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffMaxFragmentedSize..]);

    /// <summary>True when MinVersion..MaxVersion includes 1.0 (3.1.5.6; otherwise the answer is STATUS_NOT_SUPPORTED).</summary>
    public bool OffersVersion1 => MinVersion <= SmbDirectProtocol.Version1 && SmbDirectProtocol.Version1 <= MaxVersion;

    /// <summary>Accepts any message of at least 20 bytes: field values are judged by the connection (3.1.5.6), not here.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SmbDirectNegotiateRequest value)
    {
        value = default;
        if (message.Length < Size) return false;
        value = new SmbDirectNegotiateRequest(message[..Size]);
        return true;
    }

    /// <summary>Writes the 20-byte request (3.1.5.2: MinVersion = MaxVersion = 0x0100, Reserved 0); returns 20.</summary>
    public static int Write(Span<byte> dest, ushort creditsRequested, uint preferredSendSize, uint maxReceiveSize,
        uint maxFragmentedSize, ushort minVersion = SmbDirectProtocol.Version1, ushort maxVersion = SmbDirectProtocol.Version1)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffMinVersion..], minVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffMaxVersion..], maxVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffReserved..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCreditsRequested..], creditsRequested);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffPreferredSendSize..], preferredSendSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffMaxReceiveSize..], maxReceiveSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffMaxFragmentedSize..], maxFragmentedSize);
        return Size;
    }
}

/// <summary>
/// [MS-SMBD] 2.2.2 Negotiate Response Message: the second message on a new connection, sent by the listener.
/// Exactly 32 bytes; the initiator MUST terminate when it receives fewer (3.1.5.7).
/// </summary>
public readonly ref struct SmbDirectNegotiateResponse
{
    public const int Size = 32;

    private const int OffMinVersion = 0, OffMaxVersion = 2, OffNegotiatedVersion = 4, OffReserved = 6,
        OffCreditsRequested = 8, OffCreditsGranted = 10, OffStatus = 12, OffMaxReadWriteSize = 16,
        OffPreferredSendSize = 20, OffMaxReceiveSize = 24, OffMaxFragmentedSize = 28;

    private readonly ReadOnlySpan<byte> _b;

    private SmbDirectNegotiateResponse(ReadOnlySpan<byte> b) => _b = b;

    public ushort MinVersion => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffMinVersion..]);
    public ushort MaxVersion => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffMaxVersion..]);
    /// <summary>"This value MUST be one of the values from the range specified by the Negotiate Request message."</summary>
    public ushort NegotiatedVersion => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffNegotiatedVersion..]);
    public ushort Reserved => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffReserved..]);
    public ushort CreditsRequested => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCreditsRequested..]);
    /// <summary>"The number of Send Credits granted by the sender."</summary>
    public ushort CreditsGranted => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCreditsGranted..]);
    public NtStatus Status => (NtStatus)BinaryPrimitives.ReadUInt32LittleEndian(_b[OffStatus..]);
    /// <summary>"The maximum number of bytes that the sender will transfer via RDMA Write or RDMA Read request to satisfy a single upper-layer read or write request."</summary>
    public uint MaxReadWriteSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffMaxReadWriteSize..]);
    public uint PreferredSendSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffPreferredSendSize..]);
    public uint MaxReceiveSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffMaxReceiveSize..]);
    public uint MaxFragmentedSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffMaxFragmentedSize..]);

    public static bool TryParse(ReadOnlySpan<byte> message, out SmbDirectNegotiateResponse value)
    {
        value = default;
        if (message.Length < Size) return false;
        value = new SmbDirectNegotiateResponse(message[..Size]);
        return true;
    }

    /// <summary>Writes a successful 32-byte response (3.1.5.3); returns 32.</summary>
    public static int Write(Span<byte> dest, ushort creditsRequested, ushort creditsGranted, uint maxReadWriteSize,
        uint preferredSendSize, uint maxReceiveSize, uint maxFragmentedSize)
    {
        WriteCommon(dest, NtStatus.Success);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffNegotiatedVersion..], SmbDirectProtocol.Version1);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCreditsRequested..], creditsRequested);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCreditsGranted..], creditsGranted);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffMaxReadWriteSize..], maxReadWriteSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffPreferredSendSize..], preferredSendSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffMaxReceiveSize..], maxReceiveSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffMaxFragmentedSize..], maxFragmentedSize);
        return Size;
    }

    /// <summary>
    /// Writes a failure response (3.1.5.3): "If the Status field is not equal to 0x00000000, all fields in the
    /// message not set above MUST be set to 0x0000" — only the versions and the status are non-zero. Returns 32.
    /// </summary>
    public static int WriteFailure(Span<byte> dest, NtStatus status)
    {
        WriteCommon(dest, status);
        return Size;
    }

    private static void WriteCommon(Span<byte> dest, NtStatus status)
    {
        dest[..Size].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffMinVersion..], SmbDirectProtocol.Version1);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffMaxVersion..], SmbDirectProtocol.Version1);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffStatus..], (uint)status);
    }
}
