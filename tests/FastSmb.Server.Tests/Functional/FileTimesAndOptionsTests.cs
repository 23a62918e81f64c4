using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Over the real dispatcher: the last-write time as Windows reports it while a file is written (delayed update, made
/// by FLUSH, shown by CLOSE's post-query), write-through opens and writes, FILE_OPEN_BY_FILE_ID answered as Samba
/// answers it, and the file system attributes a client uses to decide on case and streams.
/// </summary>
[CancelAfter(30_000)]
public class FileTimesAndOptionsTests
{
    private const ushort PostQueryAttrib = 1;
    private const uint WriteThroughOption = 0x2, NoIntermediateBuffering = 0x8, OpenByFileId = 0x2000;

    private static async Task<long> LastWriteTimeAsync(Client.Smb2.Smb2ClientConnection c, uint tree, FileId file)
    {
        var (status, output, _) = await c.QueryInfoAsync(tree, file, Smb2InfoType.File, (byte)FileInformationClass.FileBasicInformation);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(FileBasicInformation.TryParse(output, out var basic), Is.True);
        return basic.LastWriteTime;
    }

    [Test]
    public async Task Write_LastWriteTimeDelayed_FlushUpdatesIt_CloseReportsIt()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, file, _) = await c.CreateAsync(tree, "t.txt", Create);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var old = new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(server.ShareDir, "t.txt"), old);

        Assert.That(await c.WriteAsync(tree, file, 0, "abc"u8.ToArray()), Is.EqualTo(NtStatus.Success));
        Assert.That(await LastWriteTimeAsync(c, tree, file), Is.EqualTo(old.ToFileTimeUtc()), "the first write's update waits");

        var flush = await c.SendAsync(Smb2Command.Flush, body => FlushRequest.Write(body, file), tree);
        Assert.That(flush.Status, Is.EqualTo(NtStatus.Success));
        long flushed = await LastWriteTimeAsync(c, tree, file);
        Assert.That(flushed, Is.GreaterThan(old.ToFileTimeUtc()));

        var close = await c.SendAsync(Smb2Command.Close, body => CloseRequest.Write(body, PostQueryAttrib, file), tree);
        Assert.That(close.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(CloseResponse.TryParse(close.Message, out var cr), Is.True);
        Assert.That(cr.LastWriteTime, Is.EqualTo(flushed), "no write since the flush: the close changes nothing");
        Assert.That(cr.ChangeTime, Is.EqualTo(cr.LastWriteTime));
    }

    [TestCase(WriteThroughOption, 0u, TestName = "Create_WriteThroughOption_WritesLand")]
    [TestCase(NoIntermediateBuffering, 0u, TestName = "Create_NoIntermediateBuffering_WritesLand")]
    [TestCase(0u, WriteRequest.FlagWriteThrough, TestName = "Write_WriteThroughFlag_WritesLand")]
    public async Task WriteThrough_DataOnDiskWhenAnswered(uint createOptions, uint writeFlags)
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, file, _) = await c.CreateAsync(tree, "wt.bin", Create, options: createOptions);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var data = new byte[8192];
        new Random(5).NextBytes(data);

        var write = await c.SendAsync(Smb2Command.Write, body => WriteRequest.Write(body, 0, file, data, writeFlags), tree);

        Assert.That(write.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(File.ReadAllBytes(Path.Combine(server.ShareDir, "wt.bin")), Is.EqualTo(data));
        await c.CloseAsync(tree, file);
    }

    [Test]
    public async Task Create_OpenByFileId_NotSupportedAsSamba()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (created, file, _) = await c.CreateAsync(tree, "f", Create);
        await c.CloseAsync(tree, file);

        var (status, _, _) = await c.CreateAsync(tree, "f", Open, options: OpenByFileId);

        Assert.That(created, Is.EqualTo(NtStatus.Success));
        Assert.That(status, Is.EqualTo(NtStatus.NotSupported));
    }

    [Test]
    public async Task QueryFsAttributes_CaseSensitiveSearchAndNamedStreams()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, root, _) = await c.CreateAsync(tree, "", Open, options: DirectoryFile);

        var (status, output, _) = await c.QueryInfoAsync(tree, root, Smb2InfoType.FileSystem,
            (byte)FsInformationClass.FileFsAttributeInformation);

        Assert.That(status, Is.EqualTo(NtStatus.Success));
        uint attributes = BitConverter.ToUInt32(output, 0);
        Assert.That(attributes & FileFsAttributeInformation.CaseSensitiveSearch, Is.Not.Zero);
        Assert.That(attributes & FileFsAttributeInformation.NamedStreams, Is.Not.Zero);
    }
}
