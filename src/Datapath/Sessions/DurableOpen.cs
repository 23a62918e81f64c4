using FastSmb.Datapath.State;

namespace FastSmb.Datapath.Sessions;

/// <summary>
/// One durable (or persistent) open in <see cref="DurableOpenTable"/>: [MS-SMB2] 3.3.1.10's durable part of
/// Open — the CreateGuid, the owner who may reconnect it, the timeout — and the SMB open it currently is, which a
/// reconnect replaces. Its state moves Connected → Disconnected (connection lost) → Connected (reconnect) or
/// Closed (CLOSE, LOGOFF, TREE_DISCONNECT, a break it cannot receive, the scavenger); transitions are made under
/// the entry's lock, since a disconnected open has no owning connection.
/// </summary>
public sealed partial class DurableOpen
{
    private enum Phase { Connected, Disconnected, Closed }

    private readonly object _lock = new();
    private Phase _phase;
    private Timer? _scavenger;

    internal DurableOpen(DurableOpenTable table, Open open, ulong persistentId)
    {
        Table = table;
        Open = open;
        PersistentId = persistentId;
    }

    internal DurableOpenTable Table { get; }
    public ulong PersistentId { get; }

    /// <summary>The SMB open as the client currently knows it (a reconnect makes a new one).</summary>
    public Open Open { get; private set; }

    /// <summary>Open.CreateGuid (DH2Q); Guid.Empty for a durable v1 open.</summary>
    public Guid CreateGuid { get; init; }
    public bool IsV2 => CreateGuid != Guid.Empty;
    public bool IsPersistent { get; init; }
    /// <summary>Open.ClientGuid: the client that created it (a lease belongs to that client's lease table).</summary>
    public Guid ClientGuid { get; init; }
    public Guid AppInstanceId { get; init; }
    /// <summary>Open.DurableOwner: the user who may reconnect it.</summary>
    public string Owner { get; init; } = "";
    /// <summary>What the CREATE that made the open did, which a replay of it answers again ([MS-SMB2] 3.3.5.9.10).</summary>
    public Fsa.CreateAction CreateAction { get; internal set; }
    /// <summary>The lease key of a persistent open rebuilt after a restart (its lease is not granted again; a reconnect
    /// names the key it had); null otherwise.</summary>
    public Guid? RecoveredLeaseKey { get; init; }

    /// <summary>Open.DurableOpenTimeout.</summary>
    public uint TimeoutMs { get; init; }

    /// <summary>When a disconnected open is closed by the scavenger (UTC); default while connected.</summary>
    public DateTime DisconnectedUntil { get; private set; }

    public bool IsDisconnected
    {
        get { lock (_lock) return _phase == Phase.Disconnected; }
    }

    public bool IsClosed
    {
        get { lock (_lock) return _phase == Phase.Closed; }
    }

    /// <summary>The connection went: the open stays, detached, until <paramref name="until"/>.</summary>
    internal bool TryDisconnect(DateTime until, TimerCallback expire)
    {
        lock (_lock)
        {
            if (_phase != Phase.Connected) return false;
            _phase = Phase.Disconnected;
            DisconnectedUntil = until;
            var due = until - DateTime.UtcNow;
            if (due < TimeSpan.Zero) due = TimeSpan.Zero;
            _scavenger = new Timer(expire, this, due, Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    /// <summary>A reconnect claims the disconnected open; false when it is connected or already closed.</summary>
    internal bool TryReconnect(Open reattached)
    {
        lock (_lock)
        {
            if (_phase != Phase.Disconnected) return false;
            _phase = Phase.Connected;
            _scavenger?.Dispose();
            _scavenger = null;
            DisconnectedUntil = default;
            Open = reattached;
            return true;
        }
    }

    /// <summary>Marks the open closed; true for the caller that does it (only one does).</summary>
    internal bool TryClose(bool onlyIfDisconnected)
    {
        lock (_lock)
        {
            if (_phase == Phase.Closed || (onlyIfDisconnected && _phase != Phase.Disconnected)) return false;
            _phase = Phase.Closed;
            _scavenger?.Dispose();
            _scavenger = null;
            return true;
        }
    }

    private static LockRecord[] LocksOf(Fsa.FsaOpen file)
    {
        var held = file.Volume.ByteRangeLocks.HeldBy(file);
        var locks = new LockRecord[held.Count];
        for (int i = 0; i < locks.Length; i++)
            locks[i] = new LockRecord(held[i].Range.Offset, held[i].Range.Length, held[i].Exclusive);
        return locks;
    }

    /// <summary>The open_global record of this open as it stands.</summary>
    internal OpenGlobalRecord ToRecord(ulong sequence)
    {
        var open = Open;
        var file = open.File!;
        var grant = file.Grant;
        return new OpenGlobalRecord
        {
            PersistentFileId = PersistentId,
            VolatileFileId = open.FileId.Volatile,
            CreateGuid = CreateGuid,
            ClientGuid = ClientGuid,
            AppInstanceId = AppInstanceId,
            SessionId = open.Tree.Session.SessionId,
            Owner = Owner,
            ShareName = open.Tree.ShareName,
            Path = open.Name,
            GrantedAccess = open.GrantedAccess,
            ShareAccess = (uint)file.ShareAccess,
            OplockLevel = grant is null ? (byte)0 : grant.IsLease ? Protocol.Smb2.Commands.OplockLevel.Lease : grant.OplockLevel,
            LeaseKey = grant is { IsLease: true } ? grant.LeaseKey : Guid.Empty,
            // A restart reopens the file as what it was (FILE_DIRECTORY_FILE / FILE_NON_DIRECTORY_FILE).
            CreateOptions = file.IsDirectory ? 0x1u : 0x40u,
            IsPersistent = IsPersistent,
            DurableTimeoutMs = TimeoutMs,
            // A persistent open's byte-range locks come back after a restart ([MS-SMB2] 3.3.5.9.12).
            Locks = IsPersistent ? LocksOf(file) : [],
            DisconnectedUntilUtcTicks = DisconnectedUntil == default ? 0 : DisconnectedUntil.Ticks,
            Sequence = sequence,
        };
    }
}
