using System.Collections.Concurrent;

namespace FastSmb.Datapath.State;

/// <summary>
/// The state tables in process memory: durable handles survive a disconnect, nothing survives a restart. The server
/// uses it when no persistent store is configured, and tests use it.
/// </summary>
public sealed class InMemoryServerStateStore : IServerStateStore
{
    private readonly ConcurrentDictionary<ulong, OpenGlobalRecord> _opens = new();
    private readonly ConcurrentDictionary<ulong, SessionGlobalRecord> _sessions = new();
    private readonly ConcurrentDictionary<(ulong, uint), TreeConnectGlobalRecord> _trees = new();
    private readonly ConcurrentDictionary<(Guid, Guid), LeaseGlobalRecord> _leases = new();
    private long _nextPersistentFileId;

    public ulong AllocatePersistentFileId() => (ulong)Interlocked.Increment(ref _nextPersistentFileId);

    public void UpsertOpen(OpenGlobalRecord record) => _opens[record.PersistentFileId] = record;

    public ValueTask CommitOpenAsync(OpenGlobalRecord record, CancellationToken cancellationToken = default)
    {
        UpsertOpen(record);
        return ValueTask.CompletedTask;
    }

    public bool TryGetOpen(ulong persistentFileId, out OpenGlobalRecord record) =>
        _opens.TryGetValue(persistentFileId, out record!);

    public bool TryFindOpenByCreateGuid(Guid createGuid, out OpenGlobalRecord record)
    {
        foreach (var open in _opens.Values)
        {
            if (createGuid != Guid.Empty && open.CreateGuid == createGuid)
            {
                record = open;
                return true;
            }
        }
        record = null!;
        return false;
    }

    public void RemoveOpen(ulong persistentFileId) => _opens.TryRemove(persistentFileId, out _);

    public IReadOnlyList<OpenGlobalRecord> Opens() => _opens.Values.ToArray();

    public void UpsertSession(SessionGlobalRecord record) => _sessions[record.SessionId] = record;
    public bool TryGetSession(ulong sessionId, out SessionGlobalRecord record) => _sessions.TryGetValue(sessionId, out record!);
    public void RemoveSession(ulong sessionId) => _sessions.TryRemove(sessionId, out _);

    public void UpsertTreeConnect(TreeConnectGlobalRecord record) => _trees[(record.SessionId, record.TreeId)] = record;
    public void RemoveTreeConnect(ulong sessionId, uint treeId) => _trees.TryRemove((sessionId, treeId), out _);

    public void UpsertLease(LeaseGlobalRecord record) => _leases[(record.ClientGuid, record.LeaseKey)] = record;
    public bool TryGetLease(Guid clientGuid, Guid leaseKey, out LeaseGlobalRecord record) =>
        _leases.TryGetValue((clientGuid, leaseKey), out record!);
    public void RemoveLease(Guid clientGuid, Guid leaseKey) => _leases.TryRemove((clientGuid, leaseKey), out _);

    public ValueTask CheckpointAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
