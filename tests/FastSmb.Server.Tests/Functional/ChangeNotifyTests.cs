using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.19 CHANGE_NOTIFY driven by the server's own operations: the watch, its filter and tree
/// flag, buffering between requests, overflow, CANCEL and the close of the directory.</summary>
[CancelAfter(30_000)]
public class ChangeNotifyTests
{
    private const uint Name = CompletionFilter.FileName | CompletionFilter.DirName;

    private static async Task<(Smb2ClientConnection C, uint Tree, FileId Dir)> WatchedDirectoryAsync(TestServer server)
    {
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        // Read access only: a directory open holding DELETE would make renames into it a sharing violation.
        var (status, dir, _) = await c.CreateAsync(tree, "watched", FileClient.Create, FileClient.GenericRead,
            FileClient.DirectoryFile);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return (c, tree, dir);
    }

    private static List<(FileNotifyAction Action, string Name)> Changes(Smb2Response response)
    {
        Assert.That(ChangeNotifyResponse.TryParse(response.Message, out var body), Is.True);
        var list = new List<(FileNotifyAction, string)>();
        var reader = new EntryChainReader(body.OutputBuffer);
        while (reader.TryNext(out var entry))
        {
            Assert.That(FileNotifyInformation.TryParse(entry, out var info), Is.True);
            list.Add((info.Action, info.FileName));
        }
        Assert.That(reader.IsMalformed, Is.False);
        return list;
    }

