namespace FastSmb.Datapath.Sessions.Status;

/// <summary>
/// What `fastsmb status` shows: a copy of the live session registry taken at <see cref="TakenAtUtc"/>, in immutable
/// records that own nothing of the server (they travel over the admin socket as JSON). Built by
/// <see cref="SessionRegistry.SnapshotAsync"/>; see there for how it is taken without locks on the request path.
/// </summary>
public sealed record ServerStatus(DateTime TakenAtUtc, IReadOnlyList<SessionStatus> Sessions,
    IReadOnlyList<TreeConnectStatus> TreeConnects, IReadOnlyList<OpenStatus> Opens)
{
    /// <summary>Sessions whose connections did not answer in time (closing, or a loop too busy): left out.</summary>
    public int SessionsNotReached { get; init; }
}

/// <summary>[MS-SMB2] 3.3.1.8 Session as it stood: user, client, dialect, signing and encryption, channels.</summary>
public sealed record SessionStatus(ulong SessionId, string User, string Domain, string ClientAddress, string Dialect,
    string State, DateTime CreatedAtUtc)
{
    public bool Guest { get; init; }
    public bool Anonymous { get; init; }
    /// <summary>The signing algorithm when the session signs (Session.SigningRequired), else null.</summary>
    public string? Signing { get; init; }
    /// <summary>The cipher when the session encrypts (Session.EncryptData or an encrypted share), else null.</summary>
    public string? Encryption { get; init; }
    /// <summary>Every channel's client address, the primary first ([MS-SMB2] 3.3.1.14).</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];
    public DateTime? ExpiresAtUtc { get; init; }
}

/// <summary>[MS-SMB2] 3.3.1.9 TreeConnect as it stood.</summary>
public sealed record TreeConnectStatus(ulong SessionId, uint TreeId, string Share, DateTime ConnectedAtUtc)
{
    public bool IsPipe { get; init; }
    public bool Encrypted { get; init; }
    public string ClientAddress { get; init; } = "";
    public string User { get; init; } = "";
}

/// <summary>
/// [MS-SMB2] 3.3.1.10 Open as it stood. A disconnected durable open has no session or tree connect any more
/// (SessionId and TreeId 0) and <see cref="TimeLeftMs"/>: how long the scavenger still keeps it for a reconnect.
/// </summary>
public sealed record OpenStatus(ulong SessionId, uint TreeId, string Share, string Path, ulong PersistentFileId,
    ulong VolatileFileId)
{
    public string User { get; init; } = "";
    public string ClientAddress { get; init; } = "";
    public uint GrantedAccess { get; init; }
    /// <summary>FILE_SHARE_READ (1) | FILE_SHARE_WRITE (2) | FILE_SHARE_DELETE (4).</summary>
    public uint ShareAccess { get; init; }
    public bool IsDirectory { get; init; }
    public bool IsPipe { get; init; }
    /// <summary>"none", "level2", "exclusive", "batch", or "lease(RWH)" with the lease's letters.</summary>
    public string Caching { get; init; } = "none";
    public Guid? LeaseKey { get; init; }
    public bool Durable { get; init; }
    public bool Persistent { get; init; }
    public bool Disconnected { get; init; }
    public DateTime? DisconnectedUntilUtc { get; init; }
    public long? TimeLeftMs { get; init; }
    public uint DurableTimeoutMs { get; init; }
    public DateTime OpenedAtUtc { get; init; }
    public IReadOnlyList<LockStatus> Locks { get; init; } = [];
}

/// <summary>One granted byte-range lock ([MS-FSA] 2.1.1.4 File.LockList entry) of an open.</summary>
public sealed record LockStatus(ulong Offset, ulong Length, bool Exclusive);
