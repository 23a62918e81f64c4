using FastSmb.Cli;
using FastSmb.Control.Accounts;
using FastSmb.Control.Admin;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;

namespace FastSmb.Server.Tests.Cli;

/// <summary>The `fastsmb` admin commands run in-process, with and without a server answering on the admin socket.</summary>
public class AdminCommandTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDataDir()
    {
        _dir = Directory.CreateTempSubdirectory("fastsmb-cli-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "share"));
        File.WriteAllText(Path.Combine(_dir, "smb.conf"), EmbeddedDefault.DefaultConfig(Path.Combine(_dir, "share")));
    }

    [TearDown]
    public void DeleteDataDir() => Directory.Delete(_dir, recursive: true);

    private sealed record Run(int ExitCode, string Out, string Error);

    private static Run Fastsmb(string[] args, string stdin = "", bool terminal = false, params string[] secrets)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var answers = new Queue<string>(secrets);
        var console = new CliConsole(new StringReader(stdin), o, e, terminal, _ => answers.Count > 0 ? answers.Dequeue() : null);
        int code = FastSmbCommand.Run(args, console);
        return new Run(code, o.ToString(), e.ToString());
    }

    private bool HasUser(string name, string password)
    {
        using var store = DirectoryStore.Open(Path.Combine(_dir, "directory"));
        return store.TryGet(name, out var a) && a.NtHash.SequenceEqual(FileUserStore.ComputeNtHash(password));
    }

    [Test]
    public void UserAdd_NoServer_WritesTheStoreDirectly()
    {
        var r = Fastsmb(["user", "add", "alice", "--password", "pw1", "--data-dir", _dir]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Out, Does.StartWith("user alice added (S-1-5-21-"));
        Assert.That(HasUser("alice", "pw1"));
        var list = Fastsmb(["user", "list", "--data-dir", _dir]);
        Assert.That(list.Out, Does.StartWith("alice "));
    }

    [Test]
    public void UserAdd_StdinNotTerminal_ReadsOneLine()
    {
        var r = Fastsmb(["user", "add", "bob", "--data-dir", _dir], stdin: "from-stdin\nignored\n");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(HasUser("bob", "from-stdin"));
    }

    [Test]
    public void UserAdd_Terminal_PromptsTwice()
    {
        Assert.That(Fastsmb(["user", "add", "carol", "--data-dir", _dir], terminal: true, secrets: ["s3cret", "s3cret"]).ExitCode, Is.Zero);
        Assert.That(HasUser("carol", "s3cret"));
        var mismatch = Fastsmb(["user", "passwd", "carol", "--data-dir", _dir], terminal: true, secrets: ["one", "two"]);
        Assert.That(mismatch.ExitCode, Is.EqualTo(1));
        Assert.That(mismatch.Error, Does.Contain("do not match"));
        Assert.That(HasUser("carol", "s3cret"));
    }

    [Test]
    public void UserDel_Unknown_Exit1()
    {
        var r = Fastsmb(["user", "del", "nobody", "--data-dir", _dir]);
        Assert.That((r.ExitCode, r.Error.Trim()), Is.EqualTo((1, "fastsmb: no such user")));
    }

    [Test]
    public async Task UserAdd_ServerRunning_GoesThroughTheSocket()
    {
        // The "server" holds the store, so a direct open by the CLI would fail: success proves the socket was used.
        using var store = DirectoryStore.Open(Path.Combine(_dir, "directory"));
        await using var admin = AdminSocketServer.Start(Path.Combine(_dir, "admin.sock"),
            new AdminService(store, Path.Combine(_dir, "smb.conf")), adminGroup: null);
        var r = Fastsmb(["user", "add", "dave", "--password", "pw", "--data-dir", _dir]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(store.TryGet("dave", out _), Is.True);
    }

    [Test]
    public void UserAdd_StoreHeldWithoutSocket_ClearError()
    {
        using var store = DirectoryStore.Open(Path.Combine(_dir, "directory"));
        var r = Fastsmb(["user", "add", "erin", "--password", "pw", "--data-dir", _dir]);
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Error, Does.Contain("in use by another process").And.Contain("admin socket"));
    }

    [Test]
    public void ShareAddListDel_NoServer_EditsTheConfig()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        var add = Fastsmb(["share", "add", "data", "--path", data, "--comment", "Team data", "--read-only", "--data-dir", _dir]);
        Assert.That(add.ExitCode, Is.Zero, add.Error);
        var shares = SmbConfParser.ParseFile(Path.Combine(_dir, "smb.conf")).Config!.Shares;
        Assert.That(shares.Last(), Is.EqualTo(new ShareConfig("data", data, "Team data", true)));
        Assert.That(Fastsmb(["share", "list", "--data-dir", _dir]).Out, Does.Contain("data").And.Contain("(read only)"));
        Assert.That(Fastsmb(["share", "del", "data", "--data-dir", _dir]).ExitCode, Is.Zero);
        Assert.That(Fastsmb(["share", "del", "data", "--data-dir", _dir]).ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void ConfigCheck_Valid_PrintsEffectiveConfig()
    {
        var r = Fastsmb(["config", "check", "--data-dir", _dir]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Out, Does.StartWith("[global]").And.Contain("[share]").And.Contain("read only = no"));
        Assert.That(SmbConfParser.Parse(r.Out).Errors, Is.Empty, "the output is itself a valid config");
    }

    [Test]
    public void ConfigCheck_Errors_FileLineAndExit1()
    {
        var bad = Path.Combine(_dir, "bad.conf");
        File.WriteAllText(bad, "[global]\n  frobnicate = yes\n  server signing = sometimes\n");
        var r = Fastsmb(["config", "check", "--config", bad]);
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Error, Does.Contain($"warning: {bad}:2: unknown parameter 'frobnicate'"));
        Assert.That(r.Error, Does.Contain($"error: {bad}:3: invalid value 'sometimes' for 'server signing'"));
    }

    [Test]
    public void ConfigCheck_LegacyFileName_UsedAndSaid()
    {
        File.Move(Path.Combine(_dir, "smb.conf"), Path.Combine(_dir, "fastsmb.conf"));
        var r = Fastsmb(["config", "check", "--data-dir", _dir]);
        Assert.That(r.ExitCode, Is.Zero);
        Assert.That(r.Error, Does.Contain("fastsmb.conf").And.Contain("rename"));
    }

    [Test]
    public void LegacyUsersFile_ImportedOnceAndKeptAsBackup()
    {
        File.WriteAllText(Path.Combine(_dir, "users"), $"old:{Convert.ToHexString(FileUserStore.ComputeNtHash("oldpw"))}\n");
        var r = Fastsmb(["user", "list", "--data-dir", _dir]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Error, Does.Contain("imported 1 user(s)"));
        Assert.That(r.Out, Does.StartWith("old "));
        Assert.That(File.Exists(Path.Combine(_dir, "users")), Is.False);
        Assert.That(File.Exists(Path.Combine(_dir, "users.imported")), Is.True);
        Assert.That(HasUser("old", "oldpw"));
    }
}
