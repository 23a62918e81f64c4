using FastSmb.Fsa.Oplocks;

namespace FastSmb.Fsa;

/// <summary>
/// The oplock and lease state machine of [MS-FSA] 2.1.4.12 (check for oplock break), 2.1.5.17 (oplock request),
/// 2.1.5.18 (acknowledgment) and [MS-SMB2] 3.3.5.9 (granting on CREATE), 3.3.4.6/3.3.4.7 (breaks), 3.3.5.22
/// (acknowledgments), under the same lock as the share modes: a conflicting open breaks first, then checks sharing.
/// Where the specs leave a choice, this does what Samba 4.17 does, which is what smbtorture checks.
/// </summary>
public sealed partial class ShareModeTable
{
    private readonly Dictionary<(Guid Client, Guid Key), CachingGrant> _leases = new();

    /// <summary>How long a break waits for its acknowledgment ([MS-SMB2] 3.3.2.1 oplock break acknowledgment timer,
    /// 3.3.2.5 lease break timer; Windows and Samba use 35 s).</summary>
    public TimeSpan BreakTimeout { get; set; } = DefaultBreakTimeout;

    /// <summary>The timeout new tables take ("[global] fastsmb oplock break timeout").</summary>
    public static TimeSpan DefaultBreakTimeout { get; set; } = TimeSpan.FromSeconds(35);

    /// <summary>
    /// The breaks an open of <paramref name="node"/> causes ([MS-FSA] 2.1.4.12, as Samba's delay_for_oplock): every
    /// other holder loses Write; with a sharing violation it loses Handle instead (so that it may close its cached
    /// handles and let the open through); an overwrite also takes Read. Opens that touch only attributes break
    /// nothing. STATUS_OPLOCK_BREAK_IN_PROGRESS when the open must wait for an acknowledgment.
    /// </summary>
    private NtStatus BreakForOpen(FileNode node, FsaOpen open, bool violation)
    {
        if (node.Grants.Count == 0) return NtStatus.Success;
        var request = open.Caching;
        const AccessMask statAccess = AccessMask.ReadAttributes | AccessMask.WriteAttributes | AccessMask.Synchronize;
        bool overwrite = request?.Overwrites == true;
        if ((open.GrantedAccess & ~statAccess) == 0 && !violation && !overwrite) return NtStatus.Success;
        var delayMask = violation ? CachingState.Handle : CachingState.Write;
        bool wait = false;
        foreach (var grant in node.Grants.ToArray())
        {
            if (IsSameLease(grant, request)) continue;
            var current = grant.Breaking ? grant.RequiredBreakTo : grant.State;
            var breakTo = current & ~delayMask;
            if (overwrite) breakTo &= ~(CachingState.Read | CachingState.Handle);
            if (!grant.IsLease && breakTo != CachingState.None)
                breakTo = (current & delayMask) != 0 ? CachingState.Read : current; // batch/exclusive → level II
            if (breakTo != current) StartBreak(grant, breakTo);
            if (grant.Breaking && (grant.State & (delayMask | (overwrite ? CachingState.Handle : 0))) != 0) wait = true;
        }
        if (!wait) return NtStatus.Success;
        if (request?.OnBreaksDone is not { } waiter) return NtStatus.Success;
        node.BreakWaiters.Add(waiter);
        return NtStatus.OplockBreakInProgress;
    }

    private static bool IsSameLease(CachingGrant grant, CachingRequest? request) =>
        grant.IsLease && request is { IsLease: true } && grant.ClientGuid == request.ClientGuid && grant.LeaseKey == request.LeaseKey;

    /// <summary>A lease key names one file per client ([MS-SMB2] 3.3.5.9.8: "STATUS_INVALID_PARAMETER" when the
    /// client's lease table has the key for another file).</summary>
    private NtStatus CheckLeaseKey(FileNode node, FsaOpen open)
    {
        if (open.Caching is not { IsLease: true } request) return NtStatus.Success;
        return _leases.TryGetValue((request.ClientGuid, request.LeaseKey), out var lease) && lease.Node != node
            ? NtStatus.InvalidParameter : NtStatus.Success;
    }

