using FastSmb.Control.Config;
using FastSmb.Control.Net;
using FastSmb.SmbDirect.Rdma.Soft;
using FastSmb.SmbDirect.Rdma.Verbs;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Datapath.SmbDirect.Proxy;
using FastSmb.Datapath.Transport;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.SmbDirect;

namespace FastSmb.Control.Hosting;

/// <summary>
/// The SMB Direct listeners "fastsmb rdma provider" asks for, made at start-up: none; soft (soft RDMA at a Unix
/// socket path); verbs (librdmacm on each address of an `interfaces` entry with capability=RDMA, or on every RDMA
/// device when none is marked, at "fastsmb rdma port"); proxy (the hand-off socket `fastsmb rdma-proxy` connects to).
/// A provider that cannot run here throws <see cref="RdmaUnavailableException"/> saying why, so the server does not
/// start half-configured.
/// </summary>
public static class RdmaListeners
{
    public const string DefaultSoftSocket = "/run/fastsmb-smbdirect.sock";
    public const string DefaultProxySocket = "/run/fastsmb-rdma-proxy.sock";

    public static IReadOnlyList<ITransportListener> Create(GlobalConfig g, SmbDirectOptions? options = null)
    {
        options ??= new SmbDirectOptions();
        switch (g.RdmaProvider)
        {
            case RdmaProviderKind.Soft:
                return [new SmbDirectTransportListener(new SoftRdmaProvider().Listen(g.RdmaListen ?? DefaultSoftSocket), options)];
            case RdmaProviderKind.Proxy:
                return [new ProxyHandoffListener(g.RdmaListen ?? DefaultProxySocket)];
            case RdmaProviderKind.Verbs:
                var provider = new VerbsRdmaProvider();
                var listeners = new List<ITransportListener>();
                foreach (var address in VerbsAddresses(g))
                    listeners.Add(new SmbDirectTransportListener(provider.Listen(address), options));
                return listeners;
            default:
                return [];
        }
    }

    /// <summary>Where the verbs provider listens: "fastsmb rdma listen", else the RDMA-capable `interfaces`, else everywhere.</summary>
    public static IReadOnlyList<string> VerbsAddresses(GlobalConfig g)
    {
        if (g.RdmaListen is { } explicitAddress)
            return [System.Net.IPAddress.TryParse(explicitAddress, out var ip) ? Format(ip, g.RdmaPort) : explicitAddress];
        if (g.Interfaces.Count > 0)
        {
            var rdma = new NetworkInterfaceTable(g.Interfaces).Query()
                .Where(e => (e.Capability & NetworkInterfaceCapability.Rdma) != 0)
                .Select(e => Format(e.Address, g.RdmaPort))
                .ToList();
            if (rdma.Count > 0) return rdma;
        }
        return [$"0.0.0.0:{g.RdmaPort}"];
    }

    private static string Format(System.Net.IPAddress ip, int port) =>
        ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]:{port}" : $"{ip}:{port}";
}
