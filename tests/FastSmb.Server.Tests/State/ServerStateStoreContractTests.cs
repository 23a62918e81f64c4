using FastSmb.Control.State;
using FastSmb.Datapath.State;

namespace FastSmb.Server.Tests.State;

/// <summary>
/// What every <see cref="IServerStateStore"/> does within one process, run against the in-memory store and the
/// FASTER store alike; what only FASTER does (restarts, crashes) is in <see cref="FasterServerStateStoreTests"/>.
/// </summary>
[TestFixture("memory")]
[TestFixture("faster")]
public sealed class ServerStateStoreContractTests(string kind)
{
    private string _dir = "";
    private IServerStateStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "fastsmb-state-" + Guid.NewGuid().ToString("N"));
        _store = kind == "memory" ? new InMemoryServerStateStore()
            : FasterServerStateStore.Open(new StateStoreOptions(_dir) { CheckpointInterval = TimeSpan.Zero });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _store.DisposeAsync();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void AllocatePersistentFileId_ManyCallsOnManyThreads_AreAllDistinctAndNonZero()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<ulong>();
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 5000; i++) ids.Add(_store.AllocatePersistentFileId());
        });
        Assert.That(ids, Has.Count.EqualTo(40_000));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(40_000));
        Assert.That(ids, Has.None.EqualTo(0UL));
    }

    [Test]
    public void UpsertOpen_ThenTryGetOpen_ReturnsTheRecord()
    {
        var open = StateSamples.Open(_store.AllocatePersistentFileId(), persistent: false);
        _store.UpsertOpen(open);
        Assert.That(_store.TryGetOpen(open.PersistentFileId, out var back), Is.True);
        StateSamples.AssertSame(back, open);
        Assert.That(_store.TryGetOpen(open.PersistentFileId + 1000, out _), Is.False);
    }

    [Test]
    public async Task CommitOpenAsync_ThenFindByCreateGuid_ReturnsTheRecord()
    {
        var guid = Guid.NewGuid();
        var open = StateSamples.Open(_store.AllocatePersistentFileId(), createGuid: guid);
        await _store.CommitOpenAsync(open);
        Assert.That(_store.TryFindOpenByCreateGuid(guid, out var back), Is.True);
        Assert.That(back.PersistentFileId, Is.EqualTo(open.PersistentFileId));
        Assert.That(_store.TryFindOpenByCreateGuid(Guid.NewGuid(), out _), Is.False);
        Assert.That(_store.TryFindOpenByCreateGuid(Guid.Empty, out _), Is.False);
    }

    [Test]
    public void UpsertOpen_Twice_KeepsTheLaterVersionOnly()
    {
        var open = StateSamples.Open(_store.AllocatePersistentFileId());
        _store.UpsertOpen(open);
        var later = open with { DisconnectedUntilUtcTicks = 99, Sequence = open.Sequence + 1, Locks = [] };
        _store.UpsertOpen(later);
        Assert.That(_store.TryGetOpen(open.PersistentFileId, out var back), Is.True);
        StateSamples.AssertSame(back, later);
        Assert.That(_store.Opens(), Has.Count.EqualTo(1));
    }

    [Test]
    public void UpsertOpen_WithANewCreateGuid_IsFoundByTheNewGuidOnly()
    {
        var first = Guid.NewGuid();
        var open = StateSamples.Open(_store.AllocatePersistentFileId(), persistent: false, createGuid: first);
        _store.UpsertOpen(open);
        var second = Guid.NewGuid();
        _store.UpsertOpen(open with { CreateGuid = second });
        Assert.That(_store.TryFindOpenByCreateGuid(second, out _), Is.True);
        Assert.That(_store.TryFindOpenByCreateGuid(first, out _), Is.False);
    }

    [Test]
    public async Task RemoveOpen_RemovesItFromEveryLookup()
    {
        var guid = Guid.NewGuid();
        var open = StateSamples.Open(_store.AllocatePersistentFileId(), createGuid: guid);
        await _store.CommitOpenAsync(open);
        _store.RemoveOpen(open.PersistentFileId);
        Assert.That(_store.TryGetOpen(open.PersistentFileId, out _), Is.False);
        Assert.That(_store.TryFindOpenByCreateGuid(guid, out _), Is.False);
        Assert.That(_store.Opens(), Is.Empty);
    }

    [Test]
    public void Opens_ListsEveryOpenOnce()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => _store.AllocatePersistentFileId()).ToArray();
        foreach (var id in ids) _store.UpsertOpen(StateSamples.Open(id, persistent: id % 2 == 0));
        Assert.That(_store.Opens().Select(o => o.PersistentFileId), Is.EquivalentTo(ids));
    }

    [Test]
    public void Sessions_UpsertGetRemove()
    {
        var session = StateSamples.Session(77);
        _store.UpsertSession(session);
        Assert.That(_store.TryGetSession(77, out var back) ? back : null, Is.EqualTo(session));
        _store.RemoveSession(77);
        Assert.That(_store.TryGetSession(77, out _), Is.False);
    }

    [Test]
    public void TreeConnects_UpsertAndRemove_DoNotThrowAndRemoveIsIdempotent()
    {
        _store.UpsertTreeConnect(StateSamples.Tree(77, 1));
        _store.RemoveTreeConnect(77, 1);
        Assert.DoesNotThrow(() => _store.RemoveTreeConnect(77, 1));
    }

    [Test]
    public void Leases_UpsertGetRemove_KeyedByClientAndLeaseKey()
    {
        var client = Guid.NewGuid();
        var key = Guid.NewGuid();
        var lease = StateSamples.Lease(client, key);
        _store.UpsertLease(lease);
        Assert.That(_store.TryGetLease(client, key, out var back) ? back : null, Is.EqualTo(lease));
        Assert.That(_store.TryGetLease(Guid.NewGuid(), key, out _), Is.False);
        _store.RemoveLease(client, key);
        Assert.That(_store.TryGetLease(client, key, out _), Is.False);
    }

    [Test]
    public async Task CheckpointAsync_KeepsEveryRecordReadable()
    {
        var open = StateSamples.Open(_store.AllocatePersistentFileId(), persistent: false);
        _store.UpsertOpen(open);
        _store.UpsertSession(StateSamples.Session(5));
        await _store.CheckpointAsync();
        Assert.That(_store.TryGetOpen(open.PersistentFileId, out _), Is.True);
        Assert.That(_store.TryGetSession(5, out _), Is.True);
    }

    [Test]
    public async Task CommitOpenAsync_ManyConcurrentCallers_AllComplete()
    {
        var opens = Enumerable.Range(0, 200).Select(_ => StateSamples.Open(_store.AllocatePersistentFileId())).ToArray();
        await Task.WhenAll(opens.Select(o => Task.Run(async () => await _store.CommitOpenAsync(o))));
        Assert.That(_store.Opens(), Has.Count.EqualTo(200));
    }
}
