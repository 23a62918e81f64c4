namespace FastSmb.Datapath.State;

// The global tables of server state that must outlive a connection (durable opens) or the process (persistent opens
// on continuously available shares): Samba's smbXsrv_{session,tcon,open}_global tables, held by an
// IServerStateStore. These records are the store's contract between the data path, which fills them, and the
// store's implementation (in-memory here, FASTER in src/Control/State), which persists them. Fields are what a
// reconnect or a restart needs to rebuild the state ([MS-SMB2] 3.3.1.8-3.3.1.10, 3.3.5.9.7, 3.3.5.9.12).

/// <summary>A byte range held by a persistent or durable open ([MS-SMB2] 3.3.5.9.12: locks survive reconnect).</summary>
public readonly record struct LockRecord(ulong Offset, ulong Length, bool Exclusive);

/// <summary>[MS-SMB2] 3.3.1.10 Per Open, the part kept in open_global.</summary>
public sealed record OpenGlobalRecord
{
    /// <summary>Open.DurableFileId: the table's key, unique across restarts (IServerStateStore.AllocatePersistentFileId).</summary>
    public required ulong PersistentFileId { get; init; }
    /// <summary>The FileId.Volatile the client last saw; a reconnect gets a new one.</summary>
    public ulong VolatileFileId { get; init; }
    /// <summary>Open.CreateGuid (DH2Q/DH2C); Guid.Empty for durable v1 opens.</summary>
    public Guid CreateGuid { get; init; }
    /// <summary>Open.ClientGuid of the connection that created the open.</summary>
    public Guid ClientGuid { get; init; }
    /// <summary>Open.AppInstanceId ([MS-SMB2] 2.2.13.2.13), Guid.Empty when none.</summary>
    public Guid AppInstanceId { get; init; }
    /// <summary>The session that owned the open when it was recorded (a reconnect may come on another session).</summary>
    public ulong SessionId { get; init; }
    /// <summary>Open.DurableOwner: the user (DOMAIN\name, or name) who may reconnect it.</summary>
    public string Owner { get; init; } = "";
    public string ShareName { get; init; } = "";
    /// <summary>The path below the share root, as opened (for reopening after a restart).</summary>
    public string Path { get; init; } = "";
    public uint GrantedAccess { get; init; }
    public uint ShareAccess { get; init; }
    public uint CreateOptions { get; init; }
    /// <summary>Open.OplockLevel (SMB2_OPLOCK_LEVEL_*), SMB2_OPLOCK_LEVEL_LEASE for leased opens.</summary>
    public byte OplockLevel { get; init; }
    /// <summary>The lease's key when OplockLevel is LEASE (its state is in the lease table).</summary>
    public Guid LeaseKey { get; init; }
    /// <summary>Open.IsPersistent: the record must be committed before the CREATE response ([MS-SMB2] 3.3.5.9.10).</summary>
    public bool IsPersistent { get; init; }
    /// <summary>Open.DurableOpenTimeout in milliseconds.</summary>
    public uint DurableTimeoutMs { get; init; }
    /// <summary>Open.DurableOpenScavengerTimeout: UTC ticks after which a disconnected open is closed; 0 while its
    /// connection lives.</summary>
    public long DisconnectedUntilUtcTicks { get; init; }
    /// <summary>Byte-range locks the open holds (persistent opens: recovered after a restart).</summary>
    public IReadOnlyList<LockRecord> Locks { get; init; } = [];
    /// <summary>Bumped by every update, so a reader can tell two versions of the same record apart.</summary>
    public ulong Sequence { get; init; }
}

/// <summary>[MS-SMB2] 3.3.1.8 Per Session, the part kept in session_global (PreviousSessionId across connections).</summary>
public sealed record SessionGlobalRecord
{
    public required ulong SessionId { get; init; }
    public Guid ClientGuid { get; init; }
    public string Owner { get; init; } = "";
    public ushort Dialect { get; init; }
    public long CreatedUtcTicks { get; init; }
    public ulong Sequence { get; init; }
}

/// <summary>[MS-SMB2] 3.3.1.9 Per Tree Connect, the part kept in tcon_global.</summary>
public sealed record TreeConnectGlobalRecord
{
    public required ulong SessionId { get; init; }
    public required uint TreeId { get; init; }
    public string ShareName { get; init; } = "";
    public ulong Sequence { get; init; }
}

/// <summary>[MS-SMB2] 3.3.1.4 Per Lease Table / Lease, keyed by ClientGuid + LeaseKey.</summary>
public sealed record LeaseGlobalRecord
{
    public required Guid ClientGuid { get; init; }
    public required Guid LeaseKey { get; init; }
    public Guid ParentLeaseKey { get; init; }
    public string ShareName { get; init; } = "";
    public string Path { get; init; } = "";
    /// <summary>SMB2_LEASE_{READ,HANDLE,WRITE}_CACHING bits.</summary>
    public uint LeaseState { get; init; }
    public ushort Epoch { get; init; }
    /// <summary>Lease version: 1 or 2.</summary>
    public byte Version { get; init; }
    public ulong Sequence { get; init; }
}
