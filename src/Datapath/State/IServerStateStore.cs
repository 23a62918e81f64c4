namespace FastSmb.Datapath.State;

/// <summary>
/// The server's global state tables (session_global, tcon_global, open_global, lease), the way Samba's smbXsrv_*_global
/// tables hold what a reconnecting client reclaims. The data path writes them as state changes; the implementation
/// decides how they persist: <see cref="InMemoryServerStateStore"/> keeps them for the life of the process (durable
/// handles across disconnects), the control plane's FASTER store also across restarts (persistent handles).
/// Durability contract: Upsert/Remove are lazily durable (the next checkpoint); <see cref="CommitOpenAsync"/>
/// returns only once the record is on stable storage (a log append made durable by a group commit), which a CREATE
/// granting a persistent handle awaits before its response goes out ([MS-SMB2] 3.3.5.9.10).
/// Thread-safe: any connection owner may call it.
/// </summary>
public interface IServerStateStore : IAsyncDisposable
{
    /// <summary>A PersistentFileId never handed out before, also across restarts of the process.</summary>
    ulong AllocatePersistentFileId();

    void UpsertOpen(OpenGlobalRecord record);

    /// <summary>Writes the record and completes once it survives a crash (persistent opens).</summary>
    ValueTask CommitOpenAsync(OpenGlobalRecord record, CancellationToken cancellationToken = default);

    bool TryGetOpen(ulong persistentFileId, out OpenGlobalRecord record);

    /// <summary>The open a DH2C / replayed DH2Q names by its CreateGuid ([MS-SMB2] 3.3.5.9.10, 3.3.5.9.12).</summary>
    bool TryFindOpenByCreateGuid(Guid createGuid, out OpenGlobalRecord record);

    void RemoveOpen(ulong persistentFileId);

    /// <summary>A snapshot of every open record: the scavenger, `fastsmb status` and restart recovery read it.</summary>
    IReadOnlyList<OpenGlobalRecord> Opens();

    void UpsertSession(SessionGlobalRecord record);
    bool TryGetSession(ulong sessionId, out SessionGlobalRecord record);
    void RemoveSession(ulong sessionId);

    void UpsertTreeConnect(TreeConnectGlobalRecord record);
    void RemoveTreeConnect(ulong sessionId, uint treeId);

    void UpsertLease(LeaseGlobalRecord record);
    bool TryGetLease(Guid clientGuid, Guid leaseKey, out LeaseGlobalRecord record);
    void RemoveLease(Guid clientGuid, Guid leaseKey);

    /// <summary>Makes everything written so far durable (a checkpoint); a no-op for stores kept in memory.</summary>
    ValueTask CheckpointAsync(CancellationToken cancellationToken = default);
}
