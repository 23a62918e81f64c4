using System.Buffers.Binary;

namespace FastSmb.Protocol.Smb2;

/// <summary>
/// [MS-SMB2] 2.2.1 SMB2 Packet Header (sync 2.2.1.2 and async 2.2.1.1 forms), a view over the first
/// 64 bytes of a message. Fields are read on demand at their spec offsets.
/// </summary>
public readonly ref struct Smb2Header
{
    public const int Size = 64;
    public const uint ProtocolIdValue = 0x424D53FE; // 0xFE 'S' 'M' 'B' read little-endian
    public const int SignatureOffset = 48;
    public const int SignatureSize = 16;

    private const int OffProtocolId = 0, OffStructureSize = 4, OffCreditCharge = 6, OffStatus = 8,
        OffCommand = 12, OffCredit = 14, OffFlags = 16, OffNextCommand = 20, OffMessageId = 24,
        OffAsyncId = 32, OffProcessId = 32, OffTreeId = 36, OffSessionId = 40;

    private readonly ReadOnlySpan<byte> _b;

    private Smb2Header(ReadOnlySpan<byte> bytes) => _b = bytes;

    /// <summary>The message this header starts (header and body).</summary>
    public ReadOnlySpan<byte> Message => _b;

    public ushort CreditCharge => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCreditCharge..]);
    /// <summary>In a request from a 3.x client this is ChannelSequence (2 bytes) + Reserved.</summary>
    public NtStatus Status => (NtStatus)BinaryPrimitives.ReadUInt32LittleEndian(_b[OffStatus..]);
    public ushort ChannelSequence => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffStatus..]);
    public Smb2Command Command => (Smb2Command)BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCommand..]);
    public ushort CreditRequest => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffCredit..]);
    public Smb2HeaderFlags Flags => (Smb2HeaderFlags)BinaryPrimitives.ReadUInt32LittleEndian(_b[OffFlags..]);
    public uint NextCommand => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffNextCommand..]);
    public ulong MessageId => BinaryPrimitives.ReadUInt64LittleEndian(_b[OffMessageId..]);
    public bool IsAsync => (Flags & Smb2HeaderFlags.AsyncCommand) != 0;
    public ulong AsyncId => BinaryPrimitives.ReadUInt64LittleEndian(_b[OffAsyncId..]);
    public uint ProcessId => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffProcessId..]);
    public uint TreeId => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffTreeId..]);
    public ulong SessionId => BinaryPrimitives.ReadUInt64LittleEndian(_b[OffSessionId..]);
    public ReadOnlySpan<byte> Signature => _b.Slice(SignatureOffset, SignatureSize);
    public bool IsSigned => (Flags & Smb2HeaderFlags.Signed) != 0;

    /// <summary>The body that follows the header, up to the end of the message.</summary>
    public ReadOnlySpan<byte> Body => _b[Size..];

    /// <summary>
    /// Accepts bytes that start with a well-formed SMB2 header: ProtocolId 0xFE 'SMB' and StructureSize 64
    /// ([MS-SMB2] 2.2.1: "StructureSize ... MUST be set to 64").
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out Smb2Header header)
    {
        header = default;
        if (message.Length < Size) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(message) != ProtocolIdValue) return false;
        if (BinaryPrimitives.ReadUInt16LittleEndian(message[OffStructureSize..]) != Size) return false;
        header = new Smb2Header(message);
        return true;
    }

    /// <summary>Writes a response header. <paramref name="asyncId"/> non-zero selects the async form.</summary>
    public static void WriteResponse(Span<byte> dest, Smb2Command command, NtStatus status, ushort creditCharge,
        ushort creditGrant, Smb2HeaderFlags flags, ulong messageId, uint treeId, ulong sessionId, ulong asyncId = 0,
        uint processId = 0)
    {
        dest[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(dest, ProtocolIdValue);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffStructureSize..], Size);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCreditCharge..], creditCharge);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffStatus..], (uint)status);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCommand..], (ushort)command);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCredit..], creditGrant);
        flags |= Smb2HeaderFlags.ServerToRedir;
        if (asyncId != 0) flags |= Smb2HeaderFlags.AsyncCommand;
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffFlags..], (uint)flags);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[OffMessageId..], messageId);
        if (asyncId != 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(dest[OffAsyncId..], asyncId);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[OffProcessId..], processId);
            BinaryPrimitives.WriteUInt32LittleEndian(dest[OffTreeId..], treeId);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(dest[OffSessionId..], sessionId);
    }

    /// <summary>Writes a request header (client side); <paramref name="asyncId"/> for CANCEL of an async request.</summary>
    public static void WriteRequest(Span<byte> dest, Smb2Command command, ushort creditCharge, ushort creditRequest,
        Smb2HeaderFlags flags, ulong messageId, uint treeId, ulong sessionId, ushort channelSequence = 0, uint processId = 0xFEFF)
    {
        dest[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(dest, ProtocolIdValue);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffStructureSize..], Size);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCreditCharge..], creditCharge);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffStatus..], channelSequence);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCommand..], (ushort)command);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffCredit..], creditRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffFlags..], (uint)flags);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[OffMessageId..], messageId);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffProcessId..], processId);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffTreeId..], treeId);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[OffSessionId..], sessionId);
    }

    public static void SetFlags(Span<byte> message, Smb2HeaderFlags flags) =>
        BinaryPrimitives.WriteUInt32LittleEndian(message[OffFlags..], (uint)flags);
    public static Smb2HeaderFlags GetFlags(ReadOnlySpan<byte> message) =>
        (Smb2HeaderFlags)BinaryPrimitives.ReadUInt32LittleEndian(message[OffFlags..]);
    public static void SetNextCommand(Span<byte> message, uint next) =>
        BinaryPrimitives.WriteUInt32LittleEndian(message[OffNextCommand..], next);
    public static void SetStatus(Span<byte> message, NtStatus status) =>
        BinaryPrimitives.WriteUInt32LittleEndian(message[OffStatus..], (uint)status);
    public static void SetCredit(Span<byte> message, ushort credits) =>
        BinaryPrimitives.WriteUInt16LittleEndian(message[OffCredit..], credits);
    public static void SetSessionId(Span<byte> message, ulong sessionId) =>
        BinaryPrimitives.WriteUInt64LittleEndian(message[OffSessionId..], sessionId);
}
