using System.Runtime.Versioning;
using FastSmb.Control.State;
using FastSmb.Datapath.Identity;
using FastSmb.Datapath.State;
using FastSmb.Server.Tests.Support;

namespace FastSmb.Server.Tests.State;

/// <summary>
/// The FASTER store written from inside a user's <see cref="IdentityScope"/>, as a CREATE on a continuously available
/// share does: the data plane's view of the store (<see cref="ServerIdentityStateStore"/>) must do the store's file
/// work as the server. Written as the user, the first flush of the KV log could not create its segment file (the
/// data dir is the server's, 0755), FASTER's allocator then waited for that flush for ever, and every thread that
/// wrote the store hung behind it: `fastsmb bench --persistent` wedged the server after a few thousand opens. The KV
/// here has 256 KiB of memory, so a few thousand records go through flush and eviction. Needs root (CI).
/// </summary>
[NonParallelizable]
[SupportedOSPlatform("linux")]
public sealed class StateStoreUnderUserIdentityTests
{
    private string _dir = "";
    private UnixIdentity _user = null!;

    [OneTimeSetUp]
    public void CreateAccount()
    {
        var (a, _, _) = UnixTestAccounts.Ensure();
        _user = new UnixIdentity(a.Uid, a.Gid, [a.Gid]);
    }

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "fastsmb-state-user-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task WritesFromInsideAUsersScope_FlushAndEvict_AndCommitAsTheServer()
    {
        await using var faster = FasterServerStateStore.Open(new StateStoreOptions(_dir)
        {
            CheckpointInterval = TimeSpan.FromMilliseconds(200),
            KvMemorySizeBits = 18,
            LogSegmentSizeBits = 20,
        });
        var store = ServerIdentityStateStore.Wrap(faster);
        const int records = 6000;
        string? fsuidInside = null;
        // A dedicated thread, as a core loop is: it runs the writes inside the user's scope, the way the dispatcher
        // runs a CREATE handler.
        var writer = new Thread(() =>
        {
            using (IdentityScope.Enter(_user))
            {
                fsuidInside = FsUid();
                for (int i = 0; i < records; i++)
                {
                    ulong id = store.AllocatePersistentFileId();
                    store.UpsertOpen(StateSamples.Open(id, persistent: false));
                    if (i % 3 == 0) store.RemoveOpen(id);
                }
                store.CommitOpenAsync(StateSamples.Open(store.AllocatePersistentFileId())).AsTask().Wait();
                Assert.That(FsUid(), Is.EqualTo(_user.Uid.ToString()), "the store call did not give the user's identity back");
            }
        }) { IsBackground = true, Name = "state-store-user-writer" };
        writer.Start();
        // Bounded: before the fix the writer never returned (a hang guard, not a timing assertion).
        Assert.That(writer.Join(TimeSpan.FromMinutes(2)), Is.True, "writing the store from inside a user's scope hung");
        Assert.That(fsuidInside, Is.EqualTo(_user.Uid.ToString()));
        Assert.That(faster.KvTailAddressForTests, Is.GreaterThan(1L << 18), "the KV log never outgrew its memory: the flush path was not reached");
        var segment = Path.Combine(_dir, "kv", "hlog.0");
        Assert.That(File.Exists(segment), Is.True, "the KV log never flushed");
        Assert.That(new FileInfo(segment).Length, Is.GreaterThan(0));
        Assert.That(faster.Opens().Count, Is.EqualTo(records - (records + 2) / 3 + 1));
    }

    private static string FsUid()
    {
        var line = File.ReadAllLines("/proc/thread-self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[4];
    }
}
