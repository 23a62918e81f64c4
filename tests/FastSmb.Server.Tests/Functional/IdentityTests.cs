using System.Runtime.Versioning;
using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Control.Identity;
using FastSmb.Datapath.Identity;
using FastSmb.Protocol;
using FastSmb.Server.Tests.Functional.Support;
using FastSmb.Server.Tests.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Every file operation runs as the logged-on user (ARCHITECTURE.md, step 3), over the real dispatcher: files are
/// owned by their creator, Unix permissions bind the user, "force user"/"force group" and the masks apply, a user
/// without a Unix identity is refused at TREE_CONNECT, and no server thread keeps a user's credentials. Needs root
/// (CI); users fastsmb-test-a/-b are Unix accounts (mapped by name), "carol" is mapped by uid in the user store.
/// </summary>
[CancelAfter(30_000)]
[NonParallelizable]
[SupportedOSPlatform("linux")]
public class IdentityTests
{
    private const string PasswordA = "pw-a", PasswordB = "pw-b", Carol = "carol", NoUnix = "nounix";
    private UnixAccount _a = null!, _b = null!;
    private uint _group;

    [OneTimeSetUp]
    public void CreateAccounts() => (_a, _b, _group) = UnixTestAccounts.Ensure();

    private TestServer Start(params ShareConfig[] extraShares)
    {
        var server = TestServer.StartWithUsers(users => users
            .Add(UnixTestAccounts.A, PasswordA).Add(UnixTestAccounts.B, PasswordB)
            .Add(Carol, "pw-c", uid: _b.Uid, gid: _group).Add(NoUnix, "pw-n"), extraShares);
        File.SetUnixFileMode(server.ShareDir, (UnixFileMode)0x1FF);
        return server;
    }

    private static async Task<(Smb2ClientConnection, uint)> ConnectAsync(TestServer server,
        string user, string password, string share = TestServer.ShareName)
    {
        var c = await server.LogonAsAsync(user, password);
        var (status, tree, _) = await c.TreeConnectAsync(TestServer.Unc(share));
        Assert.That(status, Is.EqualTo(NtStatus.Success), $"TREE_CONNECT {share} as {user}");
        return (c, tree);
    }