    /// <summary>
    /// [MS-SMB2] 3.3.5.9 / [MS-FSA] 2.1.5.17: what the new open gets. Write caching only for the file's only
    /// holder; an exclusive or batch oplock request among other opens gets level II; a lease state without Read is
    /// not granted; an existing lease of the same key is upgraded to what is asked when that is more and no break
    /// is in progress.
    /// </summary>
    private void GrantCaching(FileNode node, FsaOpen open)
    {
        node.Table = this;
        if (open.Caching is not { } request) return;
        if (request.IsLease && _leases.TryGetValue((request.ClientGuid, request.LeaseKey), out var existing))
        {
            existing.Opens.Add(open);
            open.Grant = existing;
            if (existing.Breaking) return;
            var upgrade = Allowed(node, existing, open, Normalize(request.Requested, open));
            // Only an upgrade: a request for less (or for something else) leaves the lease as it is.
            if ((existing.State & ~upgrade) == 0 && upgrade != existing.State)
            {
                existing.State = upgrade;
                existing.Epoch++;
            }
            return;
        }
        var want = Allowed(node, null, open, Normalize(request.Requested, open));
        if (!request.IsLease)
        {
            if (want == CachingState.None) return;
            if ((request.Requested & CachingState.Write) != 0 && (want & CachingState.Write) == 0) want = CachingState.Read;
        }
        var grant = new CachingGrant(node, request.IsLease)
        {
            ClientGuid = request.ClientGuid,
            LeaseKey = request.LeaseKey,
            ParentLeaseKey = request.ParentLeaseKey,
            LeaseVersion = request.LeaseVersion,
            Epoch = request.LeaseVersion >= 2 ? (ushort)(request.Epoch + 1) : (ushort)0,
            State = want,
        };
        grant.Opens.Add(open);
        open.Grant = grant;
        node.Grants.Add(grant);
        if (request.IsLease) _leases[(request.ClientGuid, request.LeaseKey)] = grant;
    }

    private static CachingState Normalize(CachingState requested, FsaOpen open)
    {
        requested &= CachingState.ReadWriteHandle;
        // A lease (or oplock) without Read caches nothing; directories get no oplocks and no Write.
        if ((requested & CachingState.Read) == 0) return CachingState.None;
        if (open.IsDirectory) return open.Caching is { IsLease: true, LeaseVersion: >= 2 } && DirectoryLeases
            ? requested & CachingState.ReadHandle : CachingState.None;
        return requested;
    }

    /// <summary>Whether directories get R/RH leases (v2 only): off until the directory-lease breaks are wired.</summary>
    public static bool DirectoryLeases { get; set; }

    /// <summary>Write caching only while no other open (outside <paramref name="self"/>, the lease being
    /// upgraded) has the file, and nothing at all while another holder still has Write or a break is in progress.</summary>
    private static CachingState Allowed(FileNode node, CachingGrant? self, FsaOpen open, CachingState want)
    {
        foreach (var other in node.Grants)
        {
            if (other == self) continue;
            if (other.Breaking || (other.State & CachingState.Write) != 0) return CachingState.None;
        }
        foreach (var o in node.Opens)
        {
            if (o == open || (self is not null && o.Grant == self)) continue;
            return want & ~CachingState.Write;
        }
        return want;
    }

