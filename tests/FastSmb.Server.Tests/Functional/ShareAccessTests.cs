using FastSmb.Client.Smb2;
using FastSmb.Control.Accounts;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Control.Shares;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Tests.Support;
using FastSmb.Server.Tests.Rpc;
using FastSmb.Server.Tests.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// "valid users", "guest ok" and "browseable" through the whole server (dispatcher, control plane, srvsvc) over
/// the in-memory transport, with the FASTER directory as the user store (for @group).
/// </summary>
public class ShareAccessTests
{
    private const string Conf = """
        [global]
           workgroup = WORKGROUP
        [open]
           path = /srv/open
        [team]
           path = /srv/team
           valid users = alice, @staff
        [public]
           path = /srv/public
           guest ok = yes
        [hidden]
           path = /srv/hidden
           browseable = no
        """;

    /// <summary><see cref="Conf"/> with its share directories under <paramref name="root"/>.</summary>
    private static string ConfIn(string root) => Conf.Replace("path = /srv/", $"path = {root}/srv/");

    private string _dir = null!;
    private DirectoryStore _directory = null!;
    private SmbServer _server = null!;
    private InMemoryListener _listener = null!;
    private ReloadableShareRegistry _shares = null!;

    [SetUp]
    public void StartServer()
    {
        _dir = Directory.CreateTempSubdirectory("fastsmb-access-").FullName;
        _directory = DirectoryStore.Open(Path.Combine(_dir, "directory"));
        // The users act as the test process on disk (root in CI): these tests are about who may connect.
        var self = FastSmb.Datapath.Identity.ThreadCredentials.Server;
        foreach (var u in new[] { "alice", "bob", "carol" })
            _directory.AddUser(u, FileUserStore.ComputeNtHash(u + "-pw"), self.Uid, self.Gid);
        _directory.AddGroup("staff");
        _directory.SetMember("staff", "carol", add: true);
        // Every share's directory exists: TREE_CONNECT refuses a share whose directory does not.
        foreach (var share in (string[])["open", "team", "public", "hidden", "fresh"])
            Directory.CreateDirectory(Path.Combine(_dir, "srv", share));
        var config = SmbConfParser.Parse(ConfIn(_dir)).Config!;
        _shares = new ReloadableShareRegistry(ConfiguredShares.From(config));
        var log = new ConsoleLog(TextWriter.Null);
        _server = ServerHost.CreateServer(config, _directory, log, log, shares: _shares);
        _listener = new InMemoryListener();
        _server.Start(_listener);
    }

