using System.Runtime.Versioning;
using FastSmb.Datapath.Identity;
using FastSmb.Server.Tests.Support;

namespace FastSmb.Server.Tests.Datapath;

/// <summary>
/// <see cref="IdentityScope"/> on the calling thread, read back from /proc/thread-self/status: the thread takes the
/// user's fsuid/fsgid and groups, no other thread does, and the server's come back on dispose and on exceptions.
/// Needs root (CI).
/// </summary>
[NonParallelizable]
[SupportedOSPlatform("linux")]
public class IdentityScopeTests
{
    private UnixIdentity _a = null!, _b = null!;
    private uint _group;

    [OneTimeSetUp]
    public void CreateAccounts()
    {
        var (a, b, group) = UnixTestAccounts.Ensure();
        _group = group;
        _a = new UnixIdentity(a.Uid, a.Gid, [a.Gid, group]);
        _b = new UnixIdentity(b.Uid, b.Gid, [b.Gid]);
    }

    private static (string Uid, string Gid, string Groups) Self()
    {
        var lines = File.ReadAllLines("/proc/thread-self/status");
        string Field(string key) => lines.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim();
        return (Field("Uid:"), Field("Gid:"), Field("Groups:"));
    }

    private static string FsField(string line) => line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[3];

    [Test]
    public void Enter_SwitchesOnlyThisThread_DisposeRestores()
    {
        var before = Self();
        string? otherDuring = null;
        // A thread that exists before the switch (as every server thread does): it must keep the server's
        // credentials. (A thread created inside the scope would inherit the user's: clone copies them.)
        using var entered = new ManualResetEventSlim();
        var other = new Thread(() => { entered.Wait(); otherDuring = Self().Uid; });
        other.Start();
        using (IdentityScope.Enter(_a))
        {
            var during = Self();
            Assert.That(FsField(during.Uid), Is.EqualTo(_a.Uid.ToString()));
            Assert.That(FsField(during.Gid), Is.EqualTo(_a.Gid.ToString()));
            Assert.That(during.Groups.Split(' ', StringSplitOptions.RemoveEmptyEntries), Does.Contain(_group.ToString()));
            // The effective uid is untouched (setfsuid, not setuid): the thread can always switch back.
            Assert.That(during.Uid.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1], Is.EqualTo("0"));
            entered.Set();
            other.Join();
        }
        Assert.That(FsField(otherDuring!), Is.EqualTo("0"), "another thread took the identity (glibc's broadcast?)");
        Assert.That(Self(), Is.EqualTo(before));
    }

    [Test]
    public void Enter_HandlerThrows_Restored()
    {
        var before = Self();
        Assert.Throws<InvalidOperationException>(() =>
        {
            using (IdentityScope.Enter(_a))
                throw new InvalidOperationException("handler bug");
        });
        Assert.That(Self(), Is.EqualTo(before));
    }

    [Test]
    public void Enter_AsUser_FileCallsCheckedAsUser()
    {
        var dir = UnixTestAccounts.OpenDirectory("fastsmb-scope-");
        try
        {
            var secret = Path.Combine(dir, "root-only");
            File.WriteAllText(secret, "x");
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using (IdentityScope.Enter(_a))
            {
                Assert.Throws<UnauthorizedAccessException>(() => File.ReadAllText(secret));
                File.WriteAllText(Path.Combine(dir, "mine"), "y");
            }
            Assert.That(UnixTestAccounts.Owner(Path.Combine(dir, "mine")), Is.EqualTo((_a.Uid, _a.Gid)));
            Assert.That(File.ReadAllText(secret), Is.EqualTo("x"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Enter_Repeatedly_SwitchesEveryTime()
    {
        // The read-back check runs once per thread and identity; the switches themselves must happen every time,
        // for the same user again, for another user, and back to the server in between.
        var before = Self();
        foreach (var identity in new[] { _a, _a, _b, _a, _b, _b })
        {
            using (IdentityScope.Enter(identity))
            {
                var during = Self();
                Assert.That(FsField(during.Uid), Is.EqualTo(identity.Uid.ToString()));
                Assert.That(FsField(during.Gid), Is.EqualTo(identity.Gid.ToString()));
                Assert.That(during.Groups.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                    Is.EquivalentTo(identity.Groups.Select(g => g.ToString()).Distinct()));
                Assert.That(ThreadCredentials.Current(), Is.EqualTo((identity.Uid, identity.Gid)));
            }
            Assert.That(Self(), Is.EqualTo(before));
        }
    }

    [Test]
    public void Enter_Null_DoesNothing()
    {
        var before = Self();
        using (IdentityScope.Enter(null)) Assert.That(Self(), Is.EqualTo(before));
    }
}
