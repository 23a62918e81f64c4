using System.Globalization;
using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// impacket (Debian 12: python3-impacket 0.10) through scripts/impacket_list_shares.py: an independent SMB2/3
/// client, NTLMSSP, and srvsvc NetrShareEnum over a pipe opened with CREATE and driven by WRITE/READ.
/// </summary>
public class ImpacketTests
{
    // Debian's python3 with Debian's impacket, never whatever python3 comes first on PATH (pyenv, venvs).
    private const string Python = "/usr/bin/python3";

    // "auto" is impacket's default: a multi-protocol SMB1 NEGOTIATE offering "SMB 2.002" and "SMB 2.???"
    // ([MS-SMB2] 3.3.5.3), then an SMB2 NEGOTIATE. The others send an SMB2 NEGOTIATE with that dialect only.
    [TestCase("auto", null)]
    [TestCase("2.0.2", "0x0202")]
    [TestCase("2.1", "0x0210")]
    [TestCase("3.0", "0x0300")]
    public void ListShares_Dialect_ListsShareAndIpc(string dialect, string? expectedDialect)
    {
        var target = FastSmbServerFixture.Target;
        var result = ListShares(target, target.Password, dialect);

        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var lines = result.StdOut.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Does.Contain("share " + ServerTarget.ShareName), result.ToString());
        Assert.That(lines, Does.Contain("share IPC$"), result.ToString());
        if (expectedDialect is not null)
        {
            Assert.That(lines, Does.Contain("dialect " + expectedDialect), result.ToString());
        }
    }

    [Test]
    public void Login_WrongPassword_LogonFailure()
    {
        var target = FastSmbServerFixture.Target;
        var result = ListShares(target, target.Password + "-wrong", "auto");

        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.StdOut, Does.Contain("error STATUS_LOGON_FAILURE"), result.ToString());
    }

    [TestCase("auto")]
    [TestCase("2.0.2")]
    [TestCase("3.0")]
    public void Files_PutListGetRenameDelete_ContentComesBack(string dialect)
    {
        var target = FastSmbServerFixture.Target;
        var work = Directory.CreateTempSubdirectory("fastsmb-impacket-");
        try
        {
            var input = Path.Combine(work.FullName, "in.bin");
            var output = Path.Combine(work.FullName, "out.bin");
            File.WriteAllBytes(input, System.Security.Cryptography.RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 777));

            var result = ExternalTool.Run(Python,
                [
                    FastSmbPaths.TestFile("scripts/impacket_files.py"),
                    target.Host,
                    target.Port.ToString(CultureInfo.InvariantCulture),
                    target.User,
                    ServerTarget.ShareName,
                    input,
                    output,
                    "--dialect", dialect,
                ],
                PythonEnvironment(target.Password),
                TimeSpan.FromSeconds(120));

            Assert.That(result.TimedOut, Is.False, result.ToString());
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            var lines = result.StdOut.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Is.SupersetOf(new[] { "ok put", "ok get", "ok rename", "ok delete" }), result.ToString());
            Assert.That(lines, Does.Contain("list 1 impacket-put.bin 2097929"), result.ToString());
            Assert.That(lines, Does.Contain("list 2 impacket-renamed.bin 2097929"), result.ToString());
            Assert.That(lines.Where(l => l.StartsWith("list 3 ", StringComparison.Ordinal)),
                Has.None.Contains("impacket-"), result.ToString());
            Assert.That(File.ReadAllBytes(output), Is.EqualTo(File.ReadAllBytes(input)), "the file came back different");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string?> PythonEnvironment(string password) => new()
    {
        ["SMB_PASSWORD"] = password,
        // the system python must not pick up modules of another interpreter
        ["PYTHONPATH"] = null,
        ["PYTHONHOME"] = null,
    };

    private static ToolResult ListShares(ServerTarget target, string password, string dialect) =>
        ExternalTool.Run(Python,
            [
                FastSmbPaths.TestFile("scripts/impacket_list_shares.py"),
                target.Host,
                target.Port.ToString(CultureInfo.InvariantCulture),
                target.User,
                "--dialect", dialect,
            ],
            new Dictionary<string, string?>
            {
                ["SMB_PASSWORD"] = password,
                // the system python must not pick up modules of another interpreter
                ["PYTHONPATH"] = null,
                ["PYTHONHOME"] = null,
            },
            TimeSpan.FromSeconds(60));
}