    [TearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        await _listener.DisposeAsync();
        _directory.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Smb2ClientConnection> LogonAsync(string? user)
    {
        var c = new Smb2ClientConnection(_listener.Connect());
        Assert.That((await c.NegotiateAsync([Smb2Dialect.Smb210, Smb2Dialect.Smb302])).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LogonAsync(user, user is null ? "" : user + "-pw"), Is.EqualTo(NtStatus.Success));
        return c;
    }

    [TestCase("alice", "team", NtStatus.Success, TestName = "TreeConnect_ValidUsersNamesUser_Success")]
    [TestCase("carol", "team", NtStatus.Success, TestName = "TreeConnect_ValidUsersNamesUsersGroup_Success")]
    [TestCase("bob", "team", NtStatus.AccessDenied, TestName = "TreeConnect_UserNotInValidUsers_AccessDenied")]
    [TestCase("bob", "open", NtStatus.Success, TestName = "TreeConnect_NoValidUsers_AnyUser")]
    [TestCase("bob", "hidden", NtStatus.Success, TestName = "TreeConnect_HiddenShareByName_Success")]
    [TestCase(null, "public", NtStatus.Success, TestName = "TreeConnect_AnonymousGuestOk_Success")]
    [TestCase(null, "open", NtStatus.AccessDenied, TestName = "TreeConnect_AnonymousNotGuestOk_AccessDenied")]
    [TestCase(null, "team", NtStatus.AccessDenied, TestName = "TreeConnect_AnonymousValidUsers_AccessDenied")]
    [TestCase(null, "IPC$", NtStatus.Success, TestName = "TreeConnect_AnonymousIpc_Success")]
    public async Task TreeConnect_Access(string? user, string share, NtStatus expected)
    {
        await using var c = await LogonAsync(user);
        var (status, _, _) = await c.TreeConnectAsync($@"\\server\{share}");
        Assert.That(status, Is.EqualTo(expected));
    }

    [Test]
    public async Task TreeConnect_UserAddedToGroupWhileRunning_AdmittedAtOnce()
    {
        await using var c = await LogonAsync("bob");
        Assert.That((await c.TreeConnectAsync(@"\\server\team")).Status, Is.EqualTo(NtStatus.AccessDenied));
        _directory.SetMember("staff", "bob", add: true);
        Assert.That((await c.TreeConnectAsync(@"\\server\team")).Status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task NetShareEnum_BrowseableNo_HiddenButGetInfoFindsIt()
    {
        var names = await EnumSharesAsync();
        Assert.That(names, Is.EquivalentTo(new[] { "IPC$", "open", "team", "public" }));
        Assert.That(_shares.TryGet("hidden", out var hidden) && !hidden.Browseable);
    }

    [Test]
    public async Task Reload_ShareAddedAndRemoved_SeenByNextEnumAndTreeConnect_ConnectionKept()
    {
        await using var c = await LogonAsync("alice");
        var (status, tree, _) = await c.TreeConnectAsync(@"\\server\open");
        Assert.That(status, Is.EqualTo(NtStatus.Success));

        var edited = SmbConfParser.Parse(ConfIn(_dir).Replace("[open]", $"[fresh]\n   path = {_dir}/srv/fresh\n[open]")
            .Replace("[public]", "[gone]")).Config!;
        _shares.Replace(ConfiguredShares.From(edited));

        Assert.That((await c.TreeConnectAsync(@"\\server\fresh")).Status, Is.EqualTo(NtStatus.Success));
        Assert.That((await c.TreeConnectAsync(@"\\server\public")).Status, Is.EqualTo(NtStatus.BadNetworkName));
        Assert.That(await EnumSharesAsync(), Does.Contain("fresh").And.Not.Contain("public"));
        // The tree made before the reload is still usable: disconnect it cleanly.
        var response = await c.SendAsync(Smb2Command.TreeDisconnect, body =>
        {
            // [MS-SMB2] 2.2.11: StructureSize 4, Reserved.
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(body, 4);
            return 4;
        }, tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
    }

    /// <summary>smbclient's captured bind and NetShareEnumAll (level 1) over \PIPE\srvsvc on IPC$.</summary>
    private async Task<List<string>> EnumSharesAsync()
    {
        await using var c = await LogonAsync("alice");
        var (status, ipc, _) = await c.TreeConnectAsync(@"\\server\IPC$");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var (openStatus, pipe) = await c.OpenPipeAsync(ipc, "srvsvc");
        Assert.That(openStatus, Is.EqualTo(NtStatus.Success));
        var (bindStatus, _) = await c.TransceiveAsync(ipc, pipe, Captures.Load("rpc-smbclient-bind.hex"));
        Assert.That(bindStatus, Is.EqualTo(NtStatus.Success));
        var (callStatus, output) = await c.TransceiveAsync(ipc, pipe, Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex"), 65536);
        Assert.That(callStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(RpcResponse.TryParse(output, out var rpc), Is.True);
        var decoded = SrvsvcDecode.Enum(rpc.StubData.ToArray());
        Assert.That(decoded.Status, Is.EqualTo(Win32Error.Success));
        Assert.That(decoded.TotalEntries, Is.EqualTo(decoded.Shares.Count));
        return [.. decoded.Shares.Select(s => s.NetName!)];
    }
}
