using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>ChangeTime set through FileBasicInformation ([MS-FSA] 2.1.5.15.1), kept beside the inode's ctime, which
/// Linux does not let anybody set; and the allocation a directory reports.</summary>
public class ChangeTimeTests
{
    private static readonly long Change = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc).ToFileTimeUtc();
    private static readonly long Write = new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Utc).ToFileTimeUtc();

    [Test]
    public void SetBasicInfo_ChangeTime_ReadBackThroughTheOpenAndTheDirectoryListing()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt", AccessMask.WriteAttributes | AccessMask.ReadData | AccessMask.WriteData | AccessMask.ReadEa,
            CreateDisposition.Create);
        Assert.That(v.Volume.Write(open, 0, "abc"u8, false, out _), Is.EqualTo(NtStatus.Success));

        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, Write, Change, FileAttributeFlags.None), Is.EqualTo(NtStatus.Success));

        v.Volume.QueryMetadata(open, out var md);
        Assert.That((md.LastWriteTime, md.ChangeTime), Is.EqualTo((Write, Change)));
        var dir = v.OpenOk("", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.StartEnumeration(dir, "f.txt"), Is.EqualTo(NtStatus.Success));
        Assert.That(dir.Enumeration!.TryPeek(out var entry), Is.True);
        Assert.That(entry.Metadata.ChangeTime, Is.EqualTo(Change), "the listing shows what the open shows");
        Assert.That(v.Volume.QueryEas(open, out var eas), Is.EqualTo(NtStatus.Success));
        Assert.That(eas, Is.Empty, "the stored time is no extended attribute of the file");
        v.Volume.Close(dir);
        v.Volume.Close(open);

        var again = v.OpenOk("f.txt", AccessMask.ReadAttributes, CreateDisposition.Open);
        v.Volume.QueryMetadata(again, out var reopened);
        Assert.That(reopened.ChangeTime, Is.EqualTo(Change), "kept after the last close");
        v.Volume.Close(again);
    }

    [Test]
    public void SetBasicInfo_ChangeTime_ThenTheDataChanges_ChangeTimeFollowsTheWriteTimeAgain()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("g.txt", AccessMask.WriteAttributes | AccessMask.ReadData | AccessMask.WriteData,
            CreateDisposition.Create);
        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, Write, Change, FileAttributeFlags.None), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(open);

        File.AppendAllText(v.OnDisk("g.txt"), "more"); // a change the explicit time does not cover

        var after = v.OpenOk("g.txt", AccessMask.ReadAttributes, CreateDisposition.Open);
        v.Volume.QueryMetadata(after, out var md);
        Assert.That(md.ChangeTime, Is.Not.EqualTo(Change));
        Assert.That(md.ChangeTime, Is.EqualTo(md.LastWriteTime));
        v.Volume.Close(after);
    }

    [Test]
    public void SetBasicInfo_NoChangeTime_ChangeTimeIsTheWriteTime()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("h.txt", AccessMask.WriteAttributes | AccessMask.ReadData, CreateDisposition.Create);
        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, Write, 0, FileAttributeFlags.None), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(open, out var md);
        Assert.That(md.ChangeTime, Is.EqualTo(Write));
        v.Volume.Close(open);
    }

    [Test]
    public void Directory_ReportsNoAllocation()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("d"));
        File.WriteAllText(v.OnDisk("d/inside"), "x");
        var dir = v.OpenOk("d", AccessMask.ReadAttributes, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        v.Volume.QueryMetadata(dir, out var md);
        Assert.That((md.AllocationSize, md.EndOfFile), Is.EqualTo((0L, 0L)));
        v.Volume.Close(dir);
    }

    [Test]
    public void StoredValue_RoundTrips_AndMalformedValuesAreIgnored()
    {
        var valid = new byte[PosixVolume.StoredChangeTimeSize];
        PosixVolume.EncodeChangeTime(valid, new PosixVolume.StoredChangeTime(Change, Write));
        Assert.That(PosixVolume.TryDecodeChangeTime(valid, out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(new PosixVolume.StoredChangeTime(Change, Write)));
        Assert.That(decoded.Shown(Write), Is.EqualTo(Change));
        Assert.That(decoded.Shown(Write + 1), Is.EqualTo(Write + 1), "a later mtime wins");

        ParserRobustness.AllPrefixesRejected(valid, b => PosixVolume.TryDecodeChangeTime(b, out _));
        ParserRobustness.SurvivesCorruption(valid, b => PosixVolume.TryDecodeChangeTime(b, out _));
        Assert.That(PosixVolume.TryDecodeChangeTime([.. valid, 0], out _), Is.False, "too long");
        var negative = (byte[])valid.Clone();
        negative[7] = 0x80;
        Assert.That(PosixVolume.TryDecodeChangeTime(negative, out var none), Is.False);
        Assert.That(none, Is.EqualTo(default(PosixVolume.StoredChangeTime)));
    }
}