    private void StartBreak(CachingGrant grant, CachingState breakTo)
    {
        if (grant.Breaking)
        {
            // A further conflict during a break: the acknowledgment will be followed by another break.
            grant.RequiredBreakTo &= breakTo;
            return;
        }
        var current = grant.State;
        // [MS-SMB2] 3.3.4.7: an acknowledgment is required when Write or Handle caching is taken away; a level II
        // oplock breaks to none without one (3.3.4.6).
        bool ack = grant.IsLease ? (current & ~breakTo & (CachingState.Write | CachingState.Handle)) != 0
            : (current & CachingState.Write) != 0;
        if (grant.IsLease && grant.LeaseVersion >= 2) grant.Epoch++;
        var sink = grant.Sink;
        if (!ack)
        {
            SetState(grant, breakTo);
            sink?.SendBreak(grant, current, breakTo, false);
            return;
        }
        grant.Breaking = true;
        grant.BreakingTo = breakTo;
        grant.RequiredBreakTo = breakTo;
        int generation = ++grant.BreakGeneration;
        grant.BreakTimer?.Dispose();
        grant.BreakTimer = new Timer(_ => BreakTimedOut(grant, generation), null, BreakTimeout, Timeout.InfiniteTimeSpan);
        sink?.SendBreak(grant, current, breakTo, true);
    }

    /// <summary>[MS-SMB2] 3.3.2.1 / 3.3.2.5: no acknowledgment in time — the holder is taken to the break's state
    /// (an oplock to none) and the waiting opens go on.</summary>
    private void BreakTimedOut(CachingGrant grant, int generation)
    {
        lock (_lock)
        {
            if (!grant.Breaking || grant.BreakGeneration != generation) return;
            EndBreak(grant, grant.IsLease ? grant.RequiredBreakTo : CachingState.None);
        }
    }

    private void EndBreak(CachingGrant grant, CachingState state)
    {
        grant.Breaking = false;
        grant.BreakTimer?.Dispose();
        grant.BreakTimer = null;
        SetState(grant, state);
        WakeIfSettled(grant.Node);
    }

    private void SetState(CachingGrant grant, CachingState state)
    {
        grant.State = state;
        if (state != CachingState.None || grant.IsLease) return;
        // An oplock broken to none is gone.
        foreach (var o in grant.Opens) o.Grant = null;
        grant.Node.Grants.Remove(grant);
    }

    private static void WakeIfSettled(FileNode node)
    {
        if (node.BreakWaiters.Count == 0) return;
        foreach (var g in node.Grants)
            if (g.Breaking) return;
        var waiters = node.BreakWaiters.ToArray();
        node.BreakWaiters.Clear();
        foreach (var w in waiters) w();
    }

    /// <summary>A closing open gives up its oplock, or its share of its lease (the lease goes with its last open).</summary>
    private void ReleaseCaching(FileNode node, FsaOpen open)
    {
        var grant = open.Grant;
        open.Grant = null;
        if (grant is not null)
        {
            grant.Opens.Remove(open);
            if (grant.Opens.Count == 0)
            {
                grant.Breaking = false;
                grant.BreakTimer?.Dispose();
                grant.BreakTimer = null;
                node.Grants.Remove(grant);
                if (grant.IsLease && _leases.TryGetValue((grant.ClientGuid, grant.LeaseKey), out var l) && l == grant)
                    _leases.Remove((grant.ClientGuid, grant.LeaseKey));
            }
        }
        WakeIfSettled(node);
        if (node.Opens.Count == 0 && node.BreakWaiters.Count > 0)
        {
            var waiters = node.BreakWaiters.ToArray();
            node.BreakWaiters.Clear();
            foreach (var w in waiters) w();
        }
    }

    /// <summary>
    /// [MS-SMB2] 3.3.5.22.1 / [MS-FSA] 2.1.5.18: the client acknowledges an oplock break on <paramref name="open"/>
    /// with <paramref name="level"/> (None or Read). STATUS_INVALID_OPLOCK_PROTOCOL when no break is in progress;
    /// otherwise the oplock becomes the lower of what was offered and what was acknowledged.
    /// </summary>
    public NtStatus AcknowledgeOplock(FsaOpen open, CachingState level, out CachingState granted)
    {
        lock (_lock)
        {
            granted = CachingState.None;
            var grant = open.Grant;
            if (grant is null || grant.IsLease || !grant.Breaking) return NtStatus.InvalidOplockProtocol;
            granted = level & grant.RequiredBreakTo & CachingState.Read;
            EndBreak(grant, granted);
            return NtStatus.Success;
        }
    }

