using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.13 / 2.2.23.1 oplock levels (SMB2_OPLOCK_LEVEL_*).</summary>
public static class OplockLevel
{
    public const byte None = 0x00;
    public const byte II = 0x01;
    public const byte Exclusive = 0x08;
    public const byte Batch = 0x09;
    /// <summary>SMB2_OPLOCK_LEVEL_LEASE: "A lease is requested" (CREATE only).</summary>
    public const byte Lease = 0xFF;
}

/// <summary>[MS-SMB2] 2.2.13.2.8 / 2.2.23.2 lease state bits (SMB2_LEASE_*).</summary>
public static class LeaseState
{
    public const uint None = 0x00;
    public const uint ReadCaching = 0x01;
    public const uint HandleCaching = 0x02;
    public const uint WriteCaching = 0x04;
}

/// <summary>
/// The 24-byte body shared by the oplock break notification (2.2.23.1), acknowledgment (2.2.24.1) and response
/// (2.2.25.1): StructureSize 24, OplockLevel, Reserved (1), Reserved2 (4), FileId.
/// </summary>
internal static class OplockBreakBody
{
    public const ushort StructureSize = 24;
    public const int Size = 24;
    public const int OffOplockLevel = 2, OffReserved = 3, OffReserved2 = 4, OffFileId = 8;

    public static int Write(Span<byte> body, byte oplockLevel, FileId fileId)
    {
        W16(body, 0, StructureSize);
        body[OffOplockLevel] = oplockLevel;
        body[OffReserved] = 0;     // "MUST be set to 0"
        W32(body, OffReserved2, 0u); // "MUST be set to 0"
        fileId.Write(body[OffFileId..]);
        return Size;
    }
}

/// <summary>
/// The 36-byte body shared by the lease break acknowledgment (2.2.24.2) and response (2.2.25.2): StructureSize 36,
/// Reserved (2), Flags (4), LeaseKey (16), LeaseState (4), LeaseDuration (8).
/// </summary>
internal static class LeaseBreakAckBody
{
    public const ushort StructureSize = 36;
    public const int Size = 36;
    public const int OffReserved = 2, OffFlags = 4, OffLeaseKey = 8, OffLeaseState = 24, OffLeaseDuration = 28;

    public static int Write(Span<byte> body, ReadOnlySpan<byte> leaseKey, uint leaseState)
    {
        if (leaseKey.Length != 16) throw new ArgumentException("A lease key is 16 bytes.", nameof(leaseKey));
        W16(body, 0, StructureSize);
        W16(body, OffReserved, (ushort)0); // "MUST be set to 0"
        W32(body, OffFlags, 0u);           // "MUST be set to 0"
        leaseKey.CopyTo(body[OffLeaseKey..]);
        W32(body, OffLeaseState, leaseState);
        W64(body, OffLeaseDuration, 0UL);  // "MUST be set to 0"
        return Size;
    }
}

/// <summary>
/// [MS-SMB2] 2.2.23.1 Oplock Break Notification (server → client, MessageId 0xFFFFFFFFFFFFFFFF, SessionId 0 when
/// sent unsolicited; command OPLOCK_BREAK).
/// </summary>
public readonly ref struct OplockBreakNotification
{
    /// <summary>"The server MUST set this to 24, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = OplockBreakBody.StructureSize;
    public const int Size = OplockBreakBody.Size;

    private readonly ReadOnlySpan<byte> _body;

    private OplockBreakNotification(ReadOnlySpan<byte> body) => _body = body;

    /// <summary>"The server will set this field to SMB2_OPLOCK_LEVEL_II ... or SMB2_OPLOCK_LEVEL_NONE": the level to break to.</summary>
    public byte OplockLevel => _body[OplockBreakBody.OffOplockLevel];
    public FileId FileId => FileId.Read(_body[OplockBreakBody.OffFileId..]);

    public static bool TryParse(ReadOnlySpan<byte> message, out OplockBreakNotification value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new OplockBreakNotification(body);
        return true;
    }

    /// <summary>Returns 24.</summary>
    public static int Write(Span<byte> body, byte oplockLevel, FileId fileId) => OplockBreakBody.Write(body, oplockLevel, fileId);
}

