using System.Buffers.Binary;

namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>
/// [C706] 12.6.4.9 request PDU: alloc_hint, p_cont_id, opnum, an object UUID when PFC_OBJECT_UUID is set,
/// then this fragment's part of the stub data.
/// </summary>
public readonly ref struct RpcRequest
{
    public const int FixedSize = RpcPduHeader.Size + 8;
    private const int OffAllocHint = 0, OffContextId = 4, OffOpnum = 6, OffObject = 8;

    private readonly ReadOnlySpan<byte> _body;
    private RpcRequest(RpcPduHeader header, ReadOnlySpan<byte> body) { Header = header; _body = body; }

    public RpcPduHeader Header { get; }
    public uint AllocHint => BinaryPrimitives.ReadUInt32LittleEndian(_body[OffAllocHint..]);
    public ushort ContextId => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffContextId..]);
    public ushort Opnum => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffOpnum..]);
    public bool HasObject => (Header.Flags & RpcPfcFlags.ObjectUuid) != 0;
    public Guid Object => HasObject ? new Guid(_body.Slice(OffObject, 16)) : Guid.Empty;
    public ReadOnlySpan<byte> StubData => _body[(HasObject ? OffObject + 16 : OffObject)..];

    public static bool TryParse(ReadOnlySpan<byte> fragment, out RpcRequest request)
    {
        request = default;
        if (!RpcPduHeader.TryParse(fragment, out var header) || header.Type != RpcPacketType.Request) return false;
        var body = header.Body;
        int need = (header.Flags & RpcPfcFlags.ObjectUuid) != 0 ? OffObject + 16 : OffObject;
        if (body.Length < need) return false;
        request = new RpcRequest(header, body);
        return true;
    }

    /// <summary>Writes one request fragment (no object UUID, no auth); returns its length.</summary>
    public static int Write(Span<byte> dest, RpcPfcFlags flags, uint callId, uint allocHint, ushort contextId, ushort opnum,
        ReadOnlySpan<byte> stub)
    {
        int size = FixedSize + stub.Length;
        RpcPduHeader.Write(dest, RpcPacketType.Request, flags & ~RpcPfcFlags.ObjectUuid, (ushort)size, callId);
        var body = dest[RpcPduHeader.Size..];
        BinaryPrimitives.WriteUInt32LittleEndian(body[OffAllocHint..], allocHint);
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffContextId..], contextId);
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffOpnum..], opnum);
        stub.CopyTo(body[OffObject..]);
        return size;
    }
}

/// <summary>
/// [C706] 12.6.4.10 response PDU: alloc_hint, p_cont_id, cancel_count, reserved, then this fragment's part
/// of the stub data.
/// </summary>
public readonly ref struct RpcResponse
{
    public const int FixedSize = RpcPduHeader.Size + 8;
    private const int OffAllocHint = 0, OffContextId = 4, OffCancelCount = 6, OffStub = 8;

    private readonly ReadOnlySpan<byte> _body;
    private RpcResponse(RpcPduHeader header, ReadOnlySpan<byte> body) { Header = header; _body = body; }

    public RpcPduHeader Header { get; }
    public uint AllocHint => BinaryPrimitives.ReadUInt32LittleEndian(_body[OffAllocHint..]);
    public ushort ContextId => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffContextId..]);
    public byte CancelCount => _body[OffCancelCount];
    public ReadOnlySpan<byte> StubData => _body[OffStub..];

    public static bool TryParse(ReadOnlySpan<byte> fragment, out RpcResponse response)
    {
        response = default;
        if (!RpcPduHeader.TryParse(fragment, out var header) || header.Type != RpcPacketType.Response) return false;
        if (header.Body.Length < OffStub) return false;
        response = new RpcResponse(header, header.Body);
        return true;
    }

    /// <summary>Writes one response fragment; returns its length.</summary>
    public static int Write(Span<byte> dest, RpcPfcFlags flags, uint callId, uint allocHint, ushort contextId,
        ReadOnlySpan<byte> stub)
    {
        int size = FixedSize + stub.Length;
        RpcPduHeader.Write(dest, RpcPacketType.Response, flags, (ushort)size, callId);
        var body = dest[RpcPduHeader.Size..];
        BinaryPrimitives.WriteUInt32LittleEndian(body[OffAllocHint..], allocHint);
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffContextId..], contextId);
        body[OffCancelCount] = 0;
        body[OffCancelCount + 1] = 0;
        stub.CopyTo(body[OffStub..]);
        return size;
    }
}