    /// <summary>
    /// [MS-SMB2] 3.3.5.22.2: the lease break acknowledgment. STATUS_OBJECT_NAME_NOT_FOUND for an unknown lease,
    /// STATUS_UNSUCCESSFUL when it is not breaking, STATUS_REQUEST_NOT_ACCEPTED when the state acknowledged is not
    /// within the one offered. A state above what a later conflict requires starts the next break at once.
    /// </summary>
    public NtStatus AcknowledgeLease(Guid clientGuid, Guid leaseKey, CachingState state, out CachingGrant? lease)
    {
        lock (_lock)
        {
            if (!_leases.TryGetValue((clientGuid, leaseKey), out lease)) return NtStatus.ObjectNameNotFound;
            if (!lease.Breaking) return NtStatus.Unsuccessful;
            if ((state & ~lease.BreakingTo) != 0) return NtStatus.RequestNotAccepted;
            var required = lease.RequiredBreakTo;
            lease.Breaking = false;
            lease.BreakTimer?.Dispose();
            lease.BreakTimer = null;
            lease.State = state;
            if ((state & ~required) != 0) StartBreak(lease, state & required);
            WakeIfSettled(lease.Node);
            return NtStatus.Success;
        }
    }

    public bool HasLease(Guid clientGuid, Guid leaseKey)
    {
        lock (_lock) return _leases.ContainsKey((clientGuid, leaseKey));
    }

    /// <summary>
    /// [MS-FSA] 2.1.4.12 for WRITE, SET_INFO end-of-file/allocation and byte-range LOCK: every other holder of
    /// <paramref name="actor"/>'s file loses its caching (level II and Read leases break to none); nothing waits.
    /// </summary>
    public void BreakToNone(FsaOpen actor) => BreakOthers(actor, CachingState.None);

    /// <summary>Rename and delete-on-disposition: the other holders lose Handle caching.</summary>
    public void BreakHandle(FsaOpen actor) => BreakOthers(actor, ~CachingState.Handle);

    private void BreakOthers(FsaOpen actor, CachingState keep)
    {
        lock (_lock)
        {
            if (actor.Node is not { } node || node.Grants.Count == 0) return;
            foreach (var grant in node.Grants.ToArray())
            {
                // The actor's own lease, or its own exclusive or batch oplock, stays; its own level II oplock breaks
                // to none on its write like any other (Windows and Samba send that self-break).
                if (grant == actor.Grant && (grant.IsLease || (grant.State & CachingState.Write) != 0 || keep != CachingState.None))
                    continue;
                var current = grant.Breaking ? grant.RequiredBreakTo : grant.State;
                var breakTo = current & keep;
                if (!grant.IsLease && breakTo != CachingState.None) breakTo = CachingState.Read;
                if (breakTo != current) StartBreak(grant, breakTo);
            }
        }
    }
}

/// <summary>
/// The seam other FSA features use to break caching before they change a file (byte-range locks call
/// <see cref="BreakToNone"/> before a lock is granted, as [MS-FSA] 2.1.5.7 asks).
/// </summary>
public static class OplockBreaker
{
    /// <summary>Breaks every other open's oplock or lease on <paramref name="actor"/>'s file to none.</summary>
    public static void BreakToNone(FsaOpen actor)
    {
        // Unlocked peek: most files have no oplock, and a WRITE should not take the table lock for nothing.
        if (actor.Node is { Grants.Count: > 0, Table: { } table }) table.BreakToNone(actor);
    }

    /// <summary>Breaks Handle caching of every other holder (rename, delete).</summary>
    public static void BreakHandle(FsaOpen actor)
    {
        if (actor.Node is { Grants.Count: > 0, Table: { } table }) table.BreakHandle(actor);
    }
}
