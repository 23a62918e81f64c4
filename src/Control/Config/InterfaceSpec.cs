using System.Globalization;
using System.Net;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Control.Config;

/// <summary>
/// One entry of Samba's "interfaces" list: an interface name (shell wildcards allowed, "eth*"), an address, or a
/// network ("10.0.0.0/24", "10.0.0.0/255.255.255.0"), optionally followed by ";key=value,key=value" with the keys
/// Samba knows: <c>speed</c> (bits per second), <c>capability</c> (<c>RSS</c> or <c>RDMA</c>, repeatable),
/// <c>if_index</c>; the values override what the host reports, as in Samba. Immutable.
/// </summary>
public sealed record InterfaceSpec(string Target, IPAddress? Address, int? PrefixLength, ulong? Speed,
    NetworkInterfaceCapability? Capability, uint? IfIndex)
{
    /// <summary>True when <see cref="Target"/> names an interface rather than an address or network.</summary>
    public bool IsName => Address is null;

    /// <summary>
    /// Parses one list entry. Unlike Samba, which logs and skips what it does not understand, a bad option or value
    /// is an error here: a typo in a speed would otherwise silently advertise the wrong link to clients.
    /// </summary>
    public static bool TryParse(string entry, out InterfaceSpec spec, out string error)
    {
        spec = null!;
        error = "";
        var parts = entry.Split(';', 2);
        string target = parts[0].Trim();
        if (target.Length == 0) { error = "an empty interface"; return false; }

        ulong? speed = null;
        NetworkInterfaceCapability? capability = null;
        uint? ifIndex = null;
        if (parts.Length == 2)
        {
            foreach (var option in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = option.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2) { error = $"'{option}' is not key=value"; return false; }
                switch (kv[0].ToLowerInvariant())
                {
                    case "speed":
                        if (!ulong.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s == 0)
                        { error = $"speed '{kv[1]}' is not a positive number of bits per second"; return false; }
                        speed = s;
                        break;
                    case "capability":
                        var cap = kv[1].ToUpperInvariant() switch
                        {
                            "RSS" => NetworkInterfaceCapability.Rss,
                            "RDMA" => NetworkInterfaceCapability.Rdma,
                            _ => (NetworkInterfaceCapability?)null,
                        };
                        if (cap is null) { error = $"capability '{kv[1]}' is not RSS or RDMA"; return false; }
                        capability = (capability ?? NetworkInterfaceCapability.None) | cap.Value;
                        break;
                    case "if_index":
                        if (!uint.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i == 0)
                        { error = $"if_index '{kv[1]}' is not a positive number"; return false; }
                        ifIndex = i;
                        break;
                    case "options":
                        break; // Samba's "dynamic" (follow address changes): FastSmb reads the host at each query anyway
                    default:
                        error = $"unknown interface option '{kv[0]}' (speed, capability, if_index)";
                        return false;
                }
            }
        }

        IPAddress? address = null;
        int? prefix = null;
        var slash = target.Split('/', 2);
        if (IPAddress.TryParse(slash[0], out var ip) && !slash[0].Contains('%'))
        {
            address = ip;
            if (slash.Length == 2)
            {
                int max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
                if (int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits <= max)
                    prefix = bits;
                else if (IPAddress.TryParse(slash[1], out var mask) && MaskToPrefix(mask) is { } p)
                    prefix = p;
                else { error = $"'{slash[1]}' is not a netmask"; return false; }
            }
        }
        else if (slash.Length == 2 || target.IndexOfAny([' ', '"']) >= 0)
        {
            error = $"'{target}' is neither an address, a network nor an interface name";
            return false;
        }
        spec = new InterfaceSpec(target, address, prefix, speed, capability, ifIndex);
        return true;
    }

    private static int? MaskToPrefix(IPAddress mask)
    {
        var bytes = mask.GetAddressBytes();
        int bits = 0;
        bool ended = false;
        foreach (var b in bytes)
        {
            for (int i = 7; i >= 0; i--)
            {
                bool set = (b & (1 << i)) != 0;
                if (set && ended) return null; // not contiguous
                if (set) bits++; else ended = true;
            }
        }
        return bits;
    }
}
