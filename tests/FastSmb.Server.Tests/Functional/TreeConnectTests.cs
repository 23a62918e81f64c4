using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.7 TREE_CONNECT and 3.3.5.8 TREE_DISCONNECT over the real server.</summary>
[CancelAfter(30_000)]
public class TreeConnectTests
{
    [TestCase("share", Smb2ShareType.Disk)]
    [TestCase("SHARE", Smb2ShareType.Disk)]
    [TestCase("IPC$", Smb2ShareType.Pipe)]
    [TestCase("ipc$", Smb2ShareType.Pipe)]
    public async Task TreeConnect_ConfiguredShare_SucceedsWithShareType(string share, byte expectedType)
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();

        var (status, treeId, type) = await c.TreeConnectAsync(TestServer.Unc(share));

        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(treeId, Is.Not.Zero);
        Assert.That(type, Is.EqualTo(expectedType));
    }

    [Test]
    public async Task TreeConnect_TwoShares_GetDistinctTreeIds()
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();

        var ipc = await c.TreeConnectAsync(TestServer.Unc("IPC$"));
        var disk = await c.TreeConnectAsync(TestServer.Unc("share"));

        Assert.That(ipc.TreeId, Is.Not.EqualTo(disk.TreeId));
    }

    [TestCase(@"\\fastsmb-test\nosuchshare", TestName = "TreeConnect_UnknownShare_FailsWithBadNetworkName")]
    [TestCase(@"share", TestName = "TreeConnect_PathWithoutServer_FailsWithBadNetworkName")]
    [TestCase(@"\\fastsmb-test", TestName = "TreeConnect_PathWithoutShare_FailsWithBadNetworkName")]
    [TestCase(@"\\fastsmb-test\", TestName = "TreeConnect_PathWithEmptyShare_FailsWithBadNetworkName")]
    [TestCase(@"\\fastsmb-test\share\sub", TestName = "TreeConnect_PathWithSubdirectory_FailsWithBadNetworkName")]
    [TestCase(@"", TestName = "TreeConnect_EmptyPath_FailsWithBadNetworkName")]
    public async Task TreeConnect_BadPath_FailsWithBadNetworkName(string path)
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();

        var (status, _, _) = await c.TreeConnectAsync(path);

        Assert.That(status, Is.EqualTo(NtStatus.BadNetworkName));
    }

    [Test]
    public async Task TreeConnect_ShareDirectoryMissing_FailsWithBadNetworkName()
    {
        string missing = Path.Combine(Path.GetTempPath(), "fastsmb-missing-" + Guid.NewGuid().ToString("N"));
        await using var server = TestServer.Start(extraShares: new Control.Config.ShareConfig("gone", missing));
        var c = await server.LogonAsync();

        var (status, _, _) = await c.TreeConnectAsync(TestServer.Unc("gone"));
        var (shareStatus, _, _) = await c.TreeConnectAsync(TestServer.Unc("share"));

        Assert.That(status, Is.EqualTo(NtStatus.BadNetworkName));
        Assert.That(shareStatus, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task TreeDisconnect_ThenUseOfTreeId_FailsWithNetworkNameDeleted()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");

        var disconnect = await c.SendAsync(Smb2Command.TreeDisconnect, TreeDisconnectRequest.Write, tree);
        Assert.That(disconnect.Status, Is.EqualTo(NtStatus.Success));

        Assert.That((await c.OpenPipeAsync(tree, "srvsvc")).Status, Is.EqualTo(NtStatus.NetworkNameDeleted));
        Assert.That((await c.SendAsync(Smb2Command.TreeDisconnect, TreeDisconnectRequest.Write, tree)).Status,
            Is.EqualTo(NtStatus.NetworkNameDeleted));
    }

    [Test]
    public async Task TreeDisconnect_ClosesItsOpens()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");
        await c.SendAsync(Smb2Command.TreeDisconnect, TreeDisconnectRequest.Write, tree);
        var (_, tree2, _) = await c.TreeConnectAsync(TestServer.Unc("IPC$"));

        var close = await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, pipe), tree2);

        Assert.That(close.Status, Is.EqualTo(NtStatus.FileClosed));
    }

    [Test]
    public async Task Dispatcher_TreeIdNeverConnected_FailsWithNetworkNameDeleted()
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();

        Assert.That((await c.OpenPipeAsync(0x4242, "srvsvc")).Status, Is.EqualTo(NtStatus.NetworkNameDeleted));
    }
}