    private static async Task CreateFileAsync(Smb2ClientConnection c, uint tree, string name,
        uint options = NonDirectoryFile)
    {
        var (status, file, _) = await c.CreateAsync(tree, name, Create, options: options);
        Assert.That(status, Is.EqualTo(NtStatus.Success), "CREATE " + name);
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Create_AsUserWithUnixAccount_OwnedByThatUser()
    {
        await using var server = Start();
        var (c, tree) = await ConnectAsync(server, UnixTestAccounts.A, PasswordA);
        await CreateFileAsync(c, tree, "a.txt");
        await CreateFileAsync(c, tree, "a-dir", DirectoryFile);

        Assert.That(UnixTestAccounts.Owner(Path.Combine(server.ShareDir, "a.txt")), Is.EqualTo((_a.Uid, _a.Gid)));
        Assert.That(UnixTestAccounts.Owner(Path.Combine(server.ShareDir, "a-dir")), Is.EqualTo((_a.Uid, _a.Gid)));
        // Samba's defaults: create mask 0744 over 0666, directory mask 0755 over 0777 (the umask may take more).
        Assert.That((int)File.GetUnixFileMode(Path.Combine(server.ShareDir, "a.txt")) & ~0x1A4, Is.Zero);
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task Create_AsUserMappedByUid_OwnedByThatUidAndGid()
    {
        await using var server = Start();
        var (c, tree) = await ConnectAsync(server, Carol, "pw-c");
        await CreateFileAsync(c, tree, "c.txt");
        Assert.That(UnixTestAccounts.Owner(Path.Combine(server.ShareDir, "c.txt")), Is.EqualTo((_b.Uid, _group)));
    }

    [Test]
    public async Task Open_OtherUsersPrivateFile_AccessDenied()
    {
        await using var server = Start();
        var (b, bTree) = await ConnectAsync(server, UnixTestAccounts.B, PasswordB);
        await CreateFileAsync(b, bTree, "b-private");
        var path = Path.Combine(server.ShareDir, "b-private");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // 0600

        var (a, aTree) = await ConnectAsync(server, UnixTestAccounts.A, PasswordA);
        var (status, _, _) = await a.CreateAsync(aTree, "b-private", Open, GenericRead);
        Assert.That(status, Is.EqualTo(NtStatus.AccessDenied), "A opens B's 0600 file");
        var (own, file, _) = await b.CreateAsync(bTree, "b-private", Open, GenericRead);
        Assert.That(own, Is.EqualTo(NtStatus.Success), "B opens its own file");
        await b.CloseAsync(bTree, file);
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task ForceUserAndGroup_FilesOwnedByForcedUserAndGroup()
    {
        var forcedDir = UnixTestAccounts.OpenDirectory("fastsmb-force-");
        await using var server = Start(new ShareConfig("forced", forcedDir)
        {
            ForceUser = UnixTestAccounts.B,
            ForceGroup = UnixTestAccounts.Group,
        });
        try
        {
            var (c, tree) = await ConnectAsync(server, UnixTestAccounts.A, PasswordA, "forced");
            await CreateFileAsync(c, tree, "by-a.txt");
            Assert.That(UnixTestAccounts.Owner(Path.Combine(forcedDir, "by-a.txt")), Is.EqualTo((_b.Uid, _group)));
            // A user with no Unix identity of its own may still use a share that forces one.
            var (n, nTree) = await ConnectAsync(server, NoUnix, "pw-n", "forced");
            await CreateFileAsync(n, nTree, "by-nounix.txt");
            Assert.That(UnixTestAccounts.Owner(Path.Combine(forcedDir, "by-nounix.txt")).Uid, Is.EqualTo(_b.Uid));
        }
        finally
        {
            Directory.Delete(forcedDir, recursive: true);
        }
    }

    [Test]
    public async Task CreateAndDirectoryMask_ApplyToNewFilesAndDirectories()
    {
        var dir = UnixTestAccounts.OpenDirectory("fastsmb-mask-");
        await using var server = Start(new ShareConfig("masked", dir) { CreateMask = 0x180 /* 0600 */, DirectoryMask = 0x1C0 /* 0700 */ });
        try
        {
            var (c, tree) = await ConnectAsync(server, UnixTestAccounts.A, PasswordA, "masked");
            await CreateFileAsync(c, tree, "f");
            await CreateFileAsync(c, tree, "d", DirectoryFile);
            Assert.That((int)File.GetUnixFileMode(Path.Combine(dir, "f")), Is.EqualTo(0x180));
            Assert.That((int)File.GetUnixFileMode(Path.Combine(dir, "d")), Is.EqualTo(0x1C0));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task TreeConnect_UserWithoutUnixIdentity_DiskAccessDenied_IpcAllowed_Logged()
    {
        await using var server = Start();
        var c = await server.LogonAsAsync(NoUnix, "pw-n");
        var (status, _, _) = await c.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(status, Is.EqualTo(NtStatus.AccessDenied));
        Assert.That((await c.TreeConnectAsync(TestServer.Unc("IPC$"))).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(server.Log.IdentityRefusals, Has.One.Contains(NoUnix).And.Contains("no Unix account"));
    }

    [Test]
    public async Task Requests_ServerThreadsKeepServerCredentials()
    {
        var before = UnixTestAccounts.AllThreadCredentials().Select(t => (t.Uid, t.Gid, t.Groups)).Distinct().ToList();
        Assert.That(before, Has.Count.EqualTo(1), "threads differ before the test");
        await using var server = Start();
        var (a, aTree) = await ConnectAsync(server, UnixTestAccounts.A, PasswordA);
        var (b, bTree) = await ConnectAsync(server, UnixTestAccounts.B, PasswordB);
        for (int i = 0; i < 20; i++)
        {
            await CreateFileAsync(a, aTree, $"a{i}");
            await CreateFileAsync(b, bTree, $"b{i}");
            // failures too: B's 0644 file cannot be opened for writing by A
            Assert.That((await a.CreateAsync(aTree, $"b{i}", Open, GenericAll)).Status, Is.EqualTo(NtStatus.AccessDenied));
            Assert.That((await a.CreateAsync(aTree, "missing", Open)).Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
        }
        var after = UnixTestAccounts.AllThreadCredentials();
        var server0 = ThreadCredentials.Server;
        Assert.That(after.Where(t => (t.Uid, t.Gid, t.Groups) != before[0]), Is.Empty,
            $"threads left with other credentials than the server's ({server0})");
    }
}
