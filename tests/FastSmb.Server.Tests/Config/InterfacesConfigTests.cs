using System.Net;
using FastSmb.Control.Config;
using FastSmb.Control.Net;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Server.Tests.Config;

/// <summary>"interfaces" in Samba's syntax and "server multi channel support"; the selection of the host's addresses
/// that FSCTL_QUERY_NETWORK_INTERFACE_INFO reports, over a made-up host.</summary>
public class InterfacesConfigTests
{
    [Test]
    public void Parse_SambaSyntax_KeptAndFormattedBack()
    {
        var r = SmbConfParser.Parse("""
            [global]
               interfaces = "10.0.0.1;speed=10000000000,capability=RSS,capability=RDMA" eth1 192.168.1.0/24
               server multi channel support = no
            """);
        Assert.That(r.Errors, Is.Empty);
        var g = r.Config!.Global;
        Assert.That(g.Interfaces, Is.EqualTo(new[] { "10.0.0.1;speed=10000000000,capability=RSS,capability=RDMA", "eth1", "192.168.1.0/24" }));
        Assert.That(g.ServerMultiChannelSupport, Is.False);
        var again = SmbConfParser.Parse(SmbConfWriter.Format(r.Config));
        Assert.That(again.Errors, Is.Empty);
        Assert.That(again.Config!.Global.Interfaces, Is.EqualTo(g.Interfaces), "quoted entries survive a round trip");
        Assert.That(again.Config.Global.ServerMultiChannelSupport, Is.False);
    }

    [Test]
    public void Default_MultiChannelOn() => Assert.That(new GlobalConfig().ServerMultiChannelSupport, Is.True);

    [TestCase("\"10.0.0.1;speed=fast\"", "speed")]
    [TestCase("\"10.0.0.1;capability=TURBO\"", "capability")]
    [TestCase("\"eth0;colour=blue\"", "unknown interface option")]
    [TestCase("10.0.0.1/40", "netmask")]
    [TestCase("10.0.0.0/255.0.255.0", "netmask")]
    public void Parse_BadInterface_Error(string value, string why)
    {
        var r = SmbConfParser.Parse($"[global]\ninterfaces = {value}\n", "x.conf");
        Assert.That(r.Config, Is.Null);
        Assert.That(r.Errors, Has.Some.StartsWith("x.conf:2: invalid value").And.Some.Contains(why));
    }

    [Test]
    public void Parse_MultiChannelNotBoolean_Error()
    {
        var r = SmbConfParser.Parse("[global]\nserver multi channel support = sometimes\n", "x.conf");
        Assert.That(r.Errors, Has.Some.StartsWith("x.conf:2: invalid value 'sometimes'"));
    }

    private static readonly NetworkInterfaceTable.HostAddress[] Host =
    [
        new("lo", 1, true, true, false, 0, NetworkInterfaceCapability.None, IPAddress.Loopback),
        new("lo", 1, true, true, false, 0, NetworkInterfaceCapability.None, IPAddress.IPv6Loopback),
        new("eth0", 2, true, false, true, 25_000_000_000, NetworkInterfaceCapability.Rss, IPAddress.Parse("10.0.0.1")),
        new("eth0", 2, true, false, true, 25_000_000_000, NetworkInterfaceCapability.Rss, IPAddress.Parse("fe80::1")),
        new("eth0", 2, true, false, true, 25_000_000_000, NetworkInterfaceCapability.Rss, IPAddress.Parse("2001:db8::1")),
        new("eth1", 3, true, false, true, 0, NetworkInterfaceCapability.None, IPAddress.Parse("192.168.1.5")),
        new("eth2", 4, false, false, true, 1_000_000_000, NetworkInterfaceCapability.None, IPAddress.Parse("172.16.0.1")),
        new("tun0", 0, true, false, false, 0, NetworkInterfaceCapability.None, IPAddress.Parse("10.8.0.1")),
    ];

    private static string[] Addresses(IReadOnlyList<NetworkInterfaceEntry> entries) =>
        entries.Select(e => e.Address.ToString()).ToArray();

    [Test]
    public void Select_Empty_UpBroadcastInterfacesWithoutLinkLocal()
    {
        var entries = NetworkInterfaceTable.Select([], Host);
        // Not loopback, not the interface that is down, not the point-to-point one, not fe80::.
        Assert.That(Addresses(entries), Is.EqualTo(new[] { "10.0.0.1", "2001:db8::1", "192.168.1.5" }));
        Assert.That(entries[0], Is.EqualTo(new NetworkInterfaceEntry(2, NetworkInterfaceCapability.Rss, 25_000_000_000,
            IPAddress.Parse("10.0.0.1"))));
        Assert.That(entries[2].LinkSpeed, Is.EqualTo(1_000_000_000UL), "an unknown speed is reported as 1 Gbit/s");
    }

    [Test]
    public void Select_ByAddressWithOptions_Overrides()
    {
        var entries = NetworkInterfaceTable.Select(["10.0.0.1;speed=10000000000,capability=RSS,capability=RDMA"], Host);
        Assert.That(entries, Is.EqualTo(new[] { new NetworkInterfaceEntry(2,
            NetworkInterfaceCapability.Rss | NetworkInterfaceCapability.Rdma, 10_000_000_000, IPAddress.Parse("10.0.0.1")) }));
    }

    [Test]
    public void Select_ByNameNetworkAndWildcard()
    {
        Assert.That(Addresses(NetworkInterfaceTable.Select(["eth0"], Host)), Is.EqualTo(new[] { "10.0.0.1", "2001:db8::1" }));
        Assert.That(Addresses(NetworkInterfaceTable.Select(["192.168.0.0/16"], Host)), Is.EqualTo(new[] { "192.168.1.5" }));
        Assert.That(Addresses(NetworkInterfaceTable.Select(["eth*"], Host)),
            Is.EqualTo(new[] { "10.0.0.1", "2001:db8::1", "192.168.1.5" }), "eth2 is down");
        Assert.That(Addresses(NetworkInterfaceTable.Select(["lo"], Host)), Is.EqualTo(new[] { "127.0.0.1", "::1" }),
            "loopback only when named");
        Assert.That(NetworkInterfaceTable.Select(["tun0;if_index=9"], Host)[0].IfIndex, Is.EqualTo(9u));
        Assert.That(NetworkInterfaceTable.Select(["tun0"], Host)[0].IfIndex, Is.EqualTo(uint.MaxValue),
            "an unknown index is 0xFFFFFFFF, as Samba");
        Assert.That(NetworkInterfaceTable.Select(["10.9.9.9"], Host), Is.Empty, "an address the host does not have");
    }
}
