using System.Globalization;
using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// A share with "smb encrypt = required" ([MS-SMB2] 3.3.5.7, SMB2_SHAREFLAG_ENCRYPT_DATA), on a second
/// `fastsmb serve` started with its own fastsmb.conf: smbclient (Samba 4.17) connects to it encrypted at SMB 3.x
/// and is refused at SMB 2.1; an unencrypted share stays reachable either way.
/// </summary>
[NonParallelizable]
public class SmbclientEncryptedShareTests
{
    private const string EncryptedShare = "secret";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
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
            foreach (var share in new[] { ServerTarget.ShareName, EncryptedShare })
            {
                Directory.CreateDirectory(Path.Combine(dataDir, share));
            }
            return $"""
                [global]
                   workgroup = WORKGROUP
                [{ServerTarget.ShareName}]
                   path = {Path.Combine(dataDir, ServerTarget.ShareName)}
                [{EncryptedShare}]
                   path = {Path.Combine(dataDir, EncryptedShare)}
                   smb encrypt = required
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
        File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, "fastsmb-serve-encrypted-share.log"), _server.Output);
        _server.Dispose();
    }

    [TestCase(EncryptedShare)]
    [TestCase(ServerTarget.ShareName)]
    public void Connect_EncryptingClient_Succeeds(string share)
    {
        var result = Connect(share, "--client-protection=encrypt");
        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }

    [Test]
    public void Connect_DefaultSmb311Client_FollowsShareFlagAndSucceeds()
    {
        // No encryption asked for: the server's SMB2_SHAREFLAG_ENCRYPT_DATA makes smbclient encrypt on that tree.
        var result = Connect(EncryptedShare);
        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }

    [Test]
    public void Connect_Smb210Client_EncryptedShareAccessDenied()
    {
        var result = Connect(EncryptedShare, "--option=client max protocol=SMB2_10");
        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("NT_STATUS_ACCESS_DENIED"), result.ToString());
    }

    [Test]
    public void Connect_Smb210Client_PlainShareSucceeds()
    {
        var result = Connect(ServerTarget.ShareName, "--option=client max protocol=SMB2_10");
        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }

    /// <summary>smbclient //host/share -c exit: NEGOTIATE, SESSION_SETUP, TREE_CONNECT, TREE_DISCONNECT, LOGOFF.</summary>
    private ToolResult Connect(string share, params string[] options)
    {
        var target = _server!.Target;
        return ExternalTool.Run("smbclient",
            [
                $"//{target.Host}/{share}",
                "-p", target.Port.ToString(CultureInfo.InvariantCulture),
                "-U", $"{target.User}%{target.Password}",
                "-s", FastSmbPaths.ClientConf,
                "--use-kerberos=off",
                "-c", "exit",
                .. options,
            ],
            s_timeout);
    }
}
