using System.Buffers.Binary;

namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>[C706] 12.6.3.1 p_reject_reason_t, with [MS-RPCE] 2.2.2.5 values 8 and 9.</summary>
public enum RpcRejectReason : ushort
{
    ReasonNotSpecified = 0,
    TemporaryCongestion = 1,
    LocalLimitExceeded = 2,
    CalledPaddrUnknown = 3,
    ProtocolVersionNotSupported = 4,
    DefaultContextNotSupported = 5,
    UserDataNotReadable = 6,
    NoPsapAvailable = 7,
    AuthenticationTypeNotRecognized = 8,
    InvalidChecksum = 9,
}

/// <summary>
/// [C706] 12.6.4.5 bind_nak body: provider_reject_reason and the supported protocol versions (this server:
/// one, 5.0). The optional [MS-RPCE] 2.2.2.9 signature/extended error is not sent.
/// </summary>
public readonly ref struct RpcBindNak
{
    /// <summary>Header, reason (2), n_protocols (1), one version (2), padding to a 4-byte multiple (3).</summary>
    public const int Size = RpcPduHeader.Size + 8;

    private readonly ReadOnlySpan<byte> _body;
    private RpcBindNak(RpcPduHeader header, ReadOnlySpan<byte> body) { Header = header; _body = body; }

    public RpcPduHeader Header { get; }
    public RpcRejectReason Reason => (RpcRejectReason)BinaryPrimitives.ReadUInt16LittleEndian(_body);
    public int VersionCount => _body[2];

    public static bool TryParse(ReadOnlySpan<byte> fragment, out RpcBindNak nak)
    {
        nak = default;
        if (!RpcPduHeader.TryParse(fragment, out var header) || header.Type != RpcPacketType.BindNak) return false;
        var body = header.Body;
        if (body.Length < 3 || body.Length < 3 + 2 * body[2]) return false;
        nak = new RpcBindNak(header, body);
        return true;
    }

    public static int Write(Span<byte> dest, uint callId, RpcRejectReason reason)
    {
        dest[..Size].Clear();
        RpcPduHeader.Write(dest, RpcPacketType.BindNak, RpcPfcFlags.FirstFrag | RpcPfcFlags.LastFrag, Size, callId);
        var body = dest[RpcPduHeader.Size..];
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)reason);
        body[2] = 1;
        body[3] = RpcPduHeader.VersionMajor;
        body[4] = 0;
        return Size;
    }
}
