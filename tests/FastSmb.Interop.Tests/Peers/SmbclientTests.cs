using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>Samba's smbclient (Debian 12: 4.17) logs on and lists the shares: NEGOTIATE, SESSION_SETUP (NTLMSSP),
/// TREE_CONNECT to IPC$ and srvsvc NetShareEnumAll over a named pipe.</summary>
public class SmbclientTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [TestCase("SMB2_02")]
    [TestCase("SMB2_10")]
    [TestCase("SMB3_00")]
    [TestCase("SMB3_02")]
    [TestCase("SMB3_11")]
    public void ListShares_Dialect_ListsShareAndIpc(string dialect)
    {
        var target = FastSmbServerFixture.Target;
        var result = ListShares(target, target.Password,
            $"--option=client min protocol={dialect}", $"--option=client max protocol={dialect}");

        AssertListsShareAndIpc(result);
    }

    [Test]
    public void ListShares_SigningRequired_ListsShareAndIpc()
    {
        // Samba 4.17's smbclient has --client-protection=sign|encrypt|off (4.15+); "sign" makes signing required.
        var target = FastSmbServerFixture.Target;
        var result = ListShares(target, target.Password, "--client-protection=sign");

        AssertListsShareAndIpc(result);
    }

    [TestCase("SMB3_11", "sign")]
    [TestCase("SMB3_11", "encrypt")]
    [TestCase("SMB3_02", "encrypt")]
    [TestCase("SMB3_00", "encrypt")]
    public void ListShares_ClientProtection_ListsShareAndIpc(string dialect, string protection)
    {
        // "encrypt": smbclient requires SMB3 encryption and sends everything after SESSION_SETUP in TRANSFORM
        // messages (3.1.1: the cipher of ENCRYPTION_CAPABILITIES; 3.0/3.0.2: AES-128-CCM); "sign" at 3.1.1 signs
        // with the SIGNING_CAPABILITIES algorithm (AES-GMAC for Samba 4.17).
        var target = FastSmbServerFixture.Target;
        var result = ListShares(target, target.Password, $"--client-protection={protection}",
            $"--option=client min protocol={dialect}", $"--option=client max protocol={dialect}");

        AssertListsShareAndIpc(result);
    }

    [Test]
    public void ListShares_EncryptOverSmb210_Refused()
    {
        // smbclient itself refuses: a 2.x dialect cannot encrypt.
        var target = FastSmbServerFixture.Target;
        var result = ListShares(target, target.Password, "--client-protection=encrypt", "--option=client max protocol=SMB2_10");

        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
    }

    [Test]
    public void ListShares_WrongPassword_LogonFailure()
    {
        var target = FastSmbServerFixture.Target;
        var result = ListShares(target, target.Password + "-wrong");

        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("NT_STATUS_LOGON_FAILURE"), result.ToString());
    }

    private static ToolResult ListShares(ServerTarget target, string password, params string[] options) =>
        ExternalTool.Run("smbclient",
            [
                "-L", $"//{target.Host}",
                "-p", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", $"{target.User}%{password}",
                "-s", FastSmbPaths.ClientConf,
                "--use-kerberos=off",
                .. options,
            ],
            s_timeout);

    private static void AssertListsShareAndIpc(ToolResult result)
    {
        Assert.That(result.TimedOut, Is.False, result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var shares = SambaToolOutput.SmbclientShares(result.StdOut);
        Assert.That(shares, Does.Contain(new ListedShare(ServerTarget.ShareName, "Disk")), result.ToString());
        Assert.That(shares, Does.Contain(new ListedShare("IPC$", "IPC")), result.ToString());
    }
}
