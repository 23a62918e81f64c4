using System.Collections.Concurrent;
using FastSmb.Datapath.State;

namespace FastSmb.Datapath.Sessions;

/// <summary>
/// Every durable and persistent open of the server by persistent FileId ([MS-SMB2] 3.3.1.5 GlobalOpenTable, the
/// durable part), whichever connection it lives on or none: what a reconnect (DHnC, DH2C) and a replayed DH2Q look
/// up, what a lost connection leaves its durable opens in, and what the scavenger ([MS-SMB2] 3.3.2.4 durable open
/// scavenger timer) closes. Each change is also written to the state store (open_global), so a store that persists
/// (the control plane's FASTER store) can rebuild it. Thread-safe.
/// </summary>
public sealed partial class DurableOpenTable
{
    private readonly ConcurrentDictionary<ulong, DurableOpen> _opens = new();
    private readonly ConcurrentDictionary<Guid, DurableOpen> _byCreateGuid = new();
    private readonly ConcurrentDictionary<Guid, PendingCreate> _pendingCreates = new();
    private readonly ConcurrentDictionary<Guid, (Open Open, Fsa.CreateAction Action)> _replayOnly = new();
    private long _sequence;

    /// <summary>A DH2Q open that did not become durable still answers a replay of its CREATE.</summary>
    public void AddReplay(Guid createGuid, Open open, Fsa.CreateAction action)
    {
        if (createGuid == Guid.Empty) return;
        _replayOnly[createGuid] = (open, action);
        open.ReplayEntry = (this, createGuid);
    }

    public bool TryFindReplay(Guid createGuid, out Open open, out Fsa.CreateAction action)
    {
        open = null!;
        action = default;
        if (createGuid == Guid.Empty || !_replayOnly.TryGetValue(createGuid, out var entry)) return false;
        (open, action) = entry;
        return true;
    }

    internal void ForgetReplay(Guid createGuid, Open open)
    {
        if (_replayOnly.TryGetValue(createGuid, out var entry) && entry.Open == open) _replayOnly.TryRemove(createGuid, out _);
    }

    /// <summary>
    /// A DH2Q CREATE with this CreateGuid waits for others' breaks (it went async), in <paramref name="session"/>;
    /// <paramref name="owner"/> is the waiting request, <paramref name="onViolation"/> whether it waits because it met
    /// a sharing violation (then a replay of it is no replay yet).
    /// </summary>
    public void MarkPending(Guid createGuid, Smb2Session session, object owner, bool onViolation) =>
        _pendingCreates[createGuid] = new PendingCreate(session, owner, onViolation);

    /// <summary>The CREATE of this CreateGuid (made by <paramref name="owner"/>) finished, one way or the other.</summary>
    public void ClearPending(Guid createGuid, object owner)
    {
        if (_pendingCreates.TryGetValue(createGuid, out var entry) && entry.Owner == owner)
            _pendingCreates.TryRemove(new KeyValuePair<Guid, PendingCreate>(createGuid, entry));
    }

    /// <summary>
    /// Whether a CREATE with this CreateGuid other than <paramref name="asker"/> is still waiting, and on what. It
    /// waits as long as its session has a channel left ([MS-SMB2] 3.3.7.1: the session, its opens and its pending
    /// CREATE outlive a failed channel).
    /// </summary>
    public bool IsPending(Guid createGuid, object? asker, out bool onViolation)
    {
        onViolation = false;
        // The waiting CREATE itself, running again once its breaks are over, is not waiting for another.
        if (!_pendingCreates.TryGetValue(createGuid, out var entry) || entry.Owner == asker) return false;
        if (entry.Session.State != SessionState.Valid || !entry.Session.HasLiveChannel()) return false;
        onViolation = entry.OnViolation;
        return true;
    }

    private sealed record PendingCreate(Smb2Session Session, object Owner, bool OnViolation);

    public DurableOpenTable(IServerStateStore store) => Store = store;

    /// <summary>Where the open_global records go (in memory by default; FASTER when the server wires it).</summary>
    public IServerStateStore Store { get; }

    public int Count => _opens.Count;

    /// <summary>A PersistentFileId for an open that asks for durability (unique across restarts with a persistent store).</summary>
    public ulong AllocatePersistentId() => Store.AllocatePersistentFileId();

