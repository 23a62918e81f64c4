using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-FSCC] 2.5.9 VolumeSerialNumber: derived from the share root's device and inode, so the same after a
/// restart and different for another directory.</summary>
public class VolumeSerialTests
{
    [Test]
    public void SerialNumber_FromTheRootsDeviceAndInode_SameWhenReopened()
    {
        using var v = new FsaTestVolume();
        Assert.That(PathResolver.StatFd(new FileDescriptor(Libc.Open(v.Root, Libc.O_RDONLY | Libc.O_DIRECTORY, 0)), out var st),
            Is.Zero);
        Assert.That(PosixVolume.TryOpen(v.Root, out var reopened), Is.EqualTo(NtStatus.Success));
        using (reopened)
        {
            Assert.That(v.Volume.VolumeInfo.SerialNumber, Is.EqualTo(PosixVolume.SerialNumberOf(st.Key)));
            Assert.That(reopened!.VolumeInfo.SerialNumber, Is.EqualTo(v.Volume.VolumeInfo.SerialNumber));
        }
    }

    [Test]
    public void SerialNumber_OtherDirectory_Differs()
    {
        using var a = new FsaTestVolume();
        using var b = new FsaTestVolume();
        Assert.That(a.Volume.VolumeInfo.SerialNumber, Is.Not.EqualTo(b.Volume.VolumeInfo.SerialNumber));
    }

    [Test]
    public void SerialNumberOf_FixedHash_DoesNotDependOnTheProcess()
    {
        // FNV-1a over (device, inode) little-endian, values computed independently (Python): what every process,
        // before and after a restart, computes for the same root.
        Assert.That(PosixVolume.SerialNumberOf(new FastSmb.Fsa.FileKey(0, 0)), Is.EqualTo(0x69691905u));
        Assert.That(PosixVolume.SerialNumberOf(new FastSmb.Fsa.FileKey(2049, 12)), Is.EqualTo(0x1F941660u));
    }
}
