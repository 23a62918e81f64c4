using FastSmb.Control.State;
using FastSmb.Datapath.State;

namespace FastSmb.Server.Tests.State;

/// <summary>
/// KV log compaction and FasterLog truncation (FasterServerStateStore.Compaction.cs): thousands of open/close cycles
/// leave the files bounded by the live state, not by the history, and recovery (graceful and after a crash) still
/// returns exactly the live records.
/// </summary>
public sealed class FasterStateStoreCompactionTests
{
    private const int SegmentBits = 20;              // 1 MiB segment files, so deleted ones show
    private const long Segment = 1L << SegmentBits;
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Path.Combine(Path.GetTempPath(), "fastsmb-compact-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private FasterServerStateStore Open(long minLogBytes = 0) => FasterServerStateStore.Open(new StateStoreOptions(_dir)
    {
        CheckpointInterval = TimeSpan.Zero, LogSegmentSizeBits = SegmentBits, CompactionMinLogBytes = minLogBytes,
    });

    private long FileBytes(string folder, string pattern) =>
        new DirectoryInfo(Path.Combine(_dir, folder)).GetFiles(pattern).Sum(f => f.Length);

    /// <summary>Opens and closes <paramref name="cycles"/> files (half persistent, so the FasterLog gets them too) and
    /// logs sessions on and off, compacting every 1,000 cycles when the store finds it worth it.</summary>
    private static async Task ChurnAsync(FasterServerStateStore store, int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            var open = StateSamples.Open(store.AllocatePersistentFileId(), persistent: i % 2 == 0);
            store.UpsertOpen(open);
            store.UpsertOpen(open with { Locks = [], Sequence = 6 });
            store.RemoveOpen(open.PersistentFileId);
            store.UpsertSession(StateSamples.Session(0x9000_0000UL + (ulong)i));
            store.RemoveSession(0x9000_0000UL + (ulong)i);
            if (i % 1000 == 999) await store.CompactAsync();
        }
    }

    [Test]
    public async Task Churn_ThenCompaction_FilesBounded_AndRecoveryReturnsExactlyTheLiveOpens()
    {
        var live = new List<OpenGlobalRecord>();
        long written, logWritten;
        await using (var store = Open())
        {
            for (int i = 0; i < 40; i++)
            {
                var open = StateSamples.Open(store.AllocatePersistentFileId()) with { SessionId = 7 };
                await store.CommitOpenAsync(open);
                live.Add(open);
            }
            store.UpsertSession(StateSamples.Session(7));
            await ChurnAsync(store, 20_000);
            await store.CompactAsync();

            written = store.KvTailAddressForTests;
            logWritten = store.CommitLogForTests.TailAddress;
            Assert.That(store.Compactions, Is.GreaterThan(1), "the dead fraction passed the threshold during the churn");
            Assert.That(store.KvLogBytes, Is.LessThan(Segment), "the KV log holds the live records, not the history");
            Assert.That(store.DeadFraction(), Is.LessThan(0.5));
            Assert.That(store.CommitLogForTests.BeginAddress, Is.GreaterThan(logWritten - Segment), "the FasterLog is truncated to the last checkpoint");
        }
        // What the churn wrote is many segments; what stays on disk is a few.
        TestContext.Progress.WriteLine($"KV written {written}, on disk {FileBytes("kv", "hlog*")}; log written {logWritten}, on disk {FileBytes("log", "opens.log*")}");
        Assert.That((written, logWritten), Is.GreaterThan((5 * Segment, 3 * Segment)).Using<(long, long)>((a, b) =>
            a.Item1 > b.Item1 && a.Item2 > b.Item2 ? 1 : -1), "the churn wrote many segments to each log");
        Assert.That(FileBytes("kv", "hlog*"), Is.LessThanOrEqualTo(2 * Segment), "KV segment files");
        Assert.That(FileBytes("log", "opens.log*"), Is.LessThanOrEqualTo(2 * Segment), "FasterLog segment files");

        await using (var store = Open())
        {
            var back = store.Opens().OrderBy(o => o.PersistentFileId).ToList();
            Assert.That(back.Select(o => o.PersistentFileId), Is.EqualTo(live.Select(o => o.PersistentFileId)));
            for (int i = 0; i < live.Count; i++) StateSamples.AssertSame(back[i], live[i], ignoreDisconnect: true);
            Assert.That(store.TryGetSession(7, out _), Is.True, "the session a kept open refers to");
            Assert.That(store.Sessions(), Has.Count.EqualTo(1), "no churned session comes back");
        }
    }

    [Test]
    public async Task CrashAfterCompaction_RecoveryReturnsExactlyTheCommittedLiveOpens()
    {
        var live = new Dictionary<ulong, OpenGlobalRecord>();
        var store = Open();
        for (int i = 0; i < 20; i++)
        {
            var open = StateSamples.Open(store.AllocatePersistentFileId());
            await store.CommitOpenAsync(open);
            live[open.PersistentFileId] = open;
        }
        await ChurnAsync(store, 3_000);
        Assert.That(await store.CompactAsync(force: true), Is.True);
        // After the compaction: closes of three of them, changes of two, one new open; a last commit covers them all.
        foreach (var id in live.Keys.Take(3).ToList())
        {
            store.RemoveOpen(id);
            live.Remove(id);
        }
        foreach (var id in live.Keys.Take(2).ToList())
        {
            live[id] = live[id] with { GrantedAccess = 0x1, Sequence = 9 };
            store.UpsertOpen(live[id]);
        }
        var last = StateSamples.Open(store.AllocatePersistentFileId());
        await store.CommitOpenAsync(last);
        live[last.PersistentFileId] = last;
        await store.AbandonForTestsAsync();   // a crash: no checkpoint since the compaction's

        await using var reopened = Open();
        var back = reopened.Opens().ToDictionary(o => o.PersistentFileId);
        Assert.That(back.Keys, Is.EquivalentTo(live.Keys));
        foreach (var (id, open) in live) StateSamples.AssertSame(back[id], open, ignoreDisconnect: true);
        Assert.That(reopened.Sessions(), Is.Empty, "churned sessions stay gone");
    }

    [Test]
    public async Task SmallLog_BelowTheMinimum_NotCompacted()
    {
        await using var store = Open(minLogBytes: 64L << 20);
        await ChurnAsync(store, 500);
        Assert.That(store.DeadFraction(), Is.GreaterThan(0.5), "mostly dead");
        Assert.That(await store.CompactAsync(), Is.False);
        Assert.That(store.Compactions, Is.Zero);
    }
}