/// <summary>[MS-SMB2] 2.2.24.1 Oplock Break Acknowledgment (client → server, command OPLOCK_BREAK, StructureSize 24).</summary>
public readonly ref struct OplockBreakAcknowledgment
{
    /// <summary>"The client MUST set this to 24, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = OplockBreakBody.StructureSize;
    public const int Size = OplockBreakBody.Size;

    private readonly ReadOnlySpan<byte> _body;

    private OplockBreakAcknowledgment(ReadOnlySpan<byte> body) => _body = body;

    /// <summary>"The client will set this field to SMB2_OPLOCK_LEVEL_II ... or SMB2_OPLOCK_LEVEL_NONE".</summary>
    public byte OplockLevel => _body[OplockBreakBody.OffOplockLevel];
    public FileId FileId => FileId.Read(_body[OplockBreakBody.OffFileId..]);

    /// <summary>False for a 36-byte lease break acknowledgment; try <see cref="LeaseBreakAcknowledgment.TryParse"/> then.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out OplockBreakAcknowledgment value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new OplockBreakAcknowledgment(body);
        return true;
    }

    /// <summary>Client side; returns 24.</summary>
    public static int Write(Span<byte> body, byte oplockLevel, FileId fileId) => OplockBreakBody.Write(body, oplockLevel, fileId);
}

/// <summary>[MS-SMB2] 2.2.25.1 Oplock Break Response (server → client, answers the acknowledgment).</summary>
public readonly ref struct OplockBreakResponse
{
    /// <summary>"The server MUST set this to 24, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = OplockBreakBody.StructureSize;
    public const int Size = OplockBreakBody.Size;

    private readonly ReadOnlySpan<byte> _body;

    private OplockBreakResponse(ReadOnlySpan<byte> body) => _body = body;

    /// <summary>"The server will set this field to SMB2_OPLOCK_LEVEL_II ... or SMB2_OPLOCK_LEVEL_NONE": the level granted.</summary>
    public byte OplockLevel => _body[OplockBreakBody.OffOplockLevel];
    public FileId FileId => FileId.Read(_body[OplockBreakBody.OffFileId..]);

    public static bool TryParse(ReadOnlySpan<byte> message, out OplockBreakResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new OplockBreakResponse(body);
        return true;
    }

    /// <summary>Returns 24.</summary>
    public static int Write(Span<byte> body, byte oplockLevel, FileId fileId) => OplockBreakBody.Write(body, oplockLevel, fileId);
}

/// <summary>[MS-SMB2] 2.2.23.2 Lease Break Notification (server → client, command OPLOCK_BREAK, StructureSize 44).</summary>
public readonly ref struct LeaseBreakNotification
{
    /// <summary>"The server MUST set this to 44, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 44;
    public const int Size = 44;
    /// <summary>SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED: "A Lease Break Acknowledgment is required."</summary>
    public const uint FlagAckRequired = 0x00000001;

    private const int OffNewEpoch = 2, OffFlags = 4, OffLeaseKey = 8, OffCurrentLeaseState = 24, OffNewLeaseState = 28,
        OffBreakReason = 32, OffAccessMaskHint = 36, OffShareMaskHint = 40;

    private readonly ReadOnlySpan<byte> _body;

    private LeaseBreakNotification(ReadOnlySpan<byte> body) => _body = body;

    /// <summary>SMB 3.x: the lease epoch; "Otherwise, the server MUST set this field to 0."</summary>
    public ushort NewEpoch => U16(_body, OffNewEpoch);
    public uint Flags => U32(_body, OffFlags);
    public bool AckRequired => (Flags & FlagAckRequired) != 0;
    public ReadOnlySpan<byte> LeaseKey => _body.Slice(OffLeaseKey, 16);
    public uint CurrentLeaseState => U32(_body, OffCurrentLeaseState);
    public uint NewLeaseState => U32(_body, OffNewLeaseState);

    public static bool TryParse(ReadOnlySpan<byte> message, out LeaseBreakNotification value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new LeaseBreakNotification(body);
        return true;
    }

    /// <summary>Returns 44. BreakReason, AccessMaskHint and ShareMaskHint: "This field MUST NOT be used and MUST be reserved. The server MUST set this to 0".</summary>
    public static int Write(Span<byte> body, ushort newEpoch, uint flags, ReadOnlySpan<byte> leaseKey, uint currentLeaseState,
        uint newLeaseState)
    {
        if (leaseKey.Length != 16) throw new ArgumentException("A lease key is 16 bytes.", nameof(leaseKey));
        W16(body, 0, StructureSize);
        W16(body, OffNewEpoch, newEpoch);
        W32(body, OffFlags, flags);
        leaseKey.CopyTo(body[OffLeaseKey..]);
        W32(body, OffCurrentLeaseState, currentLeaseState);
        W32(body, OffNewLeaseState, newLeaseState);
        W32(body, OffBreakReason, 0u);
        W32(body, OffAccessMaskHint, 0u);
        W32(body, OffShareMaskHint, 0u);
        return Size;
    }
}

