using System.Net.Sockets;
using FastSmb.Client.Smb2;
using FastSmb.Interop.Tests.Support;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// "kernel change notify" on a real `fastsmb serve` (its own fastsmb.conf, the option on for one share): FastSmb's
/// client library waits on CHANGE_NOTIFY over loopback TCP, this test process writes a file straight into the
/// share's directory with File.WriteAllText, and the waiting request completes with FILE_ACTION_ADDED.
/// </summary>
[NonParallelizable]
[CancelAfter(120_000)]
public class KernelChangeNotifyClientTests
{
    private const string Share = "watched";
    private const uint GenericRead = 0x80000000, ShareAll = 7, OpenIf = 3, DirectoryFile = 1;
    private FastSmbServerProcess? _server;

    [OneTimeSetUp]
    public void StartServer()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ServerTarget.EnvironmentVariable)))
        {
            Assert.Ignore($"needs its own fastsmb serve with a custom config ({ServerTarget.EnvironmentVariable} is set)");
        }
        _server = FastSmbServerProcess.Start(FastSmbPaths.FastSmbDll, TimeSpan.FromSeconds(30), dataDir =>
        {
            Directory.CreateDirectory(Path.Combine(dataDir, Share));
            return $"""
                [global]
                   workgroup = WORKGROUP
                [{Share}]
                   path = {Path.Combine(dataDir, Share)}
                   kernel change notify = yes
                """;
        });
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        if (_server is null)
        {
            return;
        }
        File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, "fastsmb-serve-kernel-notify.log"), _server.Output);
        _server.Dispose();
    }

    [Test]
    public async Task LocalWrite_CompletesClientsPendingNotify()
    {
        var target = _server!.Target;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(target.Host, target.Port);
        await using var smb = new Smb2ClientConnection(tcp.GetStream());
        Assert.That((await smb.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: Guid.NewGuid())).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await smb.LogonAsync(target.User, target.Password), Is.EqualTo(NtStatus.Success));
        smb.SignRequests = true;
        var (status, tree, _) = await smb.TreeConnectAsync($@"\\{target.Host}\{Share}");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var created = await smb.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, 0, 2, GenericRead, 0, ShareAll,
            OpenIf, DirectoryFile, "inbox", default), tree);
        Assert.That(created.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(CreateResponse.TryParse(created.Message, out var directory), Is.True);

        var interim = await smb.ChangeNotifyAsync(tree, directory.FileId, CompletionFilter.FileName);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        File.WriteAllText(Path.Combine(_server.DataDir, Share, "inbox", "dropped.txt"), "written by a local process");

        var final = await smb.ReceiveAsync();
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(ChangeNotifyResponse.TryParse(final.Message, out var body), Is.True);
        var reader = new EntryChainReader(body.OutputBuffer);
        Assert.That(reader.TryNext(out var entry), Is.True);
        Assert.That(FileNotifyInformation.TryParse(entry, out var info), Is.True);
        Assert.That((info.Action, info.FileName), Is.EqualTo((FileNotifyAction.Added, "dropped.txt")));
        Assert.That(reader.TryNext(out _), Is.False);
    }
}