    /// <summary>Makes <paramref name="open"/> durable; the caller then awaits <see cref="CommitAsync"/> for a persistent one.</summary>
    public DurableOpen Add(Open open, Guid createGuid, bool persistent, Guid clientGuid, Guid appInstanceId, string owner,
        uint timeoutMs)
    {
        var durable = new DurableOpen(this, open, open.FileId.Persistent)
        {
            CreateGuid = createGuid, IsPersistent = persistent, ClientGuid = clientGuid, AppInstanceId = appInstanceId,
            Owner = owner, TimeoutMs = timeoutMs,
        };
        open.Durable = durable;
        _opens[durable.PersistentId] = durable;
        if (createGuid != Guid.Empty) _byCreateGuid[createGuid] = durable;
        if (!persistent) Store.UpsertOpen(durable.ToRecord(NextSequence()));
        return durable;
    }

    /// <summary>[MS-SMB2] 3.3.5.9.10: a persistent open's record is on stable storage before the CREATE response.</summary>
    public ValueTask CommitAsync(DurableOpen durable) => Store.CommitOpenAsync(durable.ToRecord(NextSequence()));

    /// <summary>An open's state changed (a lock taken or released): its record is written again; a persistent open's
    /// change goes to the store's log, durable at the next group commit.</summary>
    public void RecordChange(DurableOpen durable) => Store.UpsertOpen(durable.ToRecord(NextSequence()));

    public bool TryGet(ulong persistentId, out DurableOpen durable) => _opens.TryGetValue(persistentId, out durable!);

    /// <summary>The open a DH2C or a replayed DH2Q names by its CreateGuid.</summary>
    public bool TryFindByCreateGuid(Guid createGuid, out DurableOpen durable)
    {
        durable = null!;
        return createGuid != Guid.Empty && _byCreateGuid.TryGetValue(createGuid, out durable!) && !durable.IsClosed;
    }

    /// <summary>The open closed (CLOSE, LOGOFF, TREE_DISCONNECT, a lost break, expiry): its entry and record go.</summary>
    internal void Remove(DurableOpen durable)
    {
        durable.TryClose(onlyIfDisconnected: false);
        _opens.TryRemove(new KeyValuePair<ulong, DurableOpen>(durable.PersistentId, durable));
        if (durable.CreateGuid != Guid.Empty)
            _byCreateGuid.TryRemove(new KeyValuePair<Guid, DurableOpen>(durable.CreateGuid, durable));
        Store.RemoveOpen(durable.PersistentId);
    }

    /// <summary>
    /// [MS-SMB2] 3.3.7.1: the open's connection (or session, by PreviousSessionId) is gone; a durable open is kept,
    /// disconnected, for its timeout, and the scavenger closes it then.
    /// </summary>
    internal void Disconnect(DurableOpen durable)
    {
        var until = DateTime.UtcNow.AddMilliseconds(durable.TimeoutMs);
        if (!durable.TryDisconnect(until, static d => Expire((DurableOpen)d!))) return;
        Store.UpsertOpen(durable.ToRecord(NextSequence()));
        // A break sent while the connection was going can no longer be acknowledged: the open goes now, as one
        // broken while disconnected does, rather than holding the opener back for the break timeout.
        if (durable.Open.File?.Grant is { Breaking: true })
            ThreadPool.UnsafeQueueUserWorkItem(static d => d.Table.CloseDisconnected(d), durable, preferLocal: false);
    }

    /// <summary>A reconnect re-attached the open (new session, tree, volatile id).</summary>
    internal bool TryReconnect(DurableOpen durable, Open reattached)
    {
        if (!durable.TryReconnect(reattached)) return false;
        Store.UpsertOpen(durable.ToRecord(NextSequence()));
        return true;
    }

    /// <summary>Closes a disconnected open (its break could not be delivered, or it expired): the FSA open goes with
    /// its share mode, oplock or lease and byte-range locks, which wakes whoever waits on them.</summary>
    internal void CloseDisconnected(DurableOpen durable)
    {
        if (!durable.TryClose(onlyIfDisconnected: true)) return;
        Remove(durable);
        var open = durable.Open;
        using (Identity.IdentityScope.Enter(open.Tree.UnixIdentity))
            open.Dispose();
    }

    private static void Expire(DurableOpen durable) => durable.Table.CloseDisconnected(durable);

    /// <summary>Every durable open's entry, for `fastsmb status` and tests.</summary>
    public IReadOnlyCollection<DurableOpen> Opens => (IReadOnlyCollection<DurableOpen>)_opens.Values;

    private ulong NextSequence() => (ulong)Interlocked.Increment(ref _sequence);
}
