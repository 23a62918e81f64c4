using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Fsa;

namespace FastSmb.Server.Tests.Datapath;

/// <summary>[MS-SMB2] 3.3.5.14 Open.LockSequenceArray: 64 buckets indexed 1..64, valid once a request with that
/// sequence number succeeded, invalidated when the next request on the bucket starts.</summary>
public class LockSequenceTests
{
    private static Open NewOpen(FsaTestVolume v)
    {
        var session = new Smb2Session(1, new Smb2Connection(null, 16));
        var tree = new TreeConnect(1, session, "share", false, new object()) { Volume = v.Volume };
        return new Open(Open.NewFileId(), tree, "f", v.OpenOk("f"));
    }

    [Test]
    public void Replay_OnlyAfterSuccessWithTheSameNumber()
    {
        using var v = new FsaTestVolume();
        var open = NewOpen(v);
        Assert.That(open.IsLockReplay(7, 3), Is.False, "nothing recorded yet");
        open.RecordLockSequence(7, 3);
        Assert.That(open.IsLockReplay(7, 3), Is.True);
        Assert.That(open.IsLockReplay(7, 4), Is.False, "another number in the same bucket");
        Assert.That(open.IsLockReplay(8, 3), Is.False, "another bucket");
        open.InvalidateLockSequence(7);
        Assert.That(open.IsLockReplay(7, 3), Is.False);
        open.Dispose();
    }

    [TestCase(0)]
    [TestCase(65)]
    [TestCase(int.MaxValue)]
    public void Index_OutsideOneToSixtyFour_NeverRecorded(int index)
    {
        using var v = new FsaTestVolume();
        var open = NewOpen(v);
        open.RecordLockSequence(index, 1);
        Assert.That(open.IsLockReplay(index, 1), Is.False);
        open.Dispose();
    }

    [Test]
    public void SequenceField_LowFourBitsNumber_HighBitsIndex()
    {
        uint packed = LockRequest.MakeLockSequence(0xB, 64);
        Assert.That(packed & 0xF, Is.EqualTo(0xBu));
        Assert.That(packed >> 4, Is.EqualTo(64u));
    }
}
