using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Fscc;

public class FsInformationTests
{
    [Test]
    public void Volume_SambaCapture_Reencode()
    {
        var buf = FileInformationTests.OutputOf("fscc-samba-query_info-response-fs_volume.hex");
        Assert.That(FileFsVolumeInformation.TryParse(buf, out var v), Is.True);
        Assert.That((v.VolumeLabel, v.VolumeSerialNumber, v.SupportsObjects), Is.EqualTo(("share", 0x54753c3du, false)));
        var dest = new byte[64];
        int n = FileFsVolumeInformation.Write(dest, v.VolumeCreationTime, v.VolumeSerialNumber, v.SupportsObjects, v.VolumeLabel);
        Assert.That(dest[..n], Is.EqualTo(buf));
        Assert.That(FileFsVolumeInformation.Write(new byte[n - 1], 0, 0, false, "share"), Is.EqualTo(-1));
        ParserRobustness.Check(buf, b => FileFsVolumeInformation.TryParse(b, out _));
    }

    [Test]
    public void Size_SambaCapture_Reencode()
    {
        var buf = FileInformationTests.OutputOf("fscc-samba-query_info-response-fs_size.hex");
        Assert.That(FileFsSizeInformation.TryParse(buf, out var v), Is.True);
        Assert.That((v.SectorsPerAllocationUnit, v.BytesPerSector), Is.EqualTo((2u, 512u)));
        var dest = new byte[24];
        Assert.That(FileFsSizeInformation.Write(dest, v.TotalAllocationUnits, v.AvailableAllocationUnits, v.SectorsPerAllocationUnit,
            v.BytesPerSector), Is.EqualTo(24));
        Assert.That(dest, Is.EqualTo(buf));
        ParserRobustness.Check(buf, b => FileFsSizeInformation.TryParse(b, out _));
    }

    [Test]
    public void FullSize_RoundTrip()
    {
        var dest = new byte[32];
        Assert.That(FileFsFullSizeInformation.Write(dest, 1000, 300, 400, 8, 512), Is.EqualTo(32));
        Assert.That(FileFsFullSizeInformation.TryParse(dest, out var v), Is.True);
        Assert.That((v.TotalAllocationUnits, v.CallerAvailableAllocationUnits, v.ActualAvailableAllocationUnits, v.SectorsPerAllocationUnit,
            v.BytesPerSector), Is.EqualTo((1000L, 300L, 400L, 8u, 512u)));
        Assert.That(FileFsFullSizeInformation.Write(new byte[31], 0, 0, 0, 0, 0), Is.EqualTo(-1));
        ParserRobustness.Check(dest, b => FileFsFullSizeInformation.TryParse(b, out _));
    }

    [Test]
    public void Attribute_RoundTripAndLayout()
    {
        const uint attrs = FileFsAttributeInformation.CaseSensitiveSearch | FileFsAttributeInformation.CasePreservedNames |
                           FileFsAttributeInformation.UnicodeOnDisk | FileFsAttributeInformation.NamedStreams;
        var dest = new byte[64];
        int n = FileFsAttributeInformation.Write(dest, attrs, 255, "NTFS");
        Assert.That(n, Is.EqualTo(20));
        Assert.That(Convert.ToHexString(dest, 0, n), Is.EqualTo("07000400" + "FF000000" + "08000000" + "4E00540046005300"));
        Assert.That(FileFsAttributeInformation.TryParse(dest.AsSpan(0, n), out var v), Is.True);
        Assert.That((v.FileSystemAttributes, v.MaximumComponentNameLength, v.FileSystemName), Is.EqualTo((attrs, 255, "NTFS")));
        ParserRobustness.Check(dest[..n], b => FileFsAttributeInformation.TryParse(b, out _));
    }

    [Test]
    public void Device_SectorSize_ObjectId_RoundTrip()
    {
        var dest = new byte[64];
        Assert.That(FileFsDeviceInformation.Write(dest, FileFsDeviceInformation.DeviceTypeDisk,
            FileFsDeviceInformation.CharacteristicDeviceIsMounted), Is.EqualTo(8));
        Assert.That(FileFsDeviceInformation.TryParse(dest, out var d), Is.True);
        Assert.That((d.DeviceType, d.Characteristics), Is.EqualTo((7u, 0x20u)));

        Assert.That(FileFsSectorSizeInformation.Write(dest, 4096), Is.EqualTo(28));
        Assert.That(FileFsSectorSizeInformation.TryParse(dest, out var s), Is.True);
        Assert.That((s.LogicalBytesPerSector, s.PhysicalBytesPerSectorForAtomicity, s.PhysicalBytesPerSectorForPerformance,
            s.FileSystemEffectivePhysicalBytesPerSectorForAtomicity, s.Flags, s.ByteOffsetForSectorAlignment,
            s.ByteOffsetForPartitionAlignment), Is.EqualTo((4096u, 4096u, 4096u, 4096u, 3u, 0u, 0u)));

        byte[] id = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
        dest.AsSpan().Fill(0xCC);
        Assert.That(FileFsObjectIdInformation.Write(dest, id), Is.EqualTo(64));
        Assert.That(FileFsObjectIdInformation.TryParse(dest, out var o), Is.True);
        Assert.That(o.ObjectId.ToArray(), Is.EqualTo(id));
        Assert.That(o.ExtendedInfo.ToArray(), Is.All.Zero);
        Assert.That(FileFsObjectIdInformation.TryParse(dest.AsSpan(0, 63), out _), Is.False);
        Assert.That(FileFsSectorSizeInformation.Write(new byte[27], 512), Is.EqualTo(-1));
        Assert.That(FileFsDeviceInformation.Write(new byte[7], 7, 0), Is.EqualTo(-1));
    }
}

public class FileNotifyInformationTests
{
    [Test]
    public void Writer_ChainsOnFourByteBoundaries_AndReaderWalksIt()
    {
        var dest = new byte[64];
        dest.AsSpan().Fill(0xCC);
        var w = new FileNotifyInformationWriter(dest);
        Assert.That(w.TryAdd(FileNotifyAction.RenamedOldName, "a"), Is.True);  // 12 + 2 = 14 → next at 16
        Assert.That(w.TryAdd(FileNotifyAction.RenamedNewName, "bc"), Is.True); // 16 + 16 = 32
        Assert.That((w.Count, w.Length), Is.EqualTo((2, 32)));
        Assert.That(dest[14..16], Is.All.Zero);
        Assert.That(w.TryAdd(FileNotifyAction.Added, new string('x', 20)), Is.False);
        Assert.That(w.Length, Is.EqualTo(32));

        var r = new EntryChainReader(dest.AsSpan(0, 32));
        var got = new List<(FileNotifyAction, string)>();
        while (r.TryNext(out var e))
        {
            Assert.That(FileNotifyInformation.TryParse(e, out var n), Is.True);
            got.Add((n.Action, n.FileName));
        }
        Assert.That(got, Is.EqualTo(new[] { (FileNotifyAction.RenamedOldName, "a"), (FileNotifyAction.RenamedNewName, "bc") }));
        Assert.That(BitConverter.ToUInt32(dest, 0), Is.EqualTo(16u));
        ParserRobustness.Check(dest[16..32], b => FileNotifyInformation.TryParse(b, out _));
    }
}
