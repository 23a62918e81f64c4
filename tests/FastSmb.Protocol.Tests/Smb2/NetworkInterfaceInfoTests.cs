using System.Net;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class NetworkInterfaceInfoTests
{
    // Two entries laid out by hand from [MS-SMB2] 2.2.32.5 / 2.2.32.5.1 (not by the writer under test): interface 2,
    // RSS, 10 Gbit/s, 10.0.0.1; then interface 3, RSS|RDMA, 1 Gbit/s, fe80::1.
    private static byte[] HandBuilt()
    {
        var bytes = new byte[2 * 152];
        // Entry 1: Next = 152, IfIndex = 2, Capability = 1, Reserved, LinkSpeed = 10^10.
        byte[] head1 = [0x98, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xE4, 0x0B, 0x54, 0x02, 0, 0, 0];
        head1.CopyTo(bytes, 0);
        byte[] sa1 = [0x02, 0x00, 0, 0, 10, 0, 0, 1]; // AF_INET, port 0, 10.0.0.1
        sa1.CopyTo(bytes, 24);
        // Entry 2: Next = 0, IfIndex = 3, Capability = 3, LinkSpeed = 10^9.
        byte[] head2 = [0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xCA, 0x9A, 0x3B, 0, 0, 0, 0];
        head2.CopyTo(bytes, 152);
        byte[] sa2 = [0x17, 0x00, 0, 0, 0, 0, 0, 0, 0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        sa2.CopyTo(bytes, 152 + 24);
        return bytes;
    }

    private static readonly NetworkInterfaceEntry[] Expected =
    [
        new(2, NetworkInterfaceCapability.Rss, 10_000_000_000, IPAddress.Parse("10.0.0.1")),
        new(3, NetworkInterfaceCapability.Rss | NetworkInterfaceCapability.Rdma, 1_000_000_000, IPAddress.Parse("fe80::1")),
    ];

    [Test]
    public void Write_TwoEntries_MatchesSpecLayout()
    {
        var output = new byte[NetworkInterfaceInfo.SizeOf(2)];
        int n = NetworkInterfaceInfo.Write(output, Expected);
        Assert.That(n, Is.EqualTo(304));
        Assert.That(output, Is.EqualTo(HandBuilt()));
    }

    [Test]
    public void TryParse_HandBuilt_Entries()
    {
        Assert.That(NetworkInterfaceInfo.TryParse(HandBuilt(), out var entries), Is.True);
        Assert.That(entries, Is.EqualTo(Expected));
    }

    [Test]
    public void TryParse_Empty_NoEntries()
    {
        Assert.That(NetworkInterfaceInfo.TryParse([], out var entries), Is.True);
        Assert.That(entries, Is.Empty);
    }

    [Test]
    public void TryParse_NextPointsInsideEntry_Rejected()
    {
        var bytes = HandBuilt();
        bytes[0] = 8; // Next = 8: the next entry would overlap this one
        Assert.That(NetworkInterfaceInfo.TryParse(bytes, out _), Is.False);
    }

    [Test]
    public void TryParse_UnknownFamily_Rejected()
    {
        var bytes = HandBuilt();
        bytes[24] = 0x05;
        Assert.That(NetworkInterfaceInfo.TryParse(bytes, out _), Is.False);
    }

    [Test]
    public void TryParse_TruncatedAndCorrupted_NeverThrows()
    {
        // Every non-empty prefix is cut inside an entry (the empty output is legal: no interfaces).
        var valid = HandBuilt();
        Assert.That(NetworkInterfaceInfo.TryParse(valid, out _), Is.True);
        for (int len = 1; len < valid.Length; len++)
            Assert.That(NetworkInterfaceInfo.TryParse(valid.AsSpan(0, len), out _), Is.False, $"{len}-byte prefix");
        ParserRobustness.SurvivesCorruption(valid, b => NetworkInterfaceInfo.TryParse(b, out _));
    }
}
