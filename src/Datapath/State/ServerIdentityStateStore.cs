using FastSmb.Datapath.Identity;

namespace FastSmb.Datapath.State;

/// <summary>
/// The state store as the data plane sees it: every call runs with the server's credentials
/// (<see cref="ServerIdentityScope"/>), because handlers call it from inside their request's user identity and the
/// store's files belong to the server. An async call switches back before it returns its task: only the synchronous
/// part (the KV write, the log append) runs on the calling thread; the rest completes on the store's own threads.
/// </summary>
public sealed class ServerIdentityStateStore : IServerStateStore
{
    private readonly IServerStateStore _inner;

    private ServerIdentityStateStore(IServerStateStore inner) => _inner = inner;

    /// <summary>The store wrapped once (a store already wrapped, or kept in memory, is returned as is).</summary>
    public static IServerStateStore Wrap(IServerStateStore store) =>
        store is ServerIdentityStateStore or InMemoryServerStateStore ? store : new ServerIdentityStateStore(store);

    public ulong AllocatePersistentFileId()
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.AllocatePersistentFileId();
    }

    public void UpsertOpen(OpenGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.UpsertOpen(record);
    }

    public ValueTask CommitOpenAsync(OpenGlobalRecord record, CancellationToken cancellationToken = default)
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.CommitOpenAsync(record, cancellationToken);
    }

    public bool TryGetOpen(ulong persistentFileId, out OpenGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.TryGetOpen(persistentFileId, out record);
    }

    public bool TryFindOpenByCreateGuid(Guid createGuid, out OpenGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.TryFindOpenByCreateGuid(createGuid, out record);
    }

    public void RemoveOpen(ulong persistentFileId)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.RemoveOpen(persistentFileId);
    }

    public IReadOnlyList<OpenGlobalRecord> Opens()
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.Opens();
    }

    public void UpsertSession(SessionGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.UpsertSession(record);
    }

    public bool TryGetSession(ulong sessionId, out SessionGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.TryGetSession(sessionId, out record);
    }

    public void RemoveSession(ulong sessionId)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.RemoveSession(sessionId);
    }

    public void UpsertTreeConnect(TreeConnectGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.UpsertTreeConnect(record);
    }

    public void RemoveTreeConnect(ulong sessionId, uint treeId)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.RemoveTreeConnect(sessionId, treeId);
    }

    public void UpsertLease(LeaseGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.UpsertLease(record);
    }

    public bool TryGetLease(Guid clientGuid, Guid leaseKey, out LeaseGlobalRecord record)
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.TryGetLease(clientGuid, leaseKey, out record);
    }

    public void RemoveLease(Guid clientGuid, Guid leaseKey)
    {
        using var _ = ServerIdentityScope.Enter();
        _inner.RemoveLease(clientGuid, leaseKey);
    }

    public ValueTask CheckpointAsync(CancellationToken cancellationToken = default)
    {
        using var _ = ServerIdentityScope.Enter();
        return _inner.CheckpointAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
