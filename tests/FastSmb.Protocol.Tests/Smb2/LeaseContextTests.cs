using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

/// <summary>[MS-SMB2] 2.2.13.2.8/2.2.13.2.10 and 2.2.14.2.10/2.2.14.2.11: the "RqLs" create context data.</summary>
public class LeaseContextTests
{
    // The v2 request smbtorture's smb2.lease.v2_request sends: key e0ddf00d.., RWH, flags PARENT_LEASE_KEY_SET,
    // parent key, epoch 0x4711 (hand-assembled from lease.c's values).
    private static byte[] V2Request()
    {
        var data = new byte[52];
        new Guid("e0ddf00d-0ff2-1f22-0000-000000000001").TryWriteBytes(data);
        data[16] = 7;
        data[20] = 4;
        new Guid("feedbead-4152-0112-0000-000000000002").TryWriteBytes(data.AsSpan(32));
        data[48] = 0x11;
        data[49] = 0x47;
        return data;
    }

    [Test]
    public void TryParse_V2_ReadsEveryField()
    {
        var data = V2Request();
        Assert.That(LeaseContext.TryParse(data, allowV2: true, out var lease), Is.True);
        Assert.That(lease.Version, Is.EqualTo(2));
        Assert.That(lease.LeaseKey, Is.EqualTo(new Guid("e0ddf00d-0ff2-1f22-0000-000000000001")));
        Assert.That(lease.LeaseState, Is.EqualTo(7u));
        Assert.That(lease.LeaseFlags, Is.EqualTo(LeaseContext.FlagParentLeaseKeySet));
        Assert.That(lease.ParentLeaseKey, Is.EqualTo(new Guid("feedbead-4152-0112-0000-000000000002")));
        Assert.That(lease.Epoch, Is.EqualTo(0x4711));
    }

    [Test]
    public void TryParse_V2DataOnSmb21_IsReadAsV1()
    {
        Assert.That(LeaseContext.TryParse(V2Request(), allowV2: false, out var lease), Is.True);
        Assert.That(lease.Version, Is.EqualTo(1));
        Assert.That(lease.Epoch, Is.Zero);
        Assert.That(lease.ParentLeaseKey, Is.EqualTo(Guid.Empty));
    }

    [TestCase(1, 32)]
    [TestCase(2, 52)]
    public void Write_ThenParse_RoundTrips(int version, int size)
    {
        var key = Guid.NewGuid();
        var parent = Guid.NewGuid();
        var data = new byte[64];
        Assert.That(LeaseContext.Write(data, version, key, 3, LeaseContext.FlagBreakInProgress, parent, 9), Is.EqualTo(size));
        Assert.That(LeaseContext.TryParse(data.AsSpan(0, size), allowV2: true, out var lease), Is.True);
        Assert.That((lease.Version, lease.LeaseKey, lease.LeaseState, lease.LeaseFlags, lease.LeaseDuration),
            Is.EqualTo((version, key, 3u, LeaseContext.FlagBreakInProgress, 0ul)));
        Assert.That(lease.Epoch, Is.EqualTo(version == 2 ? 9 : 0));
        Assert.That(lease.ParentLeaseKey, Is.EqualTo(version == 2 ? parent : Guid.Empty));
    }

    [Test]
    public void TryParse_TruncatedOrCorrupted_NeverThrows()
    {
        // Shorter than a v1 lease is no lease; anything from 32 bytes on parses (as v1 until 52).
        ParserRobustness.Check(V2Request()[..32], d => LeaseContext.TryParse(d, true, out _));
        ParserRobustness.SurvivesCorruption(V2Request(), d => LeaseContext.TryParse(d, true, out var l) && l.Epoch >= 0);
    }
}
