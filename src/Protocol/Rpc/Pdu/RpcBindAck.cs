using System.Buffers.Binary;
using System.Text;

namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>[C706] 12.6.3.1 p_cont_def_result_t with [MS-RPCE] 2.2.2.4 negotiate_ack (3).</summary>
public enum RpcContextResultCode : ushort
{
    Acceptance = 0,
    UserRejection = 1,
    ProviderRejection = 2,
    /// <summary>[MS-RPCE] 2.2.2.4: answer to a bind time feature negotiation context; the reason field holds the accepted bits.</summary>
    NegotiateAck = 3,
}

/// <summary>[C706] 12.6.3.1 p_provider_reason_t.</summary>
public enum RpcProviderReason : ushort
{
    ReasonNotSpecified = 0,
    AbstractSyntaxNotSupported = 1,
    ProposedTransferSyntaxesNotSupported = 2,
    LocalLimitExceeded = 3,
}

/// <summary>One p_result_t: a result, a reason (or feature bits for negotiate_ack) and the chosen transfer syntax.</summary>
public readonly record struct RpcContextResult(RpcContextResultCode Result, ushort Reason, RpcSyntaxId TransferSyntax)
{
    public const int Size = 24;

    public static RpcContextResult Accept(RpcSyntaxId transferSyntax) => new(RpcContextResultCode.Acceptance, 0, transferSyntax);

    public static RpcContextResult Reject(RpcProviderReason reason) =>
        new(RpcContextResultCode.ProviderRejection, (ushort)reason, default);

    public static RpcContextResult FeatureAck(RpcBindTimeFeatures accepted) =>
        new(RpcContextResultCode.NegotiateAck, (ushort)accepted, default);
}

/// <summary>
/// [C706] 12.6.4.4 bind_ack and 12.6.4.2 alter_context_resp bodies (identical layout): max_xmit_frag,
/// max_recv_frag, assoc_group_id, port_any_t secondary address (length, bytes with the NUL, then padding to a
/// 4-byte boundary of the PDU), p_result_list_t.
/// </summary>
public readonly ref struct RpcBindAck
{
    private const int OffMaxXmit = 0, OffMaxRecv = 2, OffAssocGroup = 4, OffSecAddrLength = 8, OffSecAddr = 10;

    private readonly ReadOnlySpan<byte> _body;
    private readonly int _resultsAt;
    private RpcBindAck(RpcPduHeader header, ReadOnlySpan<byte> body, int resultsAt) { Header = header; _body = body; _resultsAt = resultsAt; }

    public RpcPduHeader Header { get; }
    public ushort MaxXmitFrag => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffMaxXmit..]);
    public ushort MaxRecvFrag => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffMaxRecv..]);
    public uint AssocGroupId => BinaryPrimitives.ReadUInt32LittleEndian(_body[OffAssocGroup..]);

    /// <summary>The secondary address without its terminating NUL (e.g. "\PIPE\srvsvc"; empty in alter_context_resp).</summary>
    public string SecondaryAddress
    {
        get
        {
            var a = _body.Slice(OffSecAddr, BinaryPrimitives.ReadUInt16LittleEndian(_body[OffSecAddrLength..]));
            int nul = a.IndexOf((byte)0);
            return Encoding.ASCII.GetString(nul >= 0 ? a[..nul] : a);
        }
    }

    public int ResultCount => _body[_resultsAt];

    public RpcContextResult Result(int index)
    {
        var r = _body[(_resultsAt + 4 + index * RpcContextResult.Size)..];
        return new((RpcContextResultCode)BinaryPrimitives.ReadUInt16LittleEndian(r),
            BinaryPrimitives.ReadUInt16LittleEndian(r[2..]), RpcSyntaxId.Read(r[4..]));
    }

    public static bool TryParse(ReadOnlySpan<byte> fragment, out RpcBindAck ack)
    {
        ack = default;
        if (!RpcPduHeader.TryParse(fragment, out var header)) return false;
        if (header.Type is not (RpcPacketType.BindAck or RpcPacketType.AlterContextResponse)) return false;
        var body = header.Body;
        if (body.Length < OffSecAddr) return false;
        int resultsAt = ResultsOffset(BinaryPrimitives.ReadUInt16LittleEndian(body[OffSecAddrLength..]));
        if (body.Length < resultsAt + 4) return false;
        if (body.Length < resultsAt + 4 + body[resultsAt] * RpcContextResult.Size) return false;
        ack = new RpcBindAck(header, body, resultsAt);
        return true;
    }

    /// <summary>
    /// Where p_result_list starts: after the secondary address, padded so that the PDU offset (body + 16, a
    /// multiple of 4) is 4-aligned ([C706] 12.6.4.4 "pad: restore 4-octet alignment").
    /// </summary>
    private static int ResultsOffset(int secAddrLength) => (OffSecAddr + secAddrLength + 3) & ~3;

    public static int GetSize(string secondaryAddress, int resultCount) =>
        RpcPduHeader.Size + ResultsOffset(SecAddrBytes(secondaryAddress)) + 4 + resultCount * RpcContextResult.Size;

    private static int SecAddrBytes(string secondaryAddress) => secondaryAddress.Length == 0 ? 0 : secondaryAddress.Length + 1;

    /// <summary>
    /// Writes a bind_ack or alter_context_resp; returns its length. An empty secondary address is sent with
    /// length 0, as Windows and Samba do in alter_context_resp.
    /// </summary>
    public static int Write(Span<byte> dest, RpcPacketType type, uint callId, ushort maxXmitFrag, ushort maxRecvFrag,
        uint assocGroupId, string secondaryAddress, ReadOnlySpan<RpcContextResult> results)
    {
        int size = GetSize(secondaryAddress, results.Length);
        dest[..size].Clear();
        RpcPduHeader.Write(dest, type, RpcPfcFlags.FirstFrag | RpcPfcFlags.LastFrag, (ushort)size, callId);
        var body = dest[RpcPduHeader.Size..size];
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffMaxXmit..], maxXmitFrag);
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffMaxRecv..], maxRecvFrag);
        BinaryPrimitives.WriteUInt32LittleEndian(body[OffAssocGroup..], assocGroupId);
        int addrLen = SecAddrBytes(secondaryAddress);
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffSecAddrLength..], (ushort)addrLen);
        Encoding.ASCII.GetBytes(secondaryAddress, body[OffSecAddr..]);
        int at = ResultsOffset(addrLen);
        body[at] = (byte)results.Length;
        at += 4;
        foreach (var r in results)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(body[at..], (ushort)r.Result);
            BinaryPrimitives.WriteUInt16LittleEndian(body[(at + 2)..], r.Reason);
            r.TransferSyntax.Write(body[(at + 4)..]);
            at += RpcContextResult.Size;
        }
        return size;
    }
}
