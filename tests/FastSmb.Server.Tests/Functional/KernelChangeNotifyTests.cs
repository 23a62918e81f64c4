using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>"kernel change notify": a CHANGE_NOTIFY waiting over the dispatcher completes when this test process
/// (not the server) changes the share's directory; without the option only the server's own changes do.</summary>
[CancelAfter(30_000)]
public class KernelChangeNotifyTests
{
    private const uint Name = CompletionFilter.FileName | CompletionFilter.DirName;

    private static List<(FileNotifyAction, string)> Changes(Smb2Response response)
    {
        Assert.That(ChangeNotifyResponse.TryParse(response.Message, out var body), Is.True);
        var list = new List<(FileNotifyAction, string)>();
        var reader = new EntryChainReader(body.OutputBuffer);
        while (reader.TryNext(out var entry))
        {
            Assert.That(FileNotifyInformation.TryParse(entry, out var info), Is.True);
            list.Add((info.Action, info.FileName));
        }
        return list;
    }

    [Test]
    public async Task LocalFileCreated_CompletesPendingNotify()
    {
        await using var server = TestServer.Start(new GlobalConfig { KernelChangeNotify = true });
        Directory.CreateDirectory(Path.Combine(server.ShareDir, "watched"));
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, dir, _) = await c.CreateAsync(tree, "watched", FileClient.Open, FileClient.GenericRead, FileClient.DirectoryFile);
        Assert.That(status, Is.EqualTo(NtStatus.Success));

        var interim = await c.ChangeNotifyAsync(tree, dir, Name);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        File.WriteAllText(Path.Combine(server.ShareDir, "watched", "local.txt"), "made outside the server");

        var final = await c.ReceiveAsync();
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(Changes(final), Is.EqualTo(new[] { (FileNotifyAction.Added, "local.txt") }));
    }

    [Test]
    public async Task OptionOff_LocalChangeNotReported_ServerChangeIs()
    {
        await using var server = TestServer.Start();
        Directory.CreateDirectory(Path.Combine(server.ShareDir, "watched"));
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, dir, _) = await c.CreateAsync(tree, "watched", FileClient.Open, FileClient.GenericRead, FileClient.DirectoryFile);
        var (c2, tree2) = await server.TreeConnectAsync(TestServer.ShareName);

        var interim = await c.ChangeNotifyAsync(tree, dir, Name);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        File.WriteAllText(Path.Combine(server.ShareDir, "watched", "local.txt"), "made outside the server");
        var (status, file, _) = await c2.CreateAsync(tree2, @"watched\remote.txt", FileClient.Create);
        Assert.That(status, Is.EqualTo(NtStatus.Success));

        var final = await c.ReceiveAsync();
        Assert.That(Changes(final), Is.EqualTo(new[] { (FileNotifyAction.Added, "remote.txt") }));
        await c2.CloseAsync(tree2, file);
    }
}
