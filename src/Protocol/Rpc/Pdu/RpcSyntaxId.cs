using System.Buffers.Binary;

namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>
/// [C706] 12.6.3.1 p_syntax_id_t: an interface or transfer syntax UUID and its version, 20 bytes on the wire
/// (UUID in the NDR/little-endian GUID layout, then the major version in the low 16 bits of if_version).
/// </summary>
public readonly record struct RpcSyntaxId(Guid Uuid, ushort MajorVersion, ushort MinorVersion)
{
    public const int Size = 20;

    /// <summary>NDR 2.0, [C706] 14 and [MS-RPCE] 2.2.5.</summary>
    public static readonly RpcSyntaxId Ndr = new(new Guid("8a885d04-1ceb-11c9-9fe8-08002b104860"), 2, 0);

    /// <summary>NDR64 1.0, [MS-RPCE] 2.2.5.1; this server rejects it (only NDR is implemented).</summary>
    public static readonly RpcSyntaxId Ndr64 = new(new Guid("71710533-beba-4937-8319-b5dbef9ccc36"), 1, 0);

    /// <summary>Read from 20 bytes; the caller has checked the length.</summary>
    public static RpcSyntaxId Read(ReadOnlySpan<byte> b) =>
        new(new Guid(b[..16]), BinaryPrimitives.ReadUInt16LittleEndian(b[16..]), BinaryPrimitives.ReadUInt16LittleEndian(b[18..]));

    public void Write(Span<byte> dest)
    {
        Uuid.TryWriteBytes(dest[..16]);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[16..], MajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[18..], MinorVersion);
    }

    /// <summary>
    /// [MS-RPCE] 3.3.1.5.3 bind time feature negotiation: a transfer syntax whose UUID starts with
    /// 6cb71c2c-9812-4540 carries the client's feature bitmask in the next two bytes (little-endian).
    /// </summary>
    public bool IsBindTimeFeatureNegotiation(out RpcBindTimeFeatures features)
    {
        Span<byte> b = stackalloc byte[16];
        Uuid.TryWriteBytes(b);
        features = RpcBindTimeFeatures.None;
        if (!b[..8].SequenceEqual(BindTimeFeaturePrefix)) return false;
        if (b[10..].IndexOfAnyExcept((byte)0) >= 0) return false;
        features = (RpcBindTimeFeatures)BinaryPrimitives.ReadUInt16LittleEndian(b[8..]);
        return true;
    }

    private static ReadOnlySpan<byte> BindTimeFeaturePrefix => [0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45];

    public override string ToString() => $"{Uuid} v{MajorVersion}.{MinorVersion}";
}

/// <summary>[MS-RPCE] 2.2.2.14 BindTimeFeatureNegotiationBitmask.</summary>
[Flags]
public enum RpcBindTimeFeatures : ushort
{
    None = 0,
    SecurityContextMultiplexing = 0x0001,
    KeepConnectionOnOrphan = 0x0002,
}