    [Test]
    public async Task Create_FromAnotherConnection_CompletesPendingNotify()
    {
        await using var server = TestServer.Start();
        var (c, tree, dir) = await WatchedDirectoryAsync(server);
        var (c2, tree2) = await server.TreeConnectAsync(TestServer.ShareName);

        var interim = await c.ChangeNotifyAsync(tree, dir, Name);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        var (status, file, _) = await c2.CreateAsync(tree2, @"watched\new.txt", FileClient.Create);
        Assert.That(status, Is.EqualTo(NtStatus.Success));

        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.ChangeNotify));
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(Changes(final), Is.EqualTo(new[] { (FileNotifyAction.Added, "new.txt") }));
        await c2.CloseAsync(tree2, file);
    }

    [Test]
    public async Task ChangesBetweenRequests_Buffered_RenameAndDeleteReported()
    {
        await using var server = TestServer.Start();
        var (c, tree, dir) = await WatchedDirectoryAsync(server);
        // The first request sets the watch up; cancelling it keeps the watch.
        var interim = await c.ChangeNotifyAsync(tree, dir, Name);
        await c.SendCancelAsync(interim.MessageId, interim.Header.AsyncId);
        Assert.That((await c.ReceiveAsync()).Status, Is.EqualTo(NtStatus.Cancelled));

        var (_, file, _) = await c.CreateAsync(tree, @"watched\a", FileClient.Create, options: FileClient.DeleteOnClose);
        var rename = new byte[256];
        int n = FileRenameInformation.Write(rename, false, @"watched\b");
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileRenameInformation, rename[..n]),
            Is.EqualTo(NtStatus.Success));
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
        var (_, sub, _) = await c.CreateAsync(tree, @"watched\sub", FileClient.Create, options: FileClient.DirectoryFile);
        await c.CloseAsync(tree, sub);
        await c.CreateAsync(tree, @"watched\sub\deep", FileClient.Create);

        var response = await c.ChangeNotifyAsync(tree, dir, Name);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success), "buffered changes answer at once");
        Assert.That(Changes(response), Is.EqualTo(new[]
        {
            (FileNotifyAction.Added, "a"), (FileNotifyAction.RenamedOldName, "a"), (FileNotifyAction.RenamedNewName, "b"),
            (FileNotifyAction.Removed, "b"), (FileNotifyAction.Added, "sub"),
        }), "not watching the tree: sub\\deep is not reported");
    }

    [Test]
    public async Task WatchTree_ReportsChangesBeneath_WithRelativeNames()
    {
        await using var server = TestServer.Start();
        var (c, tree, dir) = await WatchedDirectoryAsync(server);
        var (_, sub, _) = await c.CreateAsync(tree, @"watched\sub", FileClient.Create, options: FileClient.DirectoryFile);
        await c.CloseAsync(tree, sub);
        var interim = await c.ChangeNotifyAsync(tree, dir, Name, watchTree: true);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        await c.CreateAsync(tree, @"watched\sub\deep.txt", FileClient.Create);
        var final = await c.ReceiveAsync();
        Assert.That(Changes(final), Is.EqualTo(new[] { (FileNotifyAction.Added, @"sub\deep.txt") }));
    }

    [Test]
    public async Task Filter_NotMatching_NotReported_AttributesReported()
    {
        await using var server = TestServer.Start();
        var (c, tree, dir) = await WatchedDirectoryAsync(server);
        var (_, file, _) = await c.CreateAsync(tree, @"watched\f", FileClient.Create);
        var interim = await c.ChangeNotifyAsync(tree, dir, CompletionFilter.Attributes);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        await c.CreateAsync(tree, @"watched\ignored", FileClient.Create);
        var basic = new byte[40];
        BitConverter.TryWriteBytes(basic.AsSpan(32), 0x2u); // HIDDEN
        Assert.That(await c.SetInfoAsync(tree, file, FileInformationClass.FileBasicInformation, basic), Is.EqualTo(NtStatus.Success));

        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.ChangeNotify));
        Assert.That(Changes(final), Is.EqualTo(new[] { (FileNotifyAction.Modified, "f") }));
    }

    [Test]
    public async Task OutputBufferTooSmall_NotifyEnumDir()
    {
        await using var server = TestServer.Start();
        var (c, tree, dir) = await WatchedDirectoryAsync(server);
        var interim = await c.ChangeNotifyAsync(tree, dir, Name);
        await c.SendCancelAsync(interim.MessageId, interim.Header.AsyncId);
        await c.ReceiveAsync();
        await c.CreateAsync(tree, @"watched\a-rather-long-name.txt", FileClient.Create);

        var response = await c.ChangeNotifyAsync(tree, dir, Name, outputBufferLength: 8);
        Assert.That(response.Status, Is.EqualTo(NtStatus.NotifyEnumDir));
    }

    [Test]
    public async Task WatchBufferOverflows_NextRequestNotifyEnumDir()
    {
        await using var server = TestServer.Start();
        var (c, tree, dir) = await WatchedDirectoryAsync(server);
        // The watch keeps the first request's buffer size: 40 bytes hold two short entries.
        var interim = await c.ChangeNotifyAsync(tree, dir, Name, outputBufferLength: 40);
        await c.SendCancelAsync(interim.MessageId, interim.Header.AsyncId);
        await c.ReceiveAsync();
        for (int i = 0; i < 5; i++) await c.CreateAsync(tree, $@"watched\f{i}", FileClient.Create);

        var response = await c.ChangeNotifyAsync(tree, dir, Name, outputBufferLength: 4096);
        Assert.That(response.Status, Is.EqualTo(NtStatus.NotifyEnumDir));
        await c.CreateAsync(tree, @"watched\later", FileClient.Create);
        var next = await c.ChangeNotifyAsync(tree, dir, Name);
        Assert.That(Changes(next), Is.EqualTo(new[] { (FileNotifyAction.Added, "later") }), "the overflow is over");
    }

    [Test]
    public async Task CloseOfDirectory_PendingNotifyCleanup()
    {
        await using var server = TestServer.Start();
        var (c, tree, dir) = await WatchedDirectoryAsync(server);
        var interim = await c.ChangeNotifyAsync(tree, dir, Name);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        var close = await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, dir), tree);
        Assert.That(close.Command, Is.EqualTo(Smb2Command.Close));
        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.ChangeNotify));
        Assert.That(final.Status, Is.EqualTo(NtStatus.NotifyCleanup));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task WatchedDirectoryDeletedByAnotherHandle_PendingNotifyDeletePending()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, dir, _) = await c.CreateAsync(tree, "doomed", FileClient.Create, FileClient.GenericRead,
            FileClient.DirectoryFile, share: FileClient.ShareAll);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var interim = await c.ChangeNotifyAsync(tree, dir, Name);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        var (c2, tree2) = await server.TreeConnectAsync(TestServer.ShareName);
        var (opened, remover, _) = await c2.CreateAsync(tree2, "doomed", FileClient.Open, FileClient.GenericAll,
            FileClient.DirectoryFile | FileClient.DeleteOnClose);
        Assert.That(opened, Is.EqualTo(NtStatus.Success));
        Assert.That(await c2.CloseAsync(tree2, remover), Is.EqualTo(NtStatus.Success));

        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.ChangeNotify));
        Assert.That(final.Status, Is.EqualTo(NtStatus.DeletePending));
        Assert.That((await c.ChangeNotifyAsync(tree, dir, Name)).Status, Is.EqualTo(NtStatus.DeletePending));
    }

    [Test]
    public async Task NotADirectory_InvalidParameter()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "plain", FileClient.Create);
        Assert.That((await c.ChangeNotifyAsync(tree, file, Name)).Status, Is.EqualTo(NtStatus.InvalidParameter));
    }
}