/// <summary>[MS-SMB2] 2.2.24.2 Lease Break Acknowledgment (client → server, command OPLOCK_BREAK, StructureSize 36).</summary>
public readonly ref struct LeaseBreakAcknowledgment
{
    /// <summary>"The client MUST set this to 36, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = LeaseBreakAckBody.StructureSize;
    public const int Size = LeaseBreakAckBody.Size;

    private readonly ReadOnlySpan<byte> _body;

    private LeaseBreakAcknowledgment(ReadOnlySpan<byte> body) => _body = body;

    public uint Flags => U32(_body, LeaseBreakAckBody.OffFlags);
    public ReadOnlySpan<byte> LeaseKey => _body.Slice(LeaseBreakAckBody.OffLeaseKey, 16);
    /// <summary>"The requested lease state. This field MUST be constructed using the following values" (<see cref="Commands.LeaseState"/>).</summary>
    public uint LeaseState => U32(_body, LeaseBreakAckBody.OffLeaseState);
    public ulong LeaseDuration => U64(_body, LeaseBreakAckBody.OffLeaseDuration);

    public static bool TryParse(ReadOnlySpan<byte> message, out LeaseBreakAcknowledgment value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new LeaseBreakAcknowledgment(body);
        return true;
    }

    /// <summary>Client side; returns 36.</summary>
    public static int Write(Span<byte> body, ReadOnlySpan<byte> leaseKey, uint leaseState) =>
        LeaseBreakAckBody.Write(body, leaseKey, leaseState);
}

/// <summary>[MS-SMB2] 2.2.25.2 Lease Break Response (server → client, StructureSize 36).</summary>
public readonly ref struct LeaseBreakResponse
{
    /// <summary>"The server MUST set this to 36, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = LeaseBreakAckBody.StructureSize;
    public const int Size = LeaseBreakAckBody.Size;

    private readonly ReadOnlySpan<byte> _body;

    private LeaseBreakResponse(ReadOnlySpan<byte> body) => _body = body;

    public uint Flags => U32(_body, LeaseBreakAckBody.OffFlags);
    public ReadOnlySpan<byte> LeaseKey => _body.Slice(LeaseBreakAckBody.OffLeaseKey, 16);
    public uint LeaseState => U32(_body, LeaseBreakAckBody.OffLeaseState);
    public ulong LeaseDuration => U64(_body, LeaseBreakAckBody.OffLeaseDuration);

    public static bool TryParse(ReadOnlySpan<byte> message, out LeaseBreakResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new LeaseBreakResponse(body);
        return true;
    }

    /// <summary>Returns 36.</summary>
    public static int Write(Span<byte> body, ReadOnlySpan<byte> leaseKey, uint leaseState) =>
        LeaseBreakAckBody.Write(body, leaseKey, leaseState);
}
