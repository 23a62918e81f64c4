using System.Buffers.Binary;
using System.Text;
using FastSmb.Control.Config;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Files on a disk share through the real dispatcher and the FSA over the in-memory transport: CREATE, WRITE,
/// READ, CLOSE, QUERY_DIRECTORY, QUERY_INFO and SET_INFO, checked against the share's directory on disk.
/// </summary>
[CancelAfter(30_000)]
public class FileTests
{
    [TestCase(Smb2Dialect.Smb202)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task CreateWriteReadClose_RoundTripsAndLandsOnDisk(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, dialect);

        var (status, file, response) = await c.CreateAsync(tree, "hello.txt", Create);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(CreateResponse.TryParse(response.Message, out var cr) && cr.CreateAction == 2, Is.True, "FILE_CREATED");
        var data = Encoding.UTF8.GetBytes("hello over SMB2");
        Assert.That(await c.WriteAsync(tree, file, 0, data), Is.EqualTo(NtStatus.Success));
        var (readStatus, back) = await c.ReadAsync(tree, file, 0, 4096);
        Assert.That(readStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(back, Is.EqualTo(data));
        Assert.That((await c.ReadAsync(tree, file, 1000, 10)).Status, Is.EqualTo(NtStatus.EndOfFile));
        Assert.That((await c.ReadAsync(tree, file, 0, 100, minimumCount: 50)).Status, Is.EqualTo(NtStatus.EndOfFile));
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.FileClosed));

        Assert.That(File.ReadAllText(Path.Combine(server.ShareDir, "hello.txt")), Is.EqualTo("hello over SMB2"));
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task Create_MissingWithOpen_ObjectNameNotFound_AndSecondCreate_Collision()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        Assert.That((await c.CreateAsync(tree, "nope", Open)).Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
        var (_, file, _) = await c.CreateAsync(tree, "x", Create);
        Assert.That((await c.CreateAsync(tree, "X", Create)).Status, Is.EqualTo(NtStatus.ObjectNameCollision));
        await c.CloseAsync(tree, file);
        Assert.That((await c.CreateAsync(tree, @"..\escape", OpenIf)).Status, Is.EqualTo(NtStatus.ObjectPathSyntaxBad));
    }

