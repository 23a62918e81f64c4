using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// <see cref="IFsaFileControl"/> on a <see cref="PosixVolume"/> over a temp directory: the sparse attribute, zeroing
/// and hole punching, allocated ranges, and copies between files, within one file and between streams.
/// </summary>
public class FileControlTests
{
    private const AccessMask All = AccessMask.ReadData | AccessMask.WriteData | AccessMask.ReadAttributes
        | AccessMask.WriteAttributes | AccessMask.Delete;
    private const int Chunk = 64 * 1024;

    private static byte[] Pattern(int length, int seed = 0)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)(i * 7 + seed + 1);
        return data;
    }

    private static byte[] ReadRange(FsaTestVolume v, FsaOpen open, long offset, int length)
    {
        var buffer = new byte[length];
        Assert.That(v.Volume.Read(open, offset, buffer, out int n), Is.EqualTo(NtStatus.Success));
        return buffer[..n];
    }

    private static FsaRange[] Ranges(FsaTestVolume v, FsaOpen open, long offset, long length, int capacity = 64)
    {
        var ranges = new FsaRange[capacity];
        Assert.That(v.Volume.QueryAllocatedRanges(open, offset, length, ranges, out int count, out _), Is.EqualTo(NtStatus.Success));
        return ranges[..count];
    }

    private static bool IsSparse(FsaTestVolume v, FsaOpen open)
    {
        Assert.That(v.Volume.QueryMetadata(open, out var md), Is.EqualTo(NtStatus.Success));
        return (md.Attributes & FileAttributeFlags.SparseFile) != 0;
    }

    /// <summary>Whether the temp directory's file system punches holes that SEEK_HOLE sees (ext4, xfs, btrfs, tmpfs do).</summary>
    private static bool SupportsHoles(FsaTestVolume v)
    {
        string probe = Path.Combine(v.Outside, "hole-probe");
        File.WriteAllBytes(probe, new byte[2 * Chunk]);
        using var fd = new FileDescriptor(Libc.Open(probe, Libc.O_RDWR, 0));
        if (Libc.Fallocate(fd, Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE, 0, Chunk) != 0) return false;
        return Libc.Lseek(fd, 0, Libc.SEEK_HOLE) == 0;
    }

    [Test]
    public void SetSparse_SetsAndClears_AndSurvivesSetBasicInfo()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var f = v.OpenOk("s.dat", All, CreateDisposition.Create);
        Assert.That(IsSparse(v, f), Is.False);
        Assert.That(v.Volume.SetSparse(f, true), Is.EqualTo(NtStatus.Success));
        Assert.That(IsSparse(v, f), Is.True);
        Assert.That(v.Volume.SetBasicInfo(f, 0, 0, 0, 0, FileAttributeFlags.Hidden), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(f, out var md);
        Assert.That(md.Attributes & (FileAttributeFlags.Hidden | FileAttributeFlags.SparseFile),
            Is.EqualTo(FileAttributeFlags.Hidden | FileAttributeFlags.SparseFile), "SET_INFO basic keeps the sparse bit");
        Assert.That(v.Volume.SetSparse(f, false), Is.EqualTo(NtStatus.Success));
        Assert.That(IsSparse(v, f), Is.False);
        v.Volume.Close(f);
    }

    [Test]
    public void SetSparse_DirectoryInvalid_NoWriteAccessDenied_CreateAttributeIgnored()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var d = v.OpenOk("dir", All, CreateDisposition.Create, options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.SetSparse(d, true), Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(v.Volume.Open(new FsaOpenRequest("c.dat", All, FileShareAccess.All, CreateDisposition.Create,
            CreateOptions.None, FileAttributeFlags.SparseFile), out var created, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(IsSparse(v, created!), Is.False, "CREATE does not make a file sparse (Windows does not either)");
        var readOnly = v.OpenOk("c.dat", AccessMask.ReadData | AccessMask.ReadAttributes, CreateDisposition.Open);
        Assert.That(v.Volume.SetSparse(readOnly, true), Is.EqualTo(NtStatus.AccessDenied));
        var attributesOnly = v.OpenOk("c.dat", AccessMask.WriteAttributes, CreateDisposition.Open);
        Assert.That(v.Volume.SetSparse(attributesOnly, true), Is.EqualTo(NtStatus.Success));
        Assert.That(IsSparse(v, created!), Is.True);
    }

    [Test]
    public void QueryAllocatedRanges_NotSparse_OneRangeClippedToEndOfFile()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("n.dat", All, CreateDisposition.Create);
        v.Volume.Write(f, 0, Pattern(2 * Chunk), false, out _);
        Assert.That(Ranges(v, f, 0, 2 * Chunk + 1), Is.EqualTo(new[] { new FsaRange(0, 2 * Chunk) }));
        Assert.That(Ranges(v, f, 1, 2 * Chunk), Is.EqualTo(new[] { new FsaRange(1, 2 * Chunk - 1) }));
        Assert.That(Ranges(v, f, 2 * Chunk, 10), Is.Empty, "past the end of file");
        Assert.That(Ranges(v, f, 0, 0), Is.Empty);
    }

    [TestCase(-1L, 10L)]
    [TestCase(0L, -1L)]
    [TestCase(512L, long.MaxValue)]
    public void QueryAllocatedRanges_BadRange_InvalidParameter(long offset, long length)
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("q.dat", All, CreateDisposition.Create);
        Assert.That(v.Volume.QueryAllocatedRanges(f, offset, length, new FsaRange[4], out _, out _),
            Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public void QueryAllocatedRanges_NeedsReadData()
    {
        using var v = new FsaTestVolume();
        v.OpenOk("r.dat", All, CreateDisposition.Create);
        var f = v.OpenOk("r.dat", AccessMask.ReadAttributes, CreateDisposition.Open);
        Assert.That(v.Volume.QueryAllocatedRanges(f, 0, 10, new FsaRange[4], out _, out _), Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public void ZeroData_SparseFile_PunchesHoles_RangesSplit_Truncated()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        bool holes = SupportsHoles(v);
        var f = v.OpenOk("p.dat", All, CreateDisposition.Create);
        v.Volume.Write(f, 0, Pattern(4 * Chunk), false, out _);
        Assert.That(v.Volume.SetSparse(f, true), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.ZeroData(f, 0, Chunk), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.ZeroData(f, 2 * Chunk, 3 * Chunk), Is.EqualTo(NtStatus.Success));

        Assert.That(ReadRange(v, f, 0, Chunk), Is.EqualTo(new byte[Chunk]));
        Assert.That(ReadRange(v, f, Chunk, Chunk), Is.EqualTo(Pattern(4 * Chunk)[Chunk..(2 * Chunk)]));
        Assert.That(ReadRange(v, f, 2 * Chunk, Chunk), Is.EqualTo(new byte[Chunk]));
        v.Volume.QueryMetadata(f, out var md);
        Assert.That(md.EndOfFile, Is.EqualTo(4 * Chunk), "zeroing never moves the end of file");
        var ranges = Ranges(v, f, 0, 4 * Chunk);
        if (holes)
        {
            Assert.That(ranges, Is.EqualTo(new[] { new FsaRange(Chunk, Chunk), new FsaRange(3 * Chunk, Chunk) }));
            var one = new FsaRange[1];
            Assert.That(v.Volume.QueryAllocatedRanges(f, 0, 4 * Chunk, one, out int count, out bool truncated),
                Is.EqualTo(NtStatus.Success));
            Assert.That((count, truncated, one[0]), Is.EqualTo((1, true, new FsaRange(Chunk, Chunk))));
        }
        else
        {
            Assert.That(ranges, Is.EqualTo(new[] { new FsaRange(0, 4 * Chunk) }), "no holes here: all allocated");
        }

        // Clearing the sparse bit makes the file one allocated range again.
        Assert.That(v.Volume.SetSparse(f, false), Is.EqualTo(NtStatus.Success));
        Assert.That(Ranges(v, f, 0, 4 * Chunk), Is.EqualTo(new[] { new FsaRange(0, 4 * Chunk) }));
    }

    [Test]
    public void ZeroData_NotSparse_ZeroesInsideEndOfFileOnly()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("z.dat", All, CreateDisposition.Create);
        v.Volume.Write(f, 0, Pattern(4096), false, out _);
        Assert.That(v.Volume.ZeroData(f, 100, 200), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.ZeroData(f, 4000, 9000), Is.EqualTo(NtStatus.Success));
        var expected = Pattern(4096);
        Array.Clear(expected, 100, 100);
        Array.Clear(expected, 4000, 96);
        Assert.That(ReadRange(v, f, 0, 8192), Is.EqualTo(expected), "zeroed, and the file did not grow");
        Assert.That(v.Volume.ZeroData(f, 4096, 4095), Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(v.Volume.ZeroData(f, -1, 10), Is.EqualTo(NtStatus.InvalidParameter));
        var reader = v.OpenOk("z.dat", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(v.Volume.ZeroData(reader, 0, 10), Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public void CopyRange_BetweenFiles_CopiesAndExtendsTarget()
    {
        using var v = new FsaTestVolume();
        var src = v.OpenOk("src", All, CreateDisposition.Create);
        var dst = v.OpenOk("dst", All, CreateDisposition.Create);
        var data = Pattern(3 * Chunk);
        v.Volume.Write(src, 0, data, false, out _);
        Assert.That(v.Volume.CopyRange(src, Chunk, dst, 4096, 2 * Chunk), Is.EqualTo(NtStatus.Success));
        Assert.That(ReadRange(v, dst, 0, 4096), Is.EqualTo(new byte[4096]), "the gap before the target offset reads as zeros");
        Assert.That(ReadRange(v, dst, 4096, 3 * Chunk), Is.EqualTo(data[Chunk..]));
    }

    [Test]
    public void CopyRange_PastSourceEnd_InvalidViewSize_NothingWritten()
    {
        using var v = new FsaTestVolume();
        var src = v.OpenOk("src", All, CreateDisposition.Create);
        var dst = v.OpenOk("dst", All, CreateDisposition.Create);
        v.Volume.Write(src, 0, Pattern(4096), false, out _);
        Assert.That(v.Volume.CopyRange(src, 1024, dst, 0, 4096), Is.EqualTo(NtStatus.InvalidViewSize));
        v.Volume.QueryMetadata(dst, out var md);
        Assert.That(md.EndOfFile, Is.Zero);
        Assert.That(v.Volume.CopyRange(src, 1024, dst, 0, 3072), Is.EqualTo(NtStatus.Success));
        Assert.That(ReadRange(v, dst, 0, 8192), Is.EqualTo(Pattern(4096)[1024..]));
    }

    [Test]
    public void CopyRange_OverlappingInOneFile_ReadsBeforeWriting()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("same", All, CreateDisposition.Create);
        var data = Pattern(8192);
        v.Volume.Write(f, 0, data, false, out _);
        // [0, 4096) onto [2040, 6136): the source's tail is overwritten by the copy itself, so a copy that wrote
        // before reading would repeat the first bytes.
        Assert.That(v.Volume.CopyRange(f, 0, f, 2040, 4096), Is.EqualTo(NtStatus.Success));
        var expected = (byte[])data.Clone();
        Array.Copy(data, 0, expected, 2040, 4096);
        Assert.That(ReadRange(v, f, 0, 8192), Is.EqualTo(expected));
    }

    [Test]
    public void CopyRange_BetweenStreamsAndFiles()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var srcStream = v.OpenOk("a:one", All, CreateDisposition.Create);
        v.Volume.Write(srcStream, 0, Pattern(300), false, out _);
        var dstStream = v.OpenOk("b:two", All, CreateDisposition.Create);
        Assert.That(v.Volume.CopyRange(srcStream, 0, dstStream, 0, 300), Is.EqualTo(NtStatus.Success));
        Assert.That(ReadRange(v, dstStream, 0, 1000), Is.EqualTo(Pattern(300)));
        var file = v.OpenOk("c", All, CreateDisposition.Create);
        Assert.That(v.Volume.CopyRange(dstStream, 100, file, 0, 200), Is.EqualTo(NtStatus.Success));
        Assert.That(ReadRange(v, file, 0, 1000), Is.EqualTo(Pattern(300)[100..]));
        Assert.That(v.Volume.CopyRange(file, 0, srcStream, 300, 200), Is.EqualTo(NtStatus.Success));
        Assert.That(ReadRange(v, srcStream, 0, 1000), Is.EqualTo(Pattern(300).Concat(Pattern(300)[100..]).ToArray()));
    }

    [Test]
    public void CopyRange_AccessChecked()
    {
        using var v = new FsaTestVolume();
        var src = v.OpenOk("src", All, CreateDisposition.Create);
        v.Volume.Write(src, 0, Pattern(100), false, out _);
        var dst = v.OpenOk("dst", All, CreateDisposition.Create);
        var srcNoRead = v.OpenOk("src", AccessMask.WriteData, CreateDisposition.Open);
        var dstNoWrite = v.OpenOk("dst", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(v.Volume.CopyRange(srcNoRead, 0, dst, 0, 100), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.CopyRange(src, 0, dstNoWrite, 0, 100), Is.EqualTo(NtStatus.AccessDenied));
        var srcExecute = v.OpenOk("src", AccessMask.Execute, CreateDisposition.Open);
        Assert.That(v.Volume.CopyRange(srcExecute, 0, dst, 0, 100), Is.EqualTo(NtStatus.Success), "EXECUTE reads, as READ allows");
    }

    private static NtStatus LockRange(FsaOpen open, ulong offset, ulong length, bool exclusive) =>
        open.Volume.ByteRangeLocks.Lock(open, new FastSmb.Fsa.Locks.ByteRange(offset, length), exclusive, null, out _);

    [Test]
    public void CopyRange_SourceLockedByAnotherOpen_FileLockConflict_UntilUnlocked()
    {
        using var v = new FsaTestVolume();
        var src = v.OpenOk("src", All, CreateDisposition.Create);
        var dst = v.OpenOk("dst", All, CreateDisposition.Create);
        v.Volume.Write(src, 0, Pattern(4096), false, out _);
        var locker = v.OpenOk("src", All, CreateDisposition.Open);
        Assert.That(LockRange(locker, 1000, 10, exclusive: true), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.CopyRange(src, 0, dst, 0, 4096), Is.EqualTo(NtStatus.FileLockConflict));
        v.Volume.QueryMetadata(dst, out var md);
        Assert.That(md.EndOfFile, Is.Zero, "nothing copied");
        Assert.That(v.Volume.CopyRange(src, 1010, dst, 0, 100), Is.EqualTo(NtStatus.Success), "outside the lock");
        Assert.That(v.Volume.ByteRangeLocks.Unlock(locker, new FastSmb.Fsa.Locks.ByteRange(1000, 10)), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.CopyRange(src, 0, dst, 0, 4096), Is.EqualTo(NtStatus.Success));
        Assert.That(ReadRange(v, dst, 0, 4096), Is.EqualTo(Pattern(4096)));
    }

    [Test]
    public void CopyRange_SourceSharedLockedByAnother_Reads_TargetSharedLocked_FileLockConflict()
    {
        using var v = new FsaTestVolume();
        var src = v.OpenOk("src", All, CreateDisposition.Create);
        var dst = v.OpenOk("dst", All, CreateDisposition.Create);
        v.Volume.Write(src, 0, Pattern(4096), false, out _);
        var srcLocker = v.OpenOk("src", All, CreateDisposition.Open);
        Assert.That(LockRange(srcLocker, 0, 4096, exclusive: false), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.CopyRange(src, 0, dst, 0, 4096), Is.EqualTo(NtStatus.Success), "a shared lock lets others read");
        var dstLocker = v.OpenOk("dst", All, CreateDisposition.Open);
        Assert.That(LockRange(dstLocker, 2048, 1, exclusive: false), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.CopyRange(src, 0, dst, 0, 4096), Is.EqualTo(NtStatus.FileLockConflict),
            "a shared lock stops writes");
    }

    [Test]
    public void ZeroData_RangeLockedByAnotherOpen_FileLockConflict_PastEndOfFileStillSucceeds()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("f", All, CreateDisposition.Create);
        v.Volume.Write(f, 0, Pattern(Chunk), false, out _);
        var locker = v.OpenOk("f", All, CreateDisposition.Open);
        Assert.That(LockRange(locker, 0, Chunk, exclusive: true), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.ZeroData(f, 0, 4096), Is.EqualTo(NtStatus.FileLockConflict));
        Assert.That(ReadRange(v, locker, 0, 4096), Is.EqualTo(Pattern(Chunk)[..4096]), "nothing zeroed");
        Assert.That(v.Volume.ZeroData(f, Chunk, Chunk + 4096), Is.EqualTo(NtStatus.Success), "past the end: nothing to zero");
        Assert.That(v.Volume.ZeroData(locker, 0, 4096), Is.EqualTo(NtStatus.Success), "the lock's own open may write");
        Assert.That(ReadRange(v, locker, 0, 4096), Is.EqualTo(new byte[4096]));
    }
}
