using FastSmb.Control.State;
using FastSmb.Datapath.State;

namespace FastSmb.Server.Tests.State;

/// <summary>
/// The FASTER store across restarts: graceful ones (a checkpoint at dispose) and simulated crashes in-process
/// (FASTER closed with no checkpoint and no last commit); the real SIGKILL crashes are in <see cref="StateStoreCrashTests"/>.
/// </summary>
public sealed class FasterServerStateStoreTests
{
    private string _dir = "";
    private readonly List<string> _warnings = [];

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "fastsmb-state-" + Guid.NewGuid().ToString("N"));
        _warnings.Clear();
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private FasterServerStateStore Open() =>
        FasterServerStateStore.Open(new StateStoreOptions(_dir) { CheckpointInterval = TimeSpan.Zero, Warn = w => { lock (_warnings) _warnings.Add(w); } });

    [Test]
    public async Task Reopen_AfterShutdown_KeepsPersistentOpensDisconnectedAndDropsDurableOnes()
    {
        OpenGlobalRecord persistent, durable;
        var client = Guid.NewGuid();
        var leaseKey = Guid.NewGuid();
        await using (var store = Open())
        {
            persistent = StateSamples.Open(store.AllocatePersistentFileId()) with { ClientGuid = client, LeaseKey = leaseKey, SessionId = 10 };
            durable = StateSamples.Open(store.AllocatePersistentFileId(), persistent: false) with { SessionId = 11 };
            await store.CommitOpenAsync(persistent);
            store.UpsertOpen(durable);
            store.UpsertLease(StateSamples.Lease(client, leaseKey));
            store.UpsertLease(StateSamples.Lease(Guid.NewGuid(), Guid.NewGuid()));
            store.UpsertSession(StateSamples.Session(10));
            store.UpsertSession(StateSamples.Session(11));
            store.UpsertTreeConnect(StateSamples.Tree(10, 1));
            store.UpsertTreeConnect(StateSamples.Tree(11, 1));
        }
        long before = DateTime.UtcNow.Ticks;
        await using (var store = Open())
        {
            long after = DateTime.UtcNow.Ticks;
            Assert.That(store.Opens(), Has.Count.EqualTo(1));
            Assert.That(store.TryGetOpen(persistent.PersistentFileId, out var back), Is.True);
            StateSamples.AssertSame(back, persistent, ignoreDisconnect: true);
            long timeout = TimeSpan.FromMilliseconds(persistent.DurableTimeoutMs).Ticks;
            Assert.That(back.DisconnectedUntilUtcTicks, Is.InRange(before + timeout, after + timeout));
            Assert.That(store.TryGetOpen(durable.PersistentFileId, out _), Is.False);
            Assert.That(store.Recovery, Is.EqualTo(new StateRecoverySummary(1, 1, store.Recovery.LogEntriesReplayed)));
            Assert.That(store.Leases().Select(l => l.LeaseKey), Is.EqualTo(new[] { leaseKey }));
            Assert.That(store.Sessions().Select(s => s.SessionId), Is.EqualTo(new[] { 10UL }));
            Assert.That(store.TreeConnects().Select(t => t.SessionId), Is.EqualTo(new[] { 10UL }));
        }
    }

    [Test]
    public async Task Reopen_RecordsTheInvocationIdOfThePreviousProcess()
    {
        Guid first;
        await using (var store = Open())
        {
            first = store.InvocationId;
            Assert.That(store.PreviousInvocationId, Is.EqualTo(Guid.Empty));
        }
        await using (var store = Open())
        {
            Assert.That(store.PreviousInvocationId, Is.EqualTo(first));
            Assert.That(store.InvocationId, Is.Not.EqualTo(first));
        }
    }

    [Test]
    public async Task AllocatePersistentFileId_AfterACrash_NeverRepeatsAnId()
    {
        var seen = new HashSet<ulong>();
        for (int run = 0; run < 3; run++)
        {
            var store = Open();
            for (int i = 0; i < 1000; i++) Assert.That(seen.Add(store.AllocatePersistentFileId()), Is.True, $"run {run}: an id came back");
            await store.AbandonForTestsAsync();
        }
    }

    [Test]
    public async Task CommitOpenAsync_ConcurrentCallers_ShareOneLogCommit()
    {
        await using var store = Open();
        long before = store.LogCommits;
        // Ids first: a block reservation is itself a log commit.
        var opens = Enumerable.Range(0, 64).Select(_ => StateSamples.Open(store.AllocatePersistentFileId())).ToArray();
        store.CommitLogForTests.HoldCommitsForTests = true;
        var commits = opens.Select(o => store.CommitOpenAsync(o).AsTask()).ToArray();
        Assert.That(commits.Any(c => c.IsCompleted), Is.False, "a commit completed while commits were held");
        store.CommitLogForTests.HoldCommitsForTests = false;
        await Task.WhenAll(commits);
        // The 64 appends were all waiting when commits resumed: one commit covers them (a second may run for the
        // wake-ups that arrive after it started, with nothing new to commit).
        Assert.That(store.LogCommits - before, Is.InRange(1, 2));
    }

    [Test]
    public async Task Crash_AfterCommit_KeepsEveryCommittedOpenOnce()
    {
        var store = Open();
        var committed = new List<OpenGlobalRecord>();
        for (int i = 0; i < 20; i++)
        {
            var open = StateSamples.Open(store.AllocatePersistentFileId());
            await store.CommitOpenAsync(open);
            committed.Add(open);
        }
        await store.AbandonForTestsAsync();

        await using var reopened = Open();
        Assert.That(reopened.Opens(), Has.Count.EqualTo(20));
        foreach (var open in committed)
        {
            Assert.That(reopened.TryFindOpenByCreateGuid(open.CreateGuid, out var back), Is.True);
            StateSamples.AssertSame(back, open, ignoreDisconnect: true);
        }
    }

    [Test]
    public async Task Crash_BeforeCommit_LosesOnlyTheUncommittedOpens()
    {
        var store = Open();
        var committed = StateSamples.Open(store.AllocatePersistentFileId());
        await store.CommitOpenAsync(committed);
        var pending = StateSamples.Open(store.AllocatePersistentFileId());
        store.CommitLogForTests.HoldCommitsForTests = true;
        var commit = store.CommitOpenAsync(pending).AsTask();
        Assert.That(commit.IsCompleted, Is.False);
        await store.AbandonForTestsAsync();
        Assert.That(async () => await commit, Throws.InstanceOf<OperationCanceledException>(), "an abandoned commit must not report success");

        await using var reopened = Open();
        Assert.That(reopened.TryGetOpen(committed.PersistentFileId, out _), Is.True);
        Assert.That(reopened.TryGetOpen(pending.PersistentFileId, out _), Is.False);
        Assert.That(reopened.Opens(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Crash_AfterCheckpoint_KeepsLazyRecordsWrittenBeforeIt()
    {
        var store = Open();
        var open = StateSamples.Open(store.AllocatePersistentFileId());
        await store.CommitOpenAsync(open);
        var before = StateSamples.Lease(open.ClientGuid, open.LeaseKey);
        store.UpsertLease(before);
        await store.CheckpointAsync();
        store.UpsertLease(before with { LeaseState = 1, Sequence = 99 });   // lazily durable: may be lost
        await store.AbandonForTestsAsync();

        await using var reopened = Open();
        Assert.That(reopened.TryGetLease(open.ClientGuid, open.LeaseKey, out var lease), Is.True);
        Assert.That(lease.Sequence, Is.AnyOf(before.Sequence, 99UL));
        Assert.That(reopened.TryGetOpen(open.PersistentFileId, out _), Is.True);
    }

    [Test]
    public async Task Crash_AfterRemovingACommittedOpen_DoesNotBringItBack()
    {
        var store = Open();
        var open = StateSamples.Open(store.AllocatePersistentFileId());
        await store.CommitOpenAsync(open);
        store.RemoveOpen(open.PersistentFileId);
        var other = StateSamples.Open(store.AllocatePersistentFileId());
        await store.CommitOpenAsync(other);   // commits the delete appended before it
        await store.AbandonForTestsAsync();

        await using var reopened = Open();
        Assert.That(reopened.TryGetOpen(open.PersistentFileId, out _), Is.False);
        Assert.That(reopened.TryGetOpen(other.PersistentFileId, out _), Is.True);
    }

    [Test]
    public async Task Crash_With1000OpensFrom8Writers_RecoversThemAll()
    {
        var store = Open();
        var created = new System.Collections.Concurrent.ConcurrentBag<OpenGlobalRecord>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 125; i++)
            {
                var open = StateSamples.Open(store.AllocatePersistentFileId());
                await store.CommitOpenAsync(open);
                created.Add(open);
                if (w == 0 && i == 60) await store.CheckpointAsync();   // some before a checkpoint, some only in the log
            }
        })));
        long commits = store.LogCommits;
        await store.AbandonForTestsAsync();

        await using var reopened = Open();
        var recovered = reopened.Opens();
        Assert.That(recovered, Has.Count.EqualTo(1000));
        Assert.That(recovered.Select(o => o.CreateGuid), Is.EquivalentTo(created.Select(o => o.CreateGuid)));
        TestContext.Out.WriteLine($"1000 commits from 8 writers took {commits} log commits");
    }

    [Test]
    public async Task Reopen_WithACorruptRecord_ReportsAndSkipsIt()
    {
        OpenGlobalRecord good;
        await using (var store = Open())
        {
            good = StateSamples.Open(store.AllocatePersistentFileId());
            await store.CommitOpenAsync(good);
            var damaged = StateRecordCodec.Encode(StateSamples.Open(store.AllocatePersistentFileId()));
            damaged[^3] ^= 0xff;
            store.WriteRawForTests(StateRecordCodec.OpenKey(12345), damaged);
            store.WriteRawForTests(StateRecordCodec.SessionKey(5), [1, 2, 3]);
        }
        await using (var store = Open())
        {
            Assert.That(store.CorruptRecordsSkipped, Is.EqualTo(2));
            Assert.That(_warnings.Count(w => w.Contains("corrupt")), Is.EqualTo(2));
            Assert.That(store.Opens().Select(o => o.PersistentFileId), Is.EqualTo(new[] { good.PersistentFileId }));
        }
    }

    [Test]
    public async Task Reopen_WithACorruptLogEntry_ReportsAndSkipsIt()
    {
        var store = Open();
        var good = StateSamples.Open(store.AllocatePersistentFileId());
        await store.AppendRawToLogForTests([9, 9, 9, 9, 9, 9, 9, 9]);
        await store.CommitOpenAsync(good);
        await store.AbandonForTestsAsync();

        await using var reopened = Open();
        Assert.That(reopened.CorruptRecordsSkipped, Is.EqualTo(1));
        Assert.That(reopened.TryGetOpen(good.PersistentFileId, out _), Is.True);
    }

    [Test]
    public async Task Open_AStoreOfANewerFormat_Throws()
    {
        await using (var store = Open())
            store.WriteRawForTests(StateRecordCodec.VersionKey(StateTable.OpenGlobal),
                StateRecordCodec.Encode(new TableVersion(StateTable.OpenGlobal, FasterServerStateStore.FormatVersion + 1, Guid.NewGuid())));
        var e = Assert.Throws<StateStoreFormatException>(() => Open());
        Assert.That(e!.Message, Does.Contain("newer FastSmb"));
    }

    [Test]
    public async Task Open_WhileAnotherInstanceHoldsIt_Throws()
    {
        await using var store = Open();
        Assert.Throws<StateStoreLockedException>(() => Open());
    }
}
