using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using FastSmb.Control.Config;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Control.Net;

/// <summary>
/// What FSCTL_QUERY_NETWORK_INTERFACE_INFO reports ([MS-SMB2] 3.3.5.15.11): the host's interfaces selected as Samba's
/// "interfaces" selects them. Empty "interfaces": every interface that is up and can broadcast (so not loopback or
/// point-to-point). Otherwise each entry picks interfaces by name (wildcards), addresses by address, or addresses by
/// network, and its ";speed=,capability=,if_index=" values override what the host reports. Like Samba, IPv6
/// link-local and IPv4-compatible addresses are left out, an unknown index becomes 0xFFFFFFFF, an unknown speed
/// 1 Gbit/s. The host is read at each query (addresses come and go). Stateless; thread-safe.
/// </summary>
public sealed class NetworkInterfaceTable(IReadOnlyList<string> interfaces)
{
    private const ulong DefaultSpeed = 1_000_000_000;

    /// <summary>One address of a host interface, as the host reports it.</summary>
    public readonly record struct HostAddress(string InterfaceName, uint IfIndex, bool IsUp, bool IsLoopback,
        bool CanBroadcast, ulong Speed, NetworkInterfaceCapability Capability, IPAddress Address);

    public IReadOnlyList<NetworkInterfaceEntry> Query() => Select(interfaces, ReadHost());

    /// <summary>The selection, over a given host (the tests give one).</summary>
    public static IReadOnlyList<NetworkInterfaceEntry> Select(IReadOnlyList<string> interfaces, IReadOnlyList<HostAddress> host)
    {
        var result = new List<NetworkInterfaceEntry>();
        var usable = host.Where(h => h.IsUp && !IsExcludedAddress(h.Address)).ToList();
        if (interfaces.Count == 0)
        {
            foreach (var h in usable)
                if (h.CanBroadcast && !h.IsLoopback) Add(result, h, null);
            return result;
        }
        foreach (var entry in interfaces)
        {
            if (!InterfaceSpec.TryParse(entry, out var spec, out _)) continue; // the config check refused it already
            foreach (var h in usable)
            {
                bool match = spec.IsName ? NameMatches(spec.Target, h.InterfaceName)
                    : spec.PrefixLength is { } bits ? SameNetwork(spec.Address!, h.Address, bits)
                    : spec.Address!.Equals(h.Address);
                if (match) Add(result, h, spec);
            }
        }
        return result;
    }

    private static void Add(List<NetworkInterfaceEntry> result, HostAddress h, InterfaceSpec? spec)
    {
        foreach (var existing in result)
            if (existing.Address.Equals(h.Address)) return; // listed twice: once is enough (Samba: "duplicate")
        uint index = spec?.IfIndex ?? h.IfIndex;
        result.Add(new NetworkInterfaceEntry(index == 0 ? uint.MaxValue : index, spec?.Capability ?? h.Capability,
            spec?.Speed ?? (h.Speed == 0 ? DefaultSpeed : h.Speed), h.Address));
    }

    private static bool IsExcludedAddress(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
        && (address.IsIPv6LinkLocal || IsV4Compatible(address));

    private static bool IsV4Compatible(IPAddress address)
    {
        // ::a.b.c.d (not ::, not ::1): 96 zero bits then an IPv4 address.
        var bytes = address.GetAddressBytes();
        for (int i = 0; i < 12; i++) if (bytes[i] != 0) return false;
        return !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] <= 1);
    }

    private static bool NameMatches(string pattern, string name) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false);

    private static bool SameNetwork(IPAddress network, IPAddress address, int bits)
    {
        if (network.AddressFamily != address.AddressFamily) return false;
        var a = network.GetAddressBytes();
        var b = address.GetAddressBytes();
        for (int i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }

    /// <summary>The host's addresses (System.Net.NetworkInformation); RSS where the kernel shows several receive queues.</summary>
    public static IReadOnlyList<HostAddress> ReadHost()
    {
        var list = new List<HostAddress>();
        NetworkInterface[] nics;
        try { nics = NetworkInterface.GetAllNetworkInterfaces(); }
        catch (NetworkInformationException) { return list; }
        foreach (var nic in nics)
        {
            IPInterfaceProperties props;
            try { props = nic.GetIPProperties(); }
            catch (NetworkInformationException) { continue; }
            bool loopback = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback;
            bool pointToPoint = nic.NetworkInterfaceType is NetworkInterfaceType.Ppp or NetworkInterfaceType.Tunnel;
            long speed = 0;
            try { speed = nic.Speed; } catch (PlatformNotSupportedException) { }
            var capability = RxQueues(nic.Name) > 1 ? NetworkInterfaceCapability.Rss : NetworkInterfaceCapability.None;
            foreach (var unicast in props.UnicastAddresses)
            {
                var address = unicast.Address;
                uint index = 0;
                try
                {
                    index = address.AddressFamily == AddressFamily.InterNetworkV6
                        ? (uint)(props.GetIPv6Properties()?.Index ?? 0)
                        : (uint)(props.GetIPv4Properties()?.Index ?? 0);
                }
                catch (NetworkInformationException) { }
                list.Add(new HostAddress(nic.Name, index, nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown,
                    loopback, !loopback && !pointToPoint, speed > 0 ? (ulong)speed : 0, capability, address));
            }
        }
        return list;
    }

    private static int RxQueues(string name)
    {
        try
        {
            var dir = $"/sys/class/net/{name}/queues";
            return Directory.Exists(dir) ? Directory.GetDirectories(dir, "rx-*").Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
