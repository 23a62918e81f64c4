using System.Buffers.Binary;

namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>[C706] appendix E and [MS-RPCE] 2.2.2.11 fault status codes this server sends.</summary>
public static class RpcFaultStatus
{
    /// <summary>nca_s_op_rng_error: the opnum is out of range for the interface.</summary>
    public const uint OpRangeError = 0x1C010002;
    /// <summary>nca_s_unknown_if: the presentation context is not one the association negotiated.</summary>
    public const uint UnknownInterface = 0x1C010003;
    /// <summary>nca_s_proto_error: a PDU that breaks the connection-oriented protocol.</summary>
    public const uint ProtocolError = 0x1C01000B;
    /// <summary>nca_s_fault_ndr ([MS-RPCE] 2.2.2.11: 0x000006F7, RPC_X_BAD_STUB_DATA): stub data did not unmarshal.</summary>
    public const uint BadStubData = 0x000006F7;
    /// <summary>nca_s_fault_access_denied.</summary>
    public const uint AccessDenied = 0x00000005;
    /// <summary>RPC_S_CALL_FAILED (1726): the server routine failed for its own reasons (Windows sends Win32 codes here too).</summary>
    public const uint CallFailed = 0x000006BE;
}

/// <summary>
/// [C706] 12.6.4.7 fault PDU: alloc_hint, p_cont_id, cancel_count, reserved, status, reserved (4). Flags carry
/// PFC_DID_NOT_EXECUTE when the call was never dispatched to the server routine.
/// </summary>
public readonly ref struct RpcFault
{
    public const int Size = RpcPduHeader.Size + 16;
    private const int OffAllocHint = 0, OffContextId = 4, OffCancelCount = 6, OffStatus = 8;

    private readonly ReadOnlySpan<byte> _body;
    private RpcFault(RpcPduHeader header, ReadOnlySpan<byte> body) { Header = header; _body = body; }

    public RpcPduHeader Header { get; }
    public uint AllocHint => BinaryPrimitives.ReadUInt32LittleEndian(_body[OffAllocHint..]);
    public ushort ContextId => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffContextId..]);
    public uint Status => BinaryPrimitives.ReadUInt32LittleEndian(_body[OffStatus..]);
    public bool DidNotExecute => (Header.Flags & RpcPfcFlags.DidNotExecute) != 0;

    public static bool TryParse(ReadOnlySpan<byte> fragment, out RpcFault fault)
    {
        fault = default;
        if (!RpcPduHeader.TryParse(fragment, out var header) || header.Type != RpcPacketType.Fault) return false;
        if (header.Body.Length < OffStatus + 4) return false;
        fault = new RpcFault(header, header.Body);
        return true;
    }

    /// <summary>
    /// Writes a fault. alloc_hint is 0 ([C706]: the hint is optional); Samba sends 24 there, which clients ignore.
    /// </summary>
    public static int Write(Span<byte> dest, uint callId, ushort contextId, uint status, bool didNotExecute)
    {
        dest[..Size].Clear();
        var flags = RpcPfcFlags.FirstFrag | RpcPfcFlags.LastFrag | (didNotExecute ? RpcPfcFlags.DidNotExecute : 0);
        RpcPduHeader.Write(dest, RpcPacketType.Fault, flags, Size, callId);
        var body = dest[RpcPduHeader.Size..];
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffContextId..], contextId);
        BinaryPrimitives.WriteUInt32LittleEndian(body[OffStatus..], status);
        return Size;
    }
}
