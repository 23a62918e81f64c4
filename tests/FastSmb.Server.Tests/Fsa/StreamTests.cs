using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>Named streams on a <see cref="PosixVolume"/>: small ones in streams_xattr's xattrs, large ones in the
/// depot; listing, delete and rename of the base file.</summary>
public class StreamTests
{
    private const AccessMask Rw = AccessMask.ReadData | AccessMask.WriteData | AccessMask.ReadAttributes | AccessMask.Delete;

    private static byte[] ReadAll(FsaTestVolume v, FsaOpen open, int max = 1 << 20)
    {
        var buffer = new byte[max];
        Assert.That(v.Volume.Read(open, 0, buffer, out int n), Is.EqualTo(NtStatus.Success));
        return buffer[..n];
    }

    [Test]
    public void SmallStream_StoredLikeStreamsXattr_AndListed()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var s = v.OpenOk("f.txt:Strm", Rw, CreateDisposition.Create);
        Assert.That(File.Exists(v.OnDisk("f.txt")), Is.True, "the base file is created with its first stream");
        Assert.That(v.Volume.Write(s, 0, "hi\n"u8, false, out _), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(s, out var md);
        Assert.That(md.EndOfFile, Is.EqualTo(3));
        v.Volume.Close(s);

        // Samba 4.17 streams_xattr wrote "hi\n" to plain.txt:Strm as user.DosStream.Strm:$DATA = 68690a00.
        using (var fd = new FileDescriptor(Libc.Open(v.OnDisk("f.txt"), Libc.O_RDONLY, 0)))
        {
            Assert.That(Xattrs.Get(fd, "user.DosStream.Strm:$DATA", out var value), Is.Zero);
            Assert.That(value, Is.EqualTo(Convert.FromHexString("68690a00")));
        }
        Assert.That(new FileInfo(v.OnDisk("f.txt")).Length, Is.Zero, "the default stream is untouched");

        var again = v.OpenOk("F.TXT:strm:$DATA", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(ReadAll(v, again), Is.EqualTo("hi\n"u8.ToArray()));
        Assert.That(again.StreamName, Is.EqualTo("Strm"));
        Assert.That(v.Volume.QueryStreams(again, out var streams), Is.EqualTo(NtStatus.Success));
        Assert.That(streams.Select(x => (x.Name, x.Size)), Is.EqualTo(new[] { ("::$DATA", 0L), (":Strm:$DATA", 3L) }));
        v.Volume.Close(again);

        var @base = v.OpenOk("f.txt", AccessMask.ReadAttributes, CreateDisposition.Open);
        v.Volume.QueryEas(v.OpenOk("f.txt", AccessMask.ReadEa, CreateDisposition.Open), out var eas);
        Assert.That(eas, Is.Empty, "streams are not EAs");
        v.Volume.Close(@base);
    }

    [Test]
    public void Dispositions_CollisionNotFoundOverwrite()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        Assert.That(v.Open("nobase:s", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
        var s = v.OpenOk("f:s", Rw, CreateDisposition.Create);
        v.Volume.Write(s, 0, "abc"u8, false, out _);
        v.Volume.Close(s);
        Assert.That(v.Open("f:s", Rw, CreateDisposition.Create, out _, out _), Is.EqualTo(NtStatus.ObjectNameCollision));
        Assert.That(v.Open("f:other", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
        Assert.That(v.Open("f:s:$FOO", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameInvalid));
        Assert.That(v.Open("f:s", Rw, CreateDisposition.OverwriteIf, out var o, out var action), Is.EqualTo(NtStatus.Success));
        Assert.That(action, Is.EqualTo(CreateAction.Overwritten));
        Assert.That(ReadAll(v, o!), Is.Empty);
        v.Volume.Close(o!);
        // The default stream by name still opens the file itself.
        var d = v.OpenOk("f::$DATA", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(d.StreamName, Is.Null);
        v.Volume.Close(d);
    }

    [Test]
    public void LargeStream_MovesToDepot_SurvivesRename_GoesWithDelete()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var big = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var s = v.OpenOk("a.bin:big", Rw, CreateDisposition.Create);
        Assert.That(v.Volume.Write(s, 0, big.AsSpan(0, 100), false, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.Write(s, 100, big.AsSpan(100), false, out _), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(s);
        var depot = Path.Combine(v.Root, PosixVolume.StreamDepotName);
        Assert.That(Directory.GetFiles(depot, "big", SearchOption.AllDirectories), Has.Length.EqualTo(1));

        // The depot is nobody's business but ours.
        Assert.That(v.Open(".streams", AccessMask.ReadData, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
        var root = v.OpenOk("", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        v.Volume.StartEnumeration(root, "*");
        var names = new List<string>();
        while (root.Enumeration!.TryPeek(out var e)) { names.Add(e.Name); root.Enumeration.Advance(); }
        Assert.That(names, Is.EquivalentTo(new[] { ".", "..", "a.bin" }));
        v.Volume.Close(root);

        var file = v.OpenOk("a.bin", Rw, CreateDisposition.Open);
        Assert.That(v.Volume.Rename(file, "b.bin", false), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(file);
        s = v.OpenOk("b.bin:big", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(ReadAll(v, s), Is.EqualTo(big));
        v.Volume.QueryStreams(s, out var streams);
        Assert.That(streams.Select(x => (x.Name, x.Size)), Is.EqualTo(new[] { ("::$DATA", 0L), (":big:$DATA", 100_000L) }));
        v.Volume.Close(s);

        file = v.OpenOk("b.bin", Rw, CreateDisposition.Open);
        Assert.That(v.Volume.SetDisposition(file, true), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(file);
        Assert.That(File.Exists(v.OnDisk("b.bin")), Is.False);
        Assert.That(Directory.GetFileSystemEntries(depot), Is.Empty, "the depot directory went with the file");
    }

    [Test]
    public void DeleteOnClose_Stream_DeletesOnlyTheStream()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var s = v.OpenOk("f:gone", Rw, CreateDisposition.Create, options: CreateOptions.DeleteOnClose);
        v.Volume.Write(s, 0, "x"u8, false, out _);
        v.Volume.Close(s);
        Assert.That(File.Exists(v.OnDisk("f")), Is.True);
        Assert.That(v.Open("f:gone", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
    }

    [Test]
    public void StreamShareModes_SeparateFromTheFile()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var s = v.OpenOk("f:s", Rw, CreateDisposition.Create, share: FileShareAccess.None);
        Assert.That(v.Open("f:S", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.SharingViolation));
        var file = v.OpenOk("f", Rw & ~AccessMask.Delete, CreateDisposition.Open, share: FileShareAccess.None);
        v.Volume.Close(file);
        v.Volume.Close(s);
    }

    [Test]
    public void StreamOpenWithoutShareDelete_FileOpenWithDelete_SharingViolation()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var s = v.OpenOk("f:s", Rw, CreateDisposition.Create, share: FileShareAccess.Read | FileShareAccess.Write);
        Assert.That(v.Open("f", AccessMask.Delete, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.SharingViolation));
        v.Volume.Close(s);
        var file = v.OpenOk("f", AccessMask.Delete, CreateDisposition.Open);
        v.Volume.Close(file);
    }

    [Test]
    public void FileDeletedWhileStreamOpen_DeletePendingUntilTheStreamCloses()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var s = v.OpenOk("f:s", Rw, CreateDisposition.Create);
        var file = v.OpenOk("f", AccessMask.Delete, CreateDisposition.Open, options: CreateOptions.DeleteOnClose);
        v.Volume.Close(file);

        Assert.That(File.Exists(v.OnDisk("f")), Is.True, "the open stream keeps the file");
        Assert.That(v.Open("f", Rw, CreateDisposition.OpenIf, out _, out _), Is.EqualTo(NtStatus.DeletePending));
        Assert.That(v.Open("f:s", Rw, CreateDisposition.OpenIf, out _, out _), Is.EqualTo(NtStatus.DeletePending));
        Assert.That(v.Volume.Read(s, 0, new byte[4], out _), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(s);

        Assert.That(File.Exists(v.OnDisk("f")), Is.False, "gone with its last stream open");
    }

    [Test]
    public void StreamNames_ControlCharactersAllowed_SeparatorsInvalid()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        v.Volume.Close(v.OpenOk("f:\u0005Stream\n One", Rw, CreateDisposition.Create));
        Assert.That(v.Open("f:a\\b", Rw, CreateDisposition.OpenIf, out _, out _), Is.EqualTo(NtStatus.ObjectNameInvalid));
        Assert.That(v.Open("f:a:b", Rw, CreateDisposition.OpenIf, out _, out _), Is.EqualTo(NtStatus.ObjectNameInvalid));
        Assert.That(v.Open("f:Stream*?<>|", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
    }

    [Test]
    public void DirectoryDataStream_NotADirectoryOrFileIsADirectory()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("d"));
        Assert.That(v.Open("d::$DATA", Rw, CreateDisposition.Open, out _, out _, options: CreateOptions.DirectoryFile),
            Is.EqualTo(NtStatus.NotADirectory));
        Assert.That(v.Open("d::$DATA", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.FileIsADirectory));
    }

    [Test]
    public void RenameStream_OntoTheEmptyDefaultStream_BecomesTheFilesData()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var s = v.OpenOk("f:one", Rw, CreateDisposition.Create);
        v.Volume.Write(s, 0, "payload"u8, false, out _);

        Assert.That(v.Volume.Rename(s, "::$DATA", false), Is.EqualTo(NtStatus.Success));
        Assert.That(s.StreamName, Is.Null);
        Assert.That(v.Volume.Write(s, 7, "!"u8, false, out _), Is.EqualTo(NtStatus.Success), "the open can write its new data");
        v.Volume.Close(s);

        Assert.That(File.ReadAllText(v.OnDisk("f")), Is.EqualTo("payload!"));
        Assert.That(v.Open("f:one", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
        var again = v.OpenOk("f:two", Rw, CreateDisposition.Create);
        Assert.That(v.Volume.Rename(again, "::$DATA", false), Is.EqualTo(NtStatus.ObjectNameCollision), "the data is not empty");
        v.Volume.Close(again);
    }

    [Test]
    public void RenameStream_ToAnotherName_DataMovesAndOldNameGoes()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        var s = v.OpenOk("f:one", Rw, CreateDisposition.Create);
        v.Volume.Write(s, 0, "payload"u8, false, out _);
        v.Volume.Close(v.OpenOk("f:two", Rw, CreateDisposition.Create));

        Assert.That(v.Volume.Rename(s, ":two:$DATA", false), Is.EqualTo(NtStatus.ObjectNameCollision));
        Assert.That(v.Volume.Rename(s, ":two", true), Is.EqualTo(NtStatus.Success));
        Assert.That(s.StreamName, Is.EqualTo("two"));
        Assert.That(ReadAll(v, s), Is.EqualTo("payload"u8.ToArray()));
        v.Volume.Close(s);

        Assert.That(v.Open("f:one", Rw, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
        var two = v.OpenOk("f:TWO", Rw, CreateDisposition.Open);
        Assert.That(ReadAll(v, two), Is.EqualTo("payload"u8.ToArray()));
        Assert.That(v.Volume.Rename(two, "f:one", true), Is.EqualTo(NtStatus.SharingViolation), "a path, not :stream");
        v.Volume.Close(two);
    }

    [Test]
    public void DirectoryStream_Works()
    {
        using var v = new FsaTestVolume();
        MetadataTests.RequireXattrs(v);
        v.Volume.Close(v.OpenOk("d", AccessMask.ReadData, CreateDisposition.Create, options: CreateOptions.DirectoryFile));
        var s = v.OpenOk("d:meta", Rw, CreateDisposition.Create);
        Assert.That(v.Volume.Write(s, 0, "m"u8, false, out _), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryStreams(s, out var streams);
        Assert.That(streams.Select(x => x.Name), Is.EqualTo(new[] { ":meta:$DATA" }), "a directory has no default stream");
        v.Volume.Close(s);
    }
}
