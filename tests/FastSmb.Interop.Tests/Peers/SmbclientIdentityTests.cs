using System.Runtime.Versioning;
using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// Identity mapping end to end: a user added with `fastsmb user add` whose name is a Unix account puts a file with
/// Samba's smbclient, and the file on disk belongs to that account (`stat -c %U`). Needs root, as CI runs it.
/// </summary>
[SupportedOSPlatform("linux")]
public class SmbclientIdentityTests
{
    private const string UnixUser = "fastsmb-test-a";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    [Test]
    public void Put_AsUserMappedToUnixAccount_FileOwnedByThatAccount()
    {
        if (Environment.UserName != "root")
            Assert.Fail("this test runs the server's file operations as another Unix user and needs root (CI runs as root)");
        var dataDir = FastSmbServerFixture.DataDir
            ?? throw new IgnoreException("needs the fastsmb serve this fixture started (its data dir and admin socket)");
        var target = FastSmbServerFixture.Target;
        if (ExternalTool.Run("id", [UnixUser], s_timeout).ExitCode != 0)
        {
            var add = ExternalTool.Run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", UnixUser], s_timeout);
            Assert.That(add.ExitCode, Is.AnyOf(0, 9), add.ToString());
        }
        const string password = "Id3ntity-Pw";
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var added = ExternalTool.Run(dotnet, [FastSmbPaths.FastSmbDll, "user", "add", UnixUser, "--password", password,
            "--data-dir", dataDir], s_timeout);
        Assert.That(added.ExitCode == 0 || added.Output.Contains("already taken", StringComparison.Ordinal), Is.True, added.ToString());
        var share = Path.Combine(dataDir, "share");
        File.SetUnixFileMode(share, (UnixFileMode)0x1FF); // the mapped user creates files in the share's root

        var work = Directory.CreateTempSubdirectory("fastsmb-identity-");
        try
        {
            var input = Path.Combine(work.FullName, "in.txt");
            File.WriteAllText(input, "owned by the user who wrote it");
            var result = ExternalTool.Run("smbclient",
                [
                    $"//{target.Host}/{ServerTarget.ShareName}",
                    "-p", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-U", $"{UnixUser}%{password}",
                    "-s", FastSmbPaths.ClientConf,
                    "--use-kerberos=off",
                    "-c", $"put {input} identity.txt",
                ],
                s_timeout);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());

            var stat = ExternalTool.Run("stat", ["-c", "%U", Path.Combine(share, "identity.txt")], s_timeout);
            Assert.That(stat.StdOut.Trim(), Is.EqualTo(UnixUser), stat.ToString());
        }
        finally
        {
            work.Delete(recursive: true);
            File.Delete(Path.Combine(share, "identity.txt"));
        }
    }
}
