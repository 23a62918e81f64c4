using System.Buffers.Binary;
using System.Net.Sockets;
using FastSmb.Control.Accounts;
using FastSmb.Control.Admin;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;

namespace FastSmb.Server.Tests.Admin;

public class AdminSocketTests
{
    private string _dir = null!;
    private DirectoryStore _directory = null!;
    private AdminSocketServer _server = null!;
    private string _config = null!;
    private readonly List<ServerConfig> _reloads = [];

    private string Socket => Path.Combine(_dir, "admin.sock");

    [SetUp]
    public void Start()
    {
        _dir = Directory.CreateTempSubdirectory("fastsmb-admin-").FullName;
        _config = Path.Combine(_dir, "smb.conf");
        Directory.CreateDirectory(Path.Combine(_dir, "share"));
        File.WriteAllText(_config, EmbeddedDefault.DefaultConfig(Path.Combine(_dir, "share")));
        _directory = DirectoryStore.Open(Path.Combine(_dir, "directory"));
        _server = AdminSocketServer.Start(Socket, new AdminService(_directory, _config, c => { lock (_reloads) _reloads.Add(c); }), adminGroup: null);
    }

    [TearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        _directory.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private AdminResponse Send(AdminRequest request)
    {
        Assert.That(AdminClient.Send(Socket, request, out var response), Is.EqualTo(AdminClient.Outcome.Answered));
        return response!;
    }

    private static string HashHex(string pw) => Convert.ToHexString(FileUserStore.ComputeNtHash(pw));

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Socket_Mode0660()
    {
        Assert.That(File.GetUnixFileMode(Socket), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite));
    }

    [Test]
    public void UserAddListPasswdDel_RoundTrips()
    {
        var added = Send(new AdminRequest(AdminCommands.UserAdd) { Name = "alice", NtHash = HashHex("pw") });
        Assert.That(added.Ok, Is.True, added.Message);
        Assert.That(added.Message, Does.Contain(_directory.MachineSid + "-1000"));
        Assert.That(_directory.TryGet("alice", out var a) && a.NtHash.SequenceEqual(FileUserStore.ComputeNtHash("pw")), "visible to logons at once");

        Assert.That(Send(new AdminRequest(AdminCommands.UserAdd) { Name = "alice", NtHash = HashHex("x") }).Ok, Is.False);
        var list = Send(new AdminRequest(AdminCommands.UserList));
        Assert.That(list.Users!.Select(u => u.Name), Is.EqualTo(new[] { "alice" }));

        Assert.That(Send(new AdminRequest(AdminCommands.UserPasswd) { Name = "alice", NtHash = HashHex("new") }).Ok, Is.True);
        Assert.That(_directory.TryGet("alice", out a) && a.NtHash.SequenceEqual(FileUserStore.ComputeNtHash("new")));
        Assert.That(Send(new AdminRequest(AdminCommands.UserDel) { Name = "alice" }).Ok, Is.True);
        Assert.That(Send(new AdminRequest(AdminCommands.UserDel) { Name = "alice" }).Message, Does.Contain("no such user"));
    }

    [Test]
    public void Groups_RoundTrip()
    {
        Send(new AdminRequest(AdminCommands.UserAdd) { Name = "bob", NtHash = HashHex("pw") });
        Assert.That(Send(new AdminRequest(AdminCommands.GroupAdd) { Name = "staff" }).Ok, Is.True);
        Assert.That(Send(new AdminRequest(AdminCommands.GroupAddMember) { Name = "staff", Member = "bob" }).Ok, Is.True);
        var groups = Send(new AdminRequest(AdminCommands.GroupList)).Groups!;
        Assert.That(groups.Single().Members, Is.EqualTo(new[] { "bob" }));
        Assert.That(groups.Single().Sid, Does.EndWith("-2000"));
    }

    [Test]
    public void ShareAddDel_EditsFileAndReloads()
    {
        var path = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        var r = Send(new AdminRequest(AdminCommands.ShareAdd) { Name = "data", Path = path, Comment = "Data", ReadOnly = true });
        Assert.That(r.Ok, Is.True, r.Message);
        var onDisk = SmbConfParser.ParseFile(_config).Config!;
        Assert.That(onDisk.Shares.Select(s => s.Name), Is.EqualTo(new[] { "share", "data" }));
        Assert.That(onDisk.Shares[1], Is.EqualTo(new ShareConfig("data", path, "Data", true)));
        Assert.That(_reloads.Last().Shares, Is.EqualTo(onDisk.Shares));
        Assert.That(File.ReadAllText(_config), Does.StartWith("# FastSmb configuration"), "the operator's comments stay");

        Assert.That(Send(new AdminRequest(AdminCommands.ShareAdd) { Name = "DATA", Path = path }).Message, Does.Contain("already exists"));
        Assert.That(Send(new AdminRequest(AdminCommands.ShareAdd) { Name = "x", Path = "/does/not/exist" }).Ok, Is.False);
        Assert.That(Send(new AdminRequest(AdminCommands.ShareList)).Shares!.Select(s => s.Name), Is.EqualTo(new[] { "share", "data" }));

        Assert.That(Send(new AdminRequest(AdminCommands.ShareDel) { Name = "data" }).Ok, Is.True);
        Assert.That(_reloads.Last().Shares.Select(s => s.Name), Is.EqualTo(new[] { "share" }));
        Assert.That(Send(new AdminRequest(AdminCommands.ShareDel) { Name = "data" }).Ok, Is.False);
    }

    [Test]
    public void UnknownCommand_Refused()
    {
        var r = Send(new AdminRequest("reboot"));
        Assert.That((r.Ok, r.Message), Is.EqualTo((false, "unknown command 'reboot'")));
    }

    [Test]
    public async Task MalformedFrame_AnsweredWithError()
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket));
        var frame = new byte[4 + 5];
        BinaryPrimitives.WriteInt32BigEndian(frame, 5);
        "nope!"u8.CopyTo(frame.AsSpan(4));
        await s.SendAsync(frame);
        await using var stream = new NetworkStream(s);
        // A body that is not JSON: the server logs it and closes; nothing is changed.
        var response = await AdminFraming.ReadResponseAsync(stream, default);
        Assert.That(response is null || !response.Ok);
        Assert.That(_directory.ListUsers(), Is.Empty);
    }

    [Test]
    public async Task Send_NoSocketOrStaleSocket_NoServer()
    {
        Assert.That(AdminClient.Send(Path.Combine(_dir, "none.sock"), new AdminRequest(AdminCommands.UserList), out _),
            Is.EqualTo(AdminClient.Outcome.NoServer));
        await _server.DisposeAsync();
        // A socket file whose server is gone (as after a crash).
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            stale.Bind(new UnixDomainSocketEndPoint(Socket));
        Assert.That(AdminClient.Send(Socket, new AdminRequest(AdminCommands.UserList), out _), Is.EqualTo(AdminClient.Outcome.NoServer));
    }
}
