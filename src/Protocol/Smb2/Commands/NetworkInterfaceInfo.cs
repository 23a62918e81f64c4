using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.32.5 NETWORK_INTERFACE_INFO Capability bits.</summary>
[Flags]
public enum NetworkInterfaceCapability : uint
{
    None = 0,
    /// <summary>RSS_CAPABLE: the interface supports receive-side scaling.</summary>
    Rss = 0x00000001,
    /// <summary>RDMA_CAPABLE: the interface supports RDMA (SMB Direct).</summary>
    Rdma = 0x00000002,
}

/// <summary>One interface address as FSCTL_QUERY_NETWORK_INTERFACE_INFO reports it.</summary>
/// <param name="IfIndex">The interface's index ("IfIndex": the same for every address of one interface).</param>
/// <param name="LinkSpeed">Bits per second.</param>
public readonly record struct NetworkInterfaceEntry(uint IfIndex, NetworkInterfaceCapability Capability, ulong LinkSpeed,
    IPAddress Address);

/// <summary>
/// [MS-SMB2] 2.2.32.5 NETWORK_INTERFACE_INFO Response: the output of FSCTL_QUERY_NETWORK_INTERFACE_INFO, a chain of
/// 152-byte entries, each "Next" bytes after the previous one (0 in the last). Each entry: Next(4) IfIndex(4)
/// Capability(4) Reserved(4) LinkSpeed(8) SockAddr_Storage(128), where SockAddr_Storage is
/// 2.2.32.5.1: Family(2) and a SOCKADDR_IN (Port(2)=0, IPv4Address(4), Reserved(8)=0) or SOCKADDR_IN6 (Port(2)=0,
/// FlowInfo(4)=0, IPv6Address(16), ScopeId(4)=0); the rest of the 128 bytes is zero. Stateless.
/// </summary>
public static class NetworkInterfaceInfo
{
    public const int EntrySize = 152;
    private const int OffNext = 0, OffIfIndex = 4, OffCapability = 8, OffLinkSpeed = 16, OffSockAddr = 24;
    private const ushort FamilyInet = 0x0002, FamilyInet6 = 0x0017;

    /// <summary>Bytes needed for <paramref name="count"/> entries.</summary>
    public static int SizeOf(int count) => count * EntrySize;

    /// <summary>Writes the chain; returns the bytes written. <paramref name="output"/> must hold <see cref="SizeOf"/>.</summary>
    public static int Write(Span<byte> output, ReadOnlySpan<NetworkInterfaceEntry> entries)
    {
        int size = SizeOf(entries.Length);
        output[..size].Clear();
        for (int i = 0; i < entries.Length; i++)
        {
            var entry = output.Slice(i * EntrySize, EntrySize);
            var e = entries[i];
            BinaryPrimitives.WriteUInt32LittleEndian(entry[OffNext..], i + 1 < entries.Length ? EntrySize : 0u);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[OffIfIndex..], e.IfIndex);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[OffCapability..], (uint)e.Capability);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[OffLinkSpeed..], e.LinkSpeed);
            var sockaddr = entry[OffSockAddr..];
            if (e.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, FamilyInet6);
                // Port(2) and FlowInfo(4) zero; then the 16-byte address.
                e.Address.TryWriteBytes(sockaddr.Slice(8, 16), out _);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, FamilyInet);
                e.Address.MapToIPv4().TryWriteBytes(sockaddr.Slice(4, 4), out _);
            }
        }
        return size;
    }

    /// <summary>
    /// Client side: reads the chain. False when an entry is cut short, a Next offset points backwards, inside the
    /// entry or past the end, or an address family is neither IPv4 nor IPv6.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> output, out List<NetworkInterfaceEntry> entries)
    {
        entries = new List<NetworkInterfaceEntry>();
        if (output.IsEmpty) return true; // no interfaces
        int offset = 0;
        while (true)
        {
            if (output.Length - offset < EntrySize) return false;
            var entry = output.Slice(offset, EntrySize);
            var sockaddr = entry[OffSockAddr..];
            IPAddress address;
            switch (BinaryPrimitives.ReadUInt16LittleEndian(sockaddr))
            {
                case FamilyInet: address = new IPAddress(sockaddr.Slice(4, 4)); break;
                case FamilyInet6: address = new IPAddress(sockaddr.Slice(8, 16)); break;
                default: return false;
            }
            entries.Add(new NetworkInterfaceEntry(BinaryPrimitives.ReadUInt32LittleEndian(entry[OffIfIndex..]),
                (NetworkInterfaceCapability)BinaryPrimitives.ReadUInt32LittleEndian(entry[OffCapability..]),
                BinaryPrimitives.ReadUInt64LittleEndian(entry[OffLinkSpeed..]), address));
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(entry[OffNext..]);
            if (next == 0) return true;
            if (next < EntrySize || next > (uint)(output.Length - offset)) return false;
            offset += (int)next;
        }
    }
}
