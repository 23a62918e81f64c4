namespace FastSmb.Fsa.Oplocks;

/// <summary>
/// What a client may cache of a file ([MS-FSA] 2.1.1.10 Oplock.State, [MS-SMB2] 2.2.13.2.8 LeaseState): the
/// SMB2_LEASE_* bits, which are also how oplocks are kept (level II = Read, exclusive = Read|Write,
/// batch = Read|Write|Handle), as Samba keeps them.
/// </summary>
[Flags]
public enum CachingState : byte
{
    None = 0,
    Read = 1,
    Handle = 2,
    Write = 4,
    ReadHandle = Read | Handle,
    ReadWrite = Read | Write,
    ReadWriteHandle = Read | Write | Handle,
}

/// <summary>
/// Sends a break notification to the client holding a grant ([MS-SMB2] 3.3.4.6 oplock, 3.3.4.7 lease). Called
/// under the file's share-mode table lock, from whichever thread caused the break: it must only post the work to
/// the connection that owns the grant's session, never block or call back into the table.
/// </summary>
public interface IOplockBreakSink
{
    void SendBreak(CachingGrant grant, CachingState current, CachingState breakTo, bool ackRequired);
}

/// <summary>
/// What a CREATE asks for besides the open itself ([MS-SMB2] 3.3.5.9: RequestedOplockLevel, or the
/// SMB2_CREATE_REQUEST_LEASE(_V2) context), and where the outcome goes. Every open of a disk file carries one,
/// even without an oplock request, because its open may have to break others' oplocks first. Owned by the CREATE
/// that builds it.
/// </summary>
public sealed class CachingRequest
{
    /// <summary>Oplock (false) or lease (true).</summary>
    public bool IsLease { get; init; }

    /// <summary>For an oplock: None, Read (level II), ReadWrite (exclusive) or ReadWriteHandle (batch).</summary>
    public CachingState Requested { get; init; }

    public Guid ClientGuid { get; init; }
    public Guid LeaseKey { get; init; }
    public Guid ParentLeaseKey { get; init; }

    /// <summary>1 for SMB2_CREATE_REQUEST_LEASE, 2 for _V2 (which carries an epoch and a parent key).</summary>
    public int LeaseVersion { get; init; }
    public ushort Epoch { get; init; }

    /// <summary>The open truncates the file (overwrite, overwrite-if, supersede): other holders lose Read too.</summary>
    public bool Overwrites { get; init; }

    /// <summary>False when the open runs again after waiting for breaks: a lease still breaking then holds it back
    /// once more (Samba's first_open_attempt).</summary>
    public bool FirstAttempt { get; init; } = true;

    /// <summary>The share has "kernel oplocks": the grant also holds a Linux lease on the open's descriptor, and
    /// none is granted where the kernel refuses one (nor level II oplocks, which Linux leases cannot express).</summary>
    public bool KernelOplocks { get; init; }

    /// <summary>Where the breaks of the grant this open receives are sent.</summary>
    public IOplockBreakSink? Sink { get; init; }

    /// <summary>
    /// Called (under the table lock; post, do not block) when the breaks this open had to wait for are over —
    /// acknowledged, timed out or closed — after the open failed with STATUS_OPLOCK_BREAK_IN_PROGRESS. Null: the
    /// open does not wait and the breaks go out all the same.
    /// </summary>
    public Action? OnBreaksDone { get; init; }

    /// <summary>Set with STATUS_OPLOCK_BREAK_IN_PROGRESS: the open waits because it met a sharing violation (the
    /// holders lose Handle caching, then the open is tried again from the share check), not for a break of an
    /// open it shares the file with. A replay of a CREATE waiting so is no replay yet ([MS-SMB2] 3.3.5.9.10, as
    /// Windows: smb2.replay.dhv2-pending1n-vs-violation-*-windows).</summary>
    public bool WaitsOnSharingViolation { get; set; }
}
