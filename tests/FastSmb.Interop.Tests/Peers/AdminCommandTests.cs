using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// The admin commands against the running `fastsmb serve` (a second `dotnet fastsmb.dll` process talking to the
/// server's admin socket), checked with Samba's smbclient: no restart between the change and its effect.
/// </summary>
public class AdminCommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static string DataDirOrIgnore() =>
        FastSmbServerFixture.DataDir ?? throw new IgnoreException("the admin commands need the fastsmb serve this fixture started");

    private static ToolResult Fastsmb(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return ExternalTool.Run(dotnet, [FastSmbPaths.FastSmbDll, .. args], s_timeout);
    }

    private static ToolResult ListShares(ServerTarget target, string user, string password) =>
        ExternalTool.Run("smbclient",
            [
                "-L", $"//{target.Host}",
                "-p", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", $"{user}%{password}",
                "-s", FastSmbPaths.ClientConf,
                "--use-kerberos=off",
            ],
            s_timeout);

    [Test]
    public void UserAdd_WhileServing_NewUserListsSharesWithoutRestart()
    {
        var dataDir = DataDirOrIgnore();
        var target = FastSmbServerFixture.Target;
        const string password = "New-Us3r-Pw";

        var before = ListShares(target, "newuser", password);
        Assert.That(before.Output, Does.Contain("NT_STATUS_LOGON_FAILURE"), before.ToString());

        var add = Fastsmb("user", "add", "newuser", "--password", password, "--data-dir", dataDir);
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        Assert.That(add.StdOut, Does.Contain("user newuser added"), add.ToString());

        var after = ListShares(target, "newuser", password);
        Assert.That(after.ExitCode, Is.Zero, after.ToString());
        Assert.That(SambaToolOutput.SmbclientShares(after.StdOut), Does.Contain(new ListedShare(ServerTarget.ShareName, "Disk")), after.ToString());
    }

    [Test]
    public void ShareAdd_WhileServing_ListedBySmbclient()
    {
        var dataDir = DataDirOrIgnore();
        var target = FastSmbServerFixture.Target;
        var path = Directory.CreateDirectory(Path.Combine(dataDir, "added-share")).FullName;

        var add = Fastsmb("share", "add", "added", "--path", path, "--comment", "Added live", "--data-dir", dataDir);
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        Assert.That(add.StdOut, Does.Contain("reloaded"), add.ToString());
        try
        {
            var listed = ListShares(target, target.User, target.Password);
            Assert.That(listed.ExitCode, Is.Zero, listed.ToString());
            Assert.That(SambaToolOutput.SmbclientShares(listed.StdOut), Does.Contain(new ListedShare("added", "Disk")), listed.ToString());
        }
        finally
        {
            Fastsmb("share", "del", "added", "--data-dir", dataDir);
        }
        var gone = ListShares(target, target.User, target.Password);
        Assert.That(SambaToolOutput.SmbclientShares(gone.StdOut).Select(s => s.Name), Does.Not.Contain("added"), gone.ToString());
    }
}