    [Test]
    public async Task Create_ShareModeConflict_SharingViolation()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (c2, tree2) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "locked", Create, share: 0);
        Assert.That((await c2.CreateAsync(tree2, "locked", Open, GenericRead)).Status, Is.EqualTo(NtStatus.SharingViolation));
        await c.CloseAsync(tree, file);
        var (status, again, _) = await c2.CreateAsync(tree2, "locked", Open, GenericRead);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        await c2.CloseAsync(tree2, again);
    }

    [Test]
    public async Task Create_MxAcAndQFid_Answered()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var contexts = new byte[128];
        var w = new CreateContextWriter(contexts);
        w.Add("MxAc"u8, 0);
        w.Add("QFid"u8, 0);
        var (status, file, response) = await c.CreateAsync(tree, "ctx", Create, MaximumAllowed, contexts: contexts[..w.Length]);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(CreateResponse.TryParse(response.Message, out var cr), Is.True);
        var list = cr.GetCreateContexts();
        Assert.That(list.TryFind("MxAc"u8, out var mxac), Is.True);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(mxac[4..]), Is.EqualTo(0x001F01FFu));
        Assert.That(list.TryFind("QFid"u8, out var qfid), Is.True);
        Assert.That(qfid.Length, Is.EqualTo(32));
        await c.CloseAsync(tree, file);
    }

    [Test]
    public async Task DeleteOnClose_RemovesTheFile()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, file, _) = await c.CreateAsync(tree, "temp", Create, options: DeleteOnClose);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(File.Exists(Path.Combine(server.ShareDir, "temp")), Is.True);
        await c.CloseAsync(tree, file);
        Assert.That(File.Exists(Path.Combine(server.ShareDir, "temp")), Is.False);
    }

    [TestCase(FileInformationClass.FileIdBothDirectoryInformation)]
    [TestCase(FileInformationClass.FileBothDirectoryInformation)]
    [TestCase(FileInformationClass.FileFullDirectoryInformation)]
    [TestCase(FileInformationClass.FileDirectoryInformation)]
    [TestCase(FileInformationClass.FileNamesInformation)]
    [TestCase(FileInformationClass.FileIdFullDirectoryInformation)]
    public async Task QueryDirectory_ListsEverything_ThenNoMoreFiles(FileInformationClass informationClass)
    {
        await using var server = TestServer.Start();
        for (int i = 0; i < 40; i++) File.WriteAllText(Path.Combine(server.ShareDir, $"file-{i:D2}-with-a-longish-name.txt"), "x");
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, dir, _) = await c.CreateAsync(tree, "", Open, GenericRead, DirectoryFile);

        // A small buffer: the listing takes several requests, each resuming where the last stopped.
        var names = new List<string>();
        while (true)
        {
            var (status, output) = await c.QueryDirectoryAsync(tree, dir, informationClass, outputLength: 1024);
            if (status == NtStatus.NoMoreFiles) break;
            Assert.That(status, Is.EqualTo(NtStatus.Success));
            names.AddRange(Names(output, informationClass));
        }
        Assert.That(names, Has.Count.EqualTo(42));
        Assert.That(names, Is.Unique);
        Assert.That(names, Does.Contain(".").And.Contain("..").And.Contain("file-39-with-a-longish-name.txt"));

        var (restart, again) = await c.QueryDirectoryAsync(tree, dir, informationClass, "FILE-0?*", QueryDirectoryRequest.FlagRestartScans);
        Assert.That(restart, Is.EqualTo(NtStatus.Success));
        Assert.That(Names(again, informationClass), Has.Count.EqualTo(10));
        Assert.That((await c.QueryDirectoryAsync(tree, dir, informationClass, "none*", QueryDirectoryRequest.FlagReopen)).Status,
            Is.EqualTo(NtStatus.NoSuchFile));
        await c.CloseAsync(tree, dir);
    }

    [Test]
    public async Task QueryInfo_FileAndFileSystemClasses()
    {
        await using var server = TestServer.Start();
        Directory.CreateDirectory(Path.Combine(server.ShareDir, "sub"));
        File.WriteAllBytes(Path.Combine(server.ShareDir, "sub", "f.bin"), new byte[1234]);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, @"SUB\F.BIN", Open, GenericRead);

        var (status, all, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileAllInformation);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(FileAllInformation.TryParse(all, out var info), Is.True);
        Assert.That(info.Standard.EndOfFile, Is.EqualTo(1234));
        Assert.That(info.FileName, Is.EqualTo(@"\sub\f.bin"));

        var (_, streams, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileStreamInformation);
        Assert.That(FileStreamInformation.TryParse(streams, out var stream) && stream.StreamName == "::$DATA", Is.True);

        var (tooSmall, _, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileBasicInformation, 8);
        Assert.That(tooSmall, Is.EqualTo(NtStatus.InfoLengthMismatch));

        var (fsStatus, size, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsFullSizeInformation);
        Assert.That(fsStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(FileFsFullSizeInformation.TryParse(size, out var full) && full.TotalAllocationUnits > 0, Is.True);
        var (attrStatus, attr, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsAttributeInformation);
        Assert.That(attrStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(FileFsAttributeInformation.TryParse(attr, out var fsAttr) && fsAttr.FileSystemName == "NTFS", Is.True);

        var (sdStatus, sd, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.Security, 0, 4096,
            SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl);
        Assert.That(sdStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(sd[0], Is.EqualTo(1), "revision");
        var (small, _, response) = await c.QueryInfoAsync(tree, file, Smb2InfoType.Security, 0, 8, SecurityInformation.Dacl);
        Assert.That(small, Is.EqualTo(NtStatus.BufferTooSmall));
        Assert.That(ErrorResponse.TryParse(response.Message, out var error) && error.ErrorData.Length == 4, Is.True);
        await c.CloseAsync(tree, file);
    }

    [Test]
    public async Task SetInfo_EndOfFileBasicRenameDisposition()
    {
        await using var server = TestServer.Start();
        Directory.CreateDirectory(Path.Combine(server.ShareDir, "d"));
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "a.txt", Create);

        var eof = new byte[8];
        FileEndOfFileInformation.Write(eof, 5000);
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileEndOfFileInformation, eof), Is.EqualTo(NtStatus.Success));
        long when = new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Utc).ToFileTimeUtc();
        var basic = new byte[FileBasicInformation.Size];
        FileBasicInformation.Write(basic, 0, 0, when, 0, 0);
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileBasicInformation, basic), Is.EqualTo(NtStatus.Success));
        var rename = new byte[128];
        int n = FileRenameInformation.Write(rename, false, @"d\b.txt");
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileRenameInformation, rename[..n]), Is.EqualTo(NtStatus.Success));
        var moved = Path.Combine(server.ShareDir, "d", "b.txt");
        Assert.That(new FileInfo(moved).Length, Is.EqualTo(5000));
        Assert.That(File.GetLastWriteTimeUtc(moved), Is.EqualTo(DateTime.FromFileTimeUtc(when)));

        var disposition = new byte[1];
        FileDispositionInformation.Write(disposition, true);
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileDispositionInformation, disposition), Is.EqualTo(NtStatus.Success));
        Assert.That((await c.CreateAsync(tree, @"d\b.txt", Open)).Status, Is.EqualTo(NtStatus.DeletePending));
        await c.CloseAsync(tree, file);
        Assert.That(File.Exists(moved), Is.False);
    }

    [Test]
    public async Task ReadOnlyShare_RefusesCreateAndWriteAccess_ButReads()
    {
        var roDir = Directory.CreateTempSubdirectory("fastsmb-ro-").FullName;
        File.WriteAllText(Path.Combine(roDir, "r.txt"), "read me");
        try
        {
            await using var server = TestServer.Start(extraShares: new ShareConfig("ro", roDir, ReadOnly: true));
            var (c, tree) = await server.TreeConnectAsync("ro");
            Assert.That((await c.CreateAsync(tree, "new", OpenIf, GenericRead)).Status, Is.EqualTo(NtStatus.AccessDenied));
            Assert.That((await c.CreateAsync(tree, "r.txt", Open, GenericAll)).Status, Is.EqualTo(NtStatus.AccessDenied));
            var (status, file, _) = await c.CreateAsync(tree, "r.txt", Open, MaximumAllowed);
            Assert.That(status, Is.EqualTo(NtStatus.Success));
            Assert.That((await c.ReadAsync(tree, file, 0, 100)).Data, Is.EqualTo("read me"u8.ToArray()));
            Assert.That(await c.WriteAsync(tree, file, 0, [1]), Is.EqualTo(NtStatus.AccessDenied));
            await c.CloseAsync(tree, file);
            Assert.That(Directory.GetFiles(roDir), Has.Length.EqualTo(1));
        }
        finally
        {
            Directory.Delete(roDir, recursive: true);
        }
    }

    // smb2.read.position: FilePositionInformation follows READ (and WRITE), as Samba reports it.
    [Test]
    public async Task ReadAndWrite_MoveFilePosition()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "pos", Create);
        await c.WriteAsync(tree, file, 0, new byte[100]);
        Assert.That(await PositionAsync(), Is.EqualTo(100));
        await c.ReadAsync(tree, file, 0, 10);
        Assert.That(await PositionAsync(), Is.EqualTo(10));
        await c.CloseAsync(tree, file);

        async Task<long> PositionAsync()
        {
            var (_, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FilePositionInformation);
            return BinaryPrimitives.ReadInt64LittleEndian(output);
        }
    }

    // smb2.getinfo.qfile_buffercheck / qfs_buffercheck: below the structure's size (its one-character name included,
    // padded) INFO_LENGTH_MISMATCH; between that and the whole answer BUFFER_OVERFLOW with the name cut.
    [TestCase(Smb2InfoType.File, (byte)FileInformationClass.FileAllInformation, 104)]
    [TestCase(Smb2InfoType.File, (byte)FileInformationClass.FileNameInformation, 8)]
    [TestCase(Smb2InfoType.File, (byte)FileInformationClass.FileAlternateNameInformation, 8)]
    [TestCase(Smb2InfoType.File, (byte)FileInformationClass.FileStreamInformation, 32)]
    [TestCase(Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsVolumeInformation, 24)]
    [TestCase(Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsAttributeInformation, 16)]
    [TestCase(Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsControlInformation, 48)]
    [TestCase(Smb2InfoType.FileSystem, (byte)FsInformationClass.FileFsObjectIdInformation, 64)]
    public async Task QueryInfo_BufferSizes_MismatchBelowTheStructure_OverflowBelowTheWhole(Smb2InfoType type, byte infoClass, int minimum)
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "a-rather-long-file-name.txt", Create);
        var (status, whole, _) = await c.QueryInfoAsync(tree, file, type, infoClass);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        for (uint size = 0; size <= whole.Length; size++)
        {
            var (s, output, _) = await c.QueryInfoAsync(tree, file, type, infoClass, size);
            var expected = size < minimum ? NtStatus.InfoLengthMismatch : size < whole.Length ? NtStatus.BufferOverflow : NtStatus.Success;
            Assert.That(s, Is.EqualTo(expected), $"buffer of {size}");
            if (expected == NtStatus.BufferOverflow) Assert.That(output.Length, Is.LessThanOrEqualTo(size));
        }
        await c.CloseAsync(tree, file);
    }

    [Test]
    public async Task QueryInfo_AlternateName_Generated83()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "Long File Name.text", Create);
        var (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileAlternateNameInformation);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(FileNameInformation.TryParse(output, out var name), Is.True);
        Assert.That(name.FileName, Does.Match(@"^LONGF~[0-9A-Z]{2}\.TEX$"));
        await c.CloseAsync(tree, file);
    }

    // smb2.getinfo.getinfo_access: times and attributes need FILE_READ_ATTRIBUTES; standard information needs nothing.
    [Test]
    public async Task QueryInfo_WithoutReadAttributes_BasicDenied_StandardAllowed()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        await c.CloseAsync(tree, (await c.CreateAsync(tree, "f", Create)).FileId);
        const uint Synchronize = 0x00100000;
        var (_, file, _) = await c.CreateAsync(tree, "f", Open, Synchronize);
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileBasicInformation)).Status,
            Is.EqualTo(NtStatus.AccessDenied));
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileAllInformation)).Status,
            Is.EqualTo(NtStatus.AccessDenied));
        Assert.That((await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileStandardInformation)).Status,
            Is.EqualTo(NtStatus.Success));
        await c.CloseAsync(tree, file);
    }

    // smb2.create.blob and gentest.
    [Test]
    public async Task Create_ContextsAndReservedBits()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        Assert.That((await c.CreateAsync(tree, "tw", OverwriteIf, contexts: Context("TWrp", new byte[8]))).Status,
            Is.EqualTo(NtStatus.ObjectNameNotFound));
        Assert.That((await c.CreateAsync(tree, "short", OverwriteIf, contexts: Context("xxx", []))).Status,
            Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.CreateAsync(tree, "o", OverwriteIf, options: 0xF0000000)).Status, Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.CreateAsync(tree, "o", OverwriteIf, options: 0x00100000)).Status, Is.EqualTo(NtStatus.NotSupported));
        Assert.That((await c.CreateAsync(tree, "a", OverwriteIf, attributes: 0x40 /* DEVICE */)).Status, Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.CreateAsync(tree, "a", OverwriteIf, access: 0x08000000, attributes: 0x8 /* VOLUME */)).Status,
            Is.EqualTo(NtStatus.AccessDenied), "a reserved access bit is checked before the attributes");
        Assert.That((await c.CreateAsync(tree, "s", OverwriteIf, access: 0x01000000)).Status, Is.EqualTo(NtStatus.PrivilegeNotHeld));
        Assert.That(Directory.GetFileSystemEntries(server.ShareDir), Is.Empty);

        var alsi = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(alsi, 1 << 20);
        var (status, file, response) = await c.CreateAsync(tree, "big", OverwriteIf, contexts: Context("AlSi", alsi));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(CreateResponse.TryParse(response.Message, out var cr), Is.True);
        Assert.That(cr.AllocationSize, Is.GreaterThanOrEqualTo(1 << 20));
        Assert.That(cr.EndOfFile, Is.Zero);
        await c.CloseAsync(tree, file);

        static byte[] Context(string name, byte[] data)
        {
            var buffer = new byte[64];
            var w = new CreateContextWriter(buffer);
            w.Add(Encoding.ASCII.GetBytes(name), data);
            return buffer[..w.Length];
        }
    }

    // smb2.getinfo.normalized: an open of a named stream is named with the stream, in the case it was created with.
    [Test]
    public async Task QueryInfo_NamesOfAStreamOpen_EndInTheStream()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb311);
        var (created, stream, _) = await c.CreateAsync(tree, "FiLe:sTrEaM", Create);
        Assert.That(created, Is.EqualTo(NtStatus.Success));
        await c.CloseAsync(tree, stream);
        var (_, file, _) = await c.CreateAsync(tree, "file:STREAM:$DATA", Open);
        Assert.That(await NameAsync(FileInformationClass.FileNormalizedNameInformation), Is.EqualTo("FiLe:sTrEaM"));
        Assert.That(await NameAsync(FileInformationClass.FileNameInformation), Is.EqualTo(@"\FiLe:sTrEaM"));
        await c.CloseAsync(tree, file);

        var (c302, tree302) = await server.TreeConnectAsync(TestServer.ShareName, Smb2Dialect.Smb302);
        var (_, file302, _) = await c302.CreateAsync(tree302, "FiLe", Open);
        Assert.That((await c302.QueryInfoAsync(tree302, file302, Smb2InfoType.File,
            (byte)FileInformationClass.FileNormalizedNameInformation)).Status, Is.EqualTo(NtStatus.NotSupported), "before 3.1.1");
        await c302.CloseAsync(tree302, file302);

        async Task<string> NameAsync(FileInformationClass informationClass)
        {
            var (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)informationClass);
            Assert.That(status, Is.EqualTo(NtStatus.Success));
            Assert.That(FileNameInformation.TryParse(output, out var name), Is.True);
            return name.FileName;
        }
    }
}
