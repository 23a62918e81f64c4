using System.Security.Cryptography;
using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// Files over SMB with Samba's smbclient (Debian 12: 4.17): put, ls, get (content compared), mkdir, rename into the
/// new directory, allinfo, del, rmdir — one scripted session per dialect, as a user would type it.
/// </summary>
public class SmbclientFileTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    [TestCase("SMB2_02")]
    [TestCase("SMB2_10")]
    [TestCase("SMB3_02")]
    [TestCase("SMB3_11")]
    public void Script_PutLsGetMkdirRenameAllinfoDelRmdir_Works(string dialect)
    {
        var target = FastSmbServerFixture.Target;
        var work = Directory.CreateTempSubdirectory("fastsmb-smbclient-");
        try
        {
            var input = Path.Combine(work.FullName, "in.bin");
            var output = Path.Combine(work.FullName, "out.bin");
            // A few MiB: more than one READ/WRITE at every dialect's size, and not a multiple of any of them.
            File.WriteAllBytes(input, RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 12345));
            string name = "file-" + dialect;
            string dir = "dir-" + dialect;
            string script = string.Join("; ",
                $"put {input} {name}", "ls", $"get {name} {output}", $"mkdir {dir}", $@"rename {name} {dir}\x",
                $@"ls {dir}\*", $@"allinfo {dir}\x", $@"del {dir}\x", $"rmdir {dir}", "ls");

            var result = Smbclient(target, script, $"--option=client min protocol={dialect}",
                $"--option=client max protocol={dialect}");

            Assert.That(result.TimedOut, Is.False, result.ToString());
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Not.Contain("NT_STATUS_CONNECTION"), result.ToString());
            Assert.That(File.ReadAllBytes(output), Is.EqualTo(File.ReadAllBytes(input)), "the file came back different");
            var lines = result.StdOut.Split('\n', StringSplitOptions.TrimEntries);
            Assert.That(lines.Count(l => l.StartsWith(name + " ", StringComparison.Ordinal)), Is.EqualTo(1), result.ToString());
            Assert.That(lines, Has.Some.Match(@"^x\s+A\s+3158073\b"), result.ToString());
            Assert.That(lines, Has.Some.EqualTo("stream: [::$DATA], 3158073 bytes"), result.ToString());
            Assert.That(lines, Has.Some.StartsWith("create_time:"), result.ToString());
            // the last ls: neither the file nor the directory is left
            var last = result.StdOut[result.StdOut.LastIndexOf("stream:", StringComparison.Ordinal)..];
            Assert.That(last, Does.Not.Contain(name).And.Not.Contain(dir), result.ToString());
            if (FastSmbServerFixture.DataDir is { } dataDir)
            {
                var share = Path.Combine(dataDir, "share");
                Assert.That(File.Exists(Path.Combine(share, name)), Is.False);
                Assert.That(Directory.Exists(Path.Combine(share, dir)), Is.False);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Test]
    public void Get_MissingFile_ObjectNameNotFound()
    {
        var target = FastSmbServerFixture.Target;
        var result = Smbclient(target, "get no-such-file /dev/null");

        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.Output, Does.Contain("NT_STATUS_OBJECT_NAME_NOT_FOUND"), result.ToString());
    }

    private static ToolResult Smbclient(ServerTarget target, string script, params string[] options) =>
        ExternalTool.Run("smbclient",
            [
                $"//{target.Host}/{ServerTarget.ShareName}",
                "-p", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", target.Credentials,
                "-s", FastSmbPaths.ClientConf,
                "--use-kerberos=off",
                .. options,
                "-c", script,
            ],
            s_timeout);
}
