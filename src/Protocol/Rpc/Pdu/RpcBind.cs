using System.Buffers.Binary;

namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>
/// [C706] 12.6.4.3 bind and 12.6.4.1 alter_context PDU bodies (identical layout): max_xmit_frag,
/// max_recv_frag, assoc_group_id, then the p_cont_list_t of presentation contexts. [MS-RPCE] 2.2.2.13 adds
/// nothing to the layout; an auth verifier, if any, follows and is reported by the header's auth_length.
/// </summary>
public readonly ref struct RpcBind
{
    private const int OffMaxXmit = 0, OffMaxRecv = 2, OffAssocGroup = 4, OffContextCount = 8, OffContexts = 12;

    private readonly ReadOnlySpan<byte> _body;
    private RpcBind(RpcPduHeader header, ReadOnlySpan<byte> body) { Header = header; _body = body; }

    public RpcPduHeader Header { get; }
    public ushort MaxXmitFrag => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffMaxXmit..]);
    public ushort MaxRecvFrag => BinaryPrimitives.ReadUInt16LittleEndian(_body[OffMaxRecv..]);
    public uint AssocGroupId => BinaryPrimitives.ReadUInt32LittleEndian(_body[OffAssocGroup..]);
    public int ContextCount => _body[OffContextCount];

    /// <summary>The presentation contexts, in the order the client listed them (results must keep it).</summary>
    public RpcContextEnumerator Contexts => new(_body[OffContexts..], ContextCount);

    /// <summary>Parses a whole bind or alter_context fragment; every context element must fit.</summary>
    public static bool TryParse(ReadOnlySpan<byte> fragment, out RpcBind bind)
    {
        bind = default;
        if (!RpcPduHeader.TryParse(fragment, out var header)) return false;
        if (header.Type is not (RpcPacketType.Bind or RpcPacketType.AlterContext)) return false;
        var body = header.Body;
        if (body.Length < OffContexts) return false;
        int count = body[OffContextCount];
        int at = OffContexts;
        for (int i = 0; i < count; i++)
        {
            if (body.Length - at < RpcContextElement.FixedSize) return false;
            int n = body[at + 2];
            if (n == 0) return false; // [C706] 12.6.3.1: n_transfer_syn is at least 1
            int size = RpcContextElement.FixedSize + n * RpcSyntaxId.Size;
            if (body.Length - at < size) return false;
            at += size;
        }
        bind = new RpcBind(header, body);
        return true;
    }

    /// <summary>Bytes a bind/alter_context with these contexts takes (no auth verifier).</summary>
    public static int GetSize(ReadOnlySpan<RpcContextRequest> contexts)
    {
        int size = RpcPduHeader.Size + OffContexts;
        foreach (var c in contexts) size += RpcContextElement.FixedSize + c.TransferSyntaxes.Length * RpcSyntaxId.Size;
        return size;
    }

    /// <summary>Writes a whole bind (or alter_context) PDU; returns its length. Used by the client and tests.</summary>
    public static int Write(Span<byte> dest, RpcPacketType type, uint callId, ushort maxXmitFrag, ushort maxRecvFrag,
        uint assocGroupId, ReadOnlySpan<RpcContextRequest> contexts)
    {
        int size = GetSize(contexts);
        RpcPduHeader.Write(dest, type, RpcPfcFlags.FirstFrag | RpcPfcFlags.LastFrag, (ushort)size, callId);
        var body = dest[RpcPduHeader.Size..size];
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffMaxXmit..], maxXmitFrag);
        BinaryPrimitives.WriteUInt16LittleEndian(body[OffMaxRecv..], maxRecvFrag);
        BinaryPrimitives.WriteUInt32LittleEndian(body[OffAssocGroup..], assocGroupId);
        body[OffContextCount..OffContexts].Clear();
        body[OffContextCount] = (byte)contexts.Length;
        int at = OffContexts;
        foreach (var c in contexts)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(body[at..], c.ContextId);
            body[at + 2] = (byte)c.TransferSyntaxes.Length;
            body[at + 3] = 0;
            c.AbstractSyntax.Write(body[(at + 4)..]);
            at += RpcContextElement.FixedSize;
            foreach (var ts in c.TransferSyntaxes) { ts.Write(body[at..]); at += RpcSyntaxId.Size; }
        }
        return size;
    }
}

/// <summary>A presentation context a client proposes, for <see cref="RpcBind.Write"/>.</summary>
public sealed record RpcContextRequest(ushort ContextId, RpcSyntaxId AbstractSyntax, RpcSyntaxId[] TransferSyntaxes);

/// <summary>[C706] 12.6.3.1 p_cont_elem_t: context id, abstract syntax and the proposed transfer syntaxes.</summary>
public readonly ref struct RpcContextElement
{
    /// <summary>p_cont_id (2), n_transfer_syn (1), reserved (1), abstract_syntax (20).</summary>
    public const int FixedSize = 24;

    private readonly ReadOnlySpan<byte> _b;
    internal RpcContextElement(ReadOnlySpan<byte> b) => _b = b;

    public ushort ContextId => BinaryPrimitives.ReadUInt16LittleEndian(_b);
    public int TransferSyntaxCount => _b[2];
    public RpcSyntaxId AbstractSyntax => RpcSyntaxId.Read(_b[4..]);
    public RpcSyntaxId TransferSyntax(int index) => RpcSyntaxId.Read(_b[(FixedSize + index * RpcSyntaxId.Size)..]);
    internal int Size => FixedSize + TransferSyntaxCount * RpcSyntaxId.Size;
}

/// <summary>Walks the p_cont_elem_t list that <see cref="RpcBind.TryParse"/> has already bounds-checked.</summary>
public ref struct RpcContextEnumerator
{
    private ReadOnlySpan<byte> _rest;
    private int _left;

    internal RpcContextEnumerator(ReadOnlySpan<byte> list, int count) { _rest = list; _left = count; Current = default; }

    public RpcContextElement Current { get; private set; }
    public readonly RpcContextEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_left == 0) return false;
        Current = new RpcContextElement(_rest);
        _rest = _rest[Current.Size..];
        _left--;
        return true;
    }
}
