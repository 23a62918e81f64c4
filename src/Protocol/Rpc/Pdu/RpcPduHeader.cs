using System.Buffers.Binary;

namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>
/// [C706] 12.6.3.1 common fields of every connection-oriented PDU (16 bytes): version 5.0, type, pfc_flags,
/// packed data representation, frag_length, auth_length, call_id. Only little-endian / ASCII / IEEE data
/// representation (drep 0x10 0 0 0) is accepted: [MS-RPCE] 3.3.3.5.1 lets a server require it and every
/// Windows, Samba and impacket client sends it.
/// </summary>
public readonly ref struct RpcPduHeader
{
    public const int Size = 16;
    public const byte VersionMajor = 5;
    public const byte DrepLittleEndian = 0x10;

    private const int OffVersion = 0, OffVersionMinor = 1, OffType = 2, OffFlags = 3, OffDrep = 4, OffFragLength = 8,
        OffAuthLength = 10, OffCallId = 12;

    private readonly ReadOnlySpan<byte> _b;
    private RpcPduHeader(ReadOnlySpan<byte> b) => _b = b;

    public byte VersionMinor => _b[OffVersionMinor];
    public RpcPacketType Type => (RpcPacketType)_b[OffType];
    public RpcPfcFlags Flags => (RpcPfcFlags)_b[OffFlags];
    public ushort FragLength => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffFragLength..]);
    public ushort AuthLength => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffAuthLength..]);
    public uint CallId => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffCallId..]);
    public bool IsFirstFragment => (Flags & RpcPfcFlags.FirstFrag) != 0;
    public bool IsLastFragment => (Flags & RpcPfcFlags.LastFrag) != 0;

    /// <summary>The whole fragment (frag_length bytes), header included.</summary>
    public ReadOnlySpan<byte> Fragment => _b;

    /// <summary>
    /// The PDU body between the header and the auth verifier. [C706] 13.2.6.1: the verifier is the last
    /// auth_length bytes plus an 8-byte sec_trailer; with auth_length 0 the body runs to frag_length.
    /// </summary>
    public ReadOnlySpan<byte> Body => AuthLength == 0 ? _b[Size..] : _b[Size..Math.Max(Size, _b.Length - AuthLength - 8)];

    /// <summary>
    /// Reads the fragment length from the first bytes of a stream, so a caller can frame PDUs before parsing.
    /// False with fewer than 10 bytes.
    /// </summary>
    public static bool TryPeekFragLength(ReadOnlySpan<byte> data, out ushort fragLength)
    {
        fragLength = 0;
        if (data.Length < OffFragLength + 2) return false;
        fragLength = BinaryPrimitives.ReadUInt16LittleEndian(data[OffFragLength..]);
        return true;
    }

    /// <summary>
    /// Accepts one whole fragment: version 5.0/5.1, little-endian drep, frag_length equal to the input length
    /// (callers frame first), and an auth verifier that fits.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> fragment, out RpcPduHeader header)
    {
        header = default;
        if (fragment.Length < Size) return false;
        if (fragment[OffVersion] != VersionMajor || fragment[OffVersionMinor] > 1) return false;
        if ((fragment[OffDrep] & 0xF0) != DrepLittleEndian) return false;
        ushort fragLength = BinaryPrimitives.ReadUInt16LittleEndian(fragment[OffFragLength..]);
        if (fragLength != fragment.Length) return false;
        ushort authLength = BinaryPrimitives.ReadUInt16LittleEndian(fragment[OffAuthLength..]);
        if (authLength != 0 && Size + 8 + authLength > fragLength) return false;
        header = new RpcPduHeader(fragment);
        return true;
    }

    /// <summary>Writes a header with auth_length 0.</summary>
    public static void Write(Span<byte> dest, RpcPacketType type, RpcPfcFlags flags, ushort fragLength, uint callId)
    {
        dest[OffVersion] = VersionMajor;
        dest[OffVersionMinor] = 0;
        dest[OffType] = (byte)type;
        dest[OffFlags] = (byte)flags;
        dest[OffDrep] = DrepLittleEndian;
        dest[OffDrep + 1] = 0;
        dest[OffDrep + 2] = 0;
        dest[OffDrep + 3] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffFragLength..], fragLength);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffAuthLength..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffCallId..], callId);
    }
}
