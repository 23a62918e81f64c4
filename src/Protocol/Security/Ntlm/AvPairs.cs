using System.Buffers.Binary;
using System.Text;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>[MS-NLMP] 2.2.2.1 AV_PAIR AvId values.</summary>
public enum AvId : ushort
{
    MsvAvEOL = 0,
    MsvAvNbComputerName = 1,
    MsvAvNbDomainName = 2,
    MsvAvDnsComputerName = 3,
    MsvAvDnsDomainName = 4,
    MsvAvDnsTreeName = 5,
    MsvAvFlags = 6,
    MsvAvTimestamp = 7,
    MsvAvSingleHost = 8,
    MsvAvTargetName = 9,
    MsvAvChannelBindings = 10,
}

/// <summary>[MS-NLMP] 2.2.2.1 MsvAvFlags bits.</summary>
[Flags]
public enum AvFlags : uint
{
    None = 0,
    AccountAuthenticationConstrained = 0x1,
    /// <summary>"the client is providing message integrity in the MIC field".</summary>
    MicPresent = 0x2,
    UntrustedSpn = 0x4,
}

/// <summary>
/// Walks an AV_PAIR list (a CHALLENGE's TargetInfo, or the AvPairs of an NTLMv2_CLIENT_CHALLENGE).
/// <see cref="TryValidate"/> first; then <see cref="TryFind"/> looks a pair up.
/// </summary>
public static class AvPairs
{
    /// <summary>
    /// True when the list is a well-formed sequence of pairs ending with MsvAvEOL inside the buffer. Bytes after the
    /// EOL are ignored (NTLMv2 responses carry trailing zeros).
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> list)
    {
        int at = 0;
        while (true)
        {
            if (list.Length - at < 4) return false;
            var id = (AvId)BinaryPrimitives.ReadUInt16LittleEndian(list[at..]);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(list[(at + 2)..]);
            at += 4;
            if (list.Length - at < len) return false;
            if (id == AvId.MsvAvEOL) return true;
            at += len;
        }
    }

    /// <summary>The value of the first pair with <paramref name="id"/> before the EOL; false when absent or malformed.</summary>
    public static bool TryFind(ReadOnlySpan<byte> list, AvId id, out ReadOnlySpan<byte> value)
    {
        value = default;
        int at = 0;
        while (list.Length - at >= 4)
        {
            var cur = (AvId)BinaryPrimitives.ReadUInt16LittleEndian(list[at..]);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(list[(at + 2)..]);
            at += 4;
            if (cur == AvId.MsvAvEOL || list.Length - at < len) return false;
            if (cur == id) { value = list.Slice(at, len); return true; }
            at += len;
        }
        return false;
    }

    public static AvFlags GetFlags(ReadOnlySpan<byte> list) =>
        TryFind(list, AvId.MsvAvFlags, out var v) && v.Length >= 4
            ? (AvFlags)BinaryPrimitives.ReadUInt32LittleEndian(v) : AvFlags.None;
}

/// <summary>Builds an AV_PAIR list. Used at authentication time only, so it may allocate.</summary>
public sealed class AvPairWriter
{
    private readonly MemoryStream _s = new();

    public AvPairWriter Add(AvId id, ReadOnlySpan<byte> value)
    {
        Span<byte> h = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(h, (ushort)id);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], (ushort)value.Length);
        _s.Write(h);
        _s.Write(value);
        return this;
    }

    /// <summary>Names are UTF-16LE without terminator ([MS-NLMP] 2.2.2.1).</summary>
    public AvPairWriter Add(AvId id, string value) => Add(id, Encoding.Unicode.GetBytes(value));

    public AvPairWriter Add(AvId id, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        return Add(id, v);
    }

    public AvPairWriter AddTimestamp(long fileTime)
    {
        Span<byte> v = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(v, fileTime);
        return Add(AvId.MsvAvTimestamp, v);
    }

    /// <summary>Appends MsvAvEOL and returns the list.</summary>
    public byte[] ToArray()
    {
        Add(AvId.MsvAvEOL, ReadOnlySpan<byte>.Empty);
        return _s.ToArray();
    }
}
