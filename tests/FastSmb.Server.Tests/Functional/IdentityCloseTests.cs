using System.Runtime.Versioning;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using FastSmb.Server.Tests.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// The closes a LOGOFF or a lost connection makes run as the user whose opens they are, as TREE_DISCONNECT's do: a
/// delete-on-close file goes only where the user may delete it. Each test leaves two delete-on-close opens of user A:
/// "gone.txt" in the share root (everybody may delete there) and "a-dir/keep.txt" in A's directory, which the test
/// then makes read-only; run as A, the closes delete the first and cannot delete the second (as root they would
/// delete both). Needs root (CI).
/// </summary>
[CancelAfter(30_000)]
[NonParallelizable]
[SupportedOSPlatform("linux")]
public class IdentityCloseTests
{
    private const string PasswordA = "pw-a";

    [OneTimeSetUp]
    public void CreateAccounts() => UnixTestAccounts.Ensure();

    private static async Task<(TestServer, Smb2ClientConnection)> OpenTwoDeleteOnCloseFilesAsync()
    {
        var server = TestServer.StartWithUsers(users => users.Add(UnixTestAccounts.A, PasswordA));
        File.SetUnixFileMode(server.ShareDir, (UnixFileMode)0x1FF);
        var c = await server.LogonAsAsync(UnixTestAccounts.A, PasswordA);
        var (status, tree, _) = await c.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var (dirStatus, dir, _) = await c.CreateAsync(tree, "a-dir", Create, options: DirectoryFile);
        Assert.That(dirStatus, Is.EqualTo(NtStatus.Success));
        await c.CloseAsync(tree, dir);
        foreach (var name in (string[])["gone.txt", @"a-dir\keep.txt"])
        {
            var (s, _, _) = await c.CreateAsync(tree, name, Create, options: NonDirectoryFile | DeleteOnClose);
            Assert.That(s, Is.EqualTo(NtStatus.Success), name);
        }
        File.SetUnixFileMode(Path.Combine(server.ShareDir, "a-dir"), (UnixFileMode)0x16D /* 0555 */);
        return (server, c);
    }

    [Test]
    public async Task Logoff_DeleteOnCloseOpens_ClosedAsTheUser()
    {
        var (server, c) = await OpenTwoDeleteOnCloseFilesAsync();
        await using (server)
        {
            var logoff = await c.SendAsync(Smb2Command.Logoff, LogoffRequest.Write);
            Assert.That(logoff.Status, Is.EqualTo(NtStatus.Success));

            Assert.That(File.Exists(Path.Combine(server.ShareDir, "gone.txt")), Is.False, "deleted where A may delete");
            Assert.That(File.Exists(Path.Combine(server.ShareDir, "a-dir", "keep.txt")), Is.True,
                "kept where only root could delete: the close ran as A");
        }
    }

    [Test]
    public async Task ConnectionLost_DeleteOnCloseOpens_ClosedAsTheUser()
    {
        var (server, c) = await OpenTwoDeleteOnCloseFilesAsync();
        await using (server)
        {
            await c.DisposeAsync();

            string gone = Path.Combine(server.ShareDir, "gone.txt");
            // The server notices the lost connection on its own schedule: wait for the close it makes.
            for (int i = 0; i < 200 && File.Exists(gone); i++) await Task.Delay(50);
            Assert.That(File.Exists(gone), Is.False, "deleted where A may delete");
            Assert.That(File.Exists(Path.Combine(server.ShareDir, "a-dir", "keep.txt")), Is.True,
                "kept where only root could delete: the close ran as A");
        }
    }
}
