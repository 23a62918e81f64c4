using FastSmb.Control.Accounts;
using FastSmb.Control.Users;

namespace FastSmb.Server.Tests.Accounts;

public class DirectoryStoreTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("fastsmb-directory-").FullName;

    [TearDown]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private static byte[] Hash(string password) => FileUserStore.ComputeNtHash(password);

    [Test]
    public void AddUser_DisposeAndReopen_UserAndSidsSurvive()
    {
        string machineSid, sid;
        using (var store = DirectoryStore.Open(_dir))
        {
            machineSid = store.MachineSid;
            Assert.That(store.AddUser("alice", Hash("pw1")), Is.EqualTo(DirectoryResult.Ok));
            Assert.That(store.TryGetUser("alice", out var alice));
            sid = alice.Sid;
        }
        using (var store = DirectoryStore.Open(_dir))
        {
            Assert.That(store.MachineSid, Is.EqualTo(machineSid));
            Assert.That(store.TryGet("ALICE", out var account), "lookups are case-insensitive");
            Assert.That(account.NtHash, Is.EqualTo(Hash("pw1")));
            Assert.That(store.TryGetUser("alice", out var alice));
            Assert.That(alice.Sid, Is.EqualTo(sid));
            Assert.That(store.StoredFormatVersion, Is.EqualTo(DirectoryStore.FormatVersion));
        }
    }

    [Test]
    public void Changes_Reopen_EveryKindSurvives()
    {
        using (var store = DirectoryStore.Open(_dir))
        {
            store.AddUser("alice", Hash("a"));
            store.AddUser("bob", Hash("b"));
            store.AddUser("carol", Hash("c"));
            store.SetPassword("bob", Hash("b2"));
            store.DeleteUser("carol");
            store.AddGroup("staff");
            store.SetMember("staff", "alice", add: true);
        }
        using (var store = DirectoryStore.Open(_dir))
        {
            Assert.That(store.ListUsers().Select(u => u.Name), Is.EqualTo(new[] { "alice", "bob" }));
            Assert.That(store.TryGet("bob", out var bob) && bob.NtHash.SequenceEqual(Hash("b2")));
            Assert.That(store.TryGet("carol", out _), Is.False);
            Assert.That(store.IsMember("alice", "STAFF"));
            Assert.That(store.IsMember("bob", "staff"), Is.False);
            // carol's RID 1002 stays taken: the next user gets 1003.
            store.AddUser("dave", Hash("d"));
            Assert.That(store.TryGetUser("dave", out var dave) && dave.Sid.EndsWith("-1003"), Is.True);
        }
    }

    [Test]
    public void ListUsers_AfterUpdatesAndDeletes_EachLiveUserOnce()
    {
        using var store = DirectoryStore.Open(_dir);
        store.AddUser("alice", Hash("a"));
        store.AddUser("bob", Hash("b"));
        // Each change checkpoints (fold-over), so these updates land as new versions above read-only ones.
        store.SetPassword("alice", Hash("a2"));
        store.SetPassword("alice", Hash("a3"));
        store.DeleteUser("bob");
        store.AddUser("bob", Hash("b2"));
        store.DeleteUser("bob");
        Assert.That(store.ListUsers().Select(u => u.Name), Is.EqualTo(new[] { "alice" }));
        Assert.That(store.ListUsers()[0].NtHash, Is.EqualTo(Hash("a3")));
    }

    [Test]
    public void Sids_MachineSidAndRids_LikeSamba()
    {
        using var store = DirectoryStore.Open(_dir);
        Assert.That(store.MachineSid, Does.Match(@"^S-1-5-21-\d+-\d+-\d+$"));
        store.AddUser("u1", Hash("x"));
        store.AddUser("u2", Hash("x"));
        store.AddGroup("g1");
        store.TryGetUser("u1", out var u1);
        store.TryGetUser("u2", out var u2);
        store.TryGetGroup("g1", out var g1);
        Assert.That(u1.Sid, Is.EqualTo(store.MachineSid + "-1000"));
        Assert.That(u2.Sid, Is.EqualTo(store.MachineSid + "-1001"));
        Assert.That(g1.Sid, Is.EqualTo(store.MachineSid + "-2000"));
        Assert.That(store.TryLookupRid(1001, out var key) && key == "u:u2");
    }

    [Test]
    public void MachineSid_TwoStores_Differ()
    {
        using var a = DirectoryStore.Open(Path.Combine(_dir, "a"));
        using var b = DirectoryStore.Open(Path.Combine(_dir, "b"));
        Assert.That(a.MachineSid, Is.Not.EqualTo(b.MachineSid));
    }

    [Test]
    public void AddUser_Twice_AlreadyExists_AndBadNamesRefused()
    {
        using var store = DirectoryStore.Open(_dir);
        Assert.That(store.AddUser("alice", Hash("x")), Is.EqualTo(DirectoryResult.Ok));
        Assert.That(store.AddUser("Alice", Hash("x")), Is.EqualTo(DirectoryResult.AlreadyExists));
        Assert.That(store.AddUser("a:b", Hash("x")), Is.EqualTo(DirectoryResult.InvalidName));
        Assert.That(store.AddUser("", Hash("x")), Is.EqualTo(DirectoryResult.InvalidName));
        Assert.That(store.DeleteUser("nobody"), Is.EqualTo(DirectoryResult.NotFound));
    }

    [Test]
    public void Open_WhileOpen_Locked()
    {
        using var store = DirectoryStore.Open(_dir);
        Assert.Throws<DirectoryLockedException>(() => DirectoryStore.Open(_dir));
    }

    [Test]
    public void Open_NewerFormat_RefusedWithClearMessage()
    {
        using (var store = DirectoryStore.Open(_dir))
        {
            store.WriteFormatVersionForTests(DirectoryStore.FormatVersion + 1);
        }
        var e = Assert.Throws<DirectoryFormatException>(() => DirectoryStore.Open(_dir));
        Assert.That(e!.Message, Does.Contain($"format {DirectoryStore.FormatVersion + 1}").And.Contain("newer FastSmb"));
    }

    [Test]
    public void TryGet_ConcurrentReadersWhileWriting_AllSeeTheirUser()
    {
        using var store = DirectoryStore.Open(_dir);
        for (int i = 0; i < 20; i++) store.AddUser($"user{i}", Hash($"pw{i}"));
        int failures = 0;
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 10; i++) store.AddUser($"late{i}", Hash("x"));
        });
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int n = i % 20;
            if (!store.TryGet($"user{n}", out var a) || !a.NtHash.SequenceEqual(Hash($"pw{n}"))) Interlocked.Increment(ref failures);
        });
        writer.Wait();
        Assert.That(failures, Is.Zero);
        Assert.That(store.ListUsers(), Has.Count.EqualTo(30));
    }
}
