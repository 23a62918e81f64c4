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
        bool overwrite = request?.Overwrites == true;
        if (IsStatOpen(open) && !violation && !overwrite) return NtStatus.Success;
        var delayMask = violation ? CachingState.Handle : CachingState.Write;
        bool firstAttempt = request?.FirstAttempt != false;
        bool wait = false;
        foreach (var grant in node.Grants.ToArray())
        {
            if (IsSameLease(grant, request)) continue;
            if (grant.IsLease && IsStatOpen(open, forLease: true) && !violation && !overwrite) continue;
            var current = grant.State;
            bool wasBreaking = grant.Breaking;
            var breakTo = current & ~delayMask;
            if (overwrite) breakTo &= ~(CachingState.Read | CachingState.Handle);
            if ((current & ~breakTo) == 0)
            {
                // Nothing to take away; but a break in progress still holds the open back.
                if (wasBreaking) wait = true;
                continue;
            }
            if (!grant.IsLease) breakTo &= CachingState.Read; // oplocks break to level II or none
            StartBreak(grant, breakTo);
            if ((current & delayMask) != 0 || (wasBreaking && !firstAttempt)) wait = true;
        }
        if (!wait) return NtStatus.Success;
        if (request?.OnBreaksDone is not { } waiter) return NtStatus.Success;
        node.BreakWaiters.Add(waiter);
        request.WaitsOnSharingViolation = violation;
        return NtStatus.OplockBreakInProgress;
    }

    /// <summary>An open that reads or writes only attributes breaks no oplock and does not count as another open
    /// when Write caching is granted; for leases reading the security descriptor is a stat open too
    /// (smb2.oplock.statopen1, smb2.lease.statopen4; Samba's is_oplock_stat_open / is_lease_stat_open).</summary>
    private static bool IsStatOpen(FsaOpen open, bool forLease = false)
    {
        var statAccess = AccessMask.ReadAttributes | AccessMask.WriteAttributes | AccessMask.Synchronize
            | (forLease ? AccessMask.ReadControl : AccessMask.None);
        return (open.GrantedAccess & ~statAccess) == 0;
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
            // Only a strict upgrade, and only when all of it can be had: otherwise the lease stays as it is.
            var requested = Normalize(request.Requested, open);
            var upgrade = Allowed(node, existing, open, requested);
            if ((existing.State & ~upgrade) == 0 && upgrade != existing.State && upgrade == requested)
            {
                existing.State = upgrade;
                existing.Epoch++;
            }
            return;
        }
        // Directories get a lease only where directory leasing is on (v2); otherwise no lease at all, as Samba.
        if (request.IsLease && open.IsDirectory && !(DirectoryLeases && request.LeaseVersion >= 2)) return;
        var want = Allowed(node, null, open, Normalize(request.Requested, open));
        if (request.KernelOplocks && !TakeKernelLease(open, request, want)) return;
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
            Epoch = (ushort)(request.Epoch + (want != CachingState.None ? 1 : 0)),
            State = want,
            IsDirectory = request.IsLease && open.IsDirectory,
        };
        grant.Opens.Add(open);
        open.Grant = grant;
        node.Grants.Add(grant);
        if (request.IsLease) _leases[(request.ClientGuid, request.LeaseKey)] = grant;
        DirectoryLeaseAdded(grant);
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

    /// <summary>Whether directories get R/RH leases (v2 only; the host sets it from "smb3 directory leases", which also
    /// decides whether NEGOTIATE advertises them; see ShareModeTable.DirectoryLeases.cs for their breaks).</summary>
    public static bool DirectoryLeases { get; set; } = true;

    /// <summary>
    /// Write caching only while no other open (outside <paramref name="self"/>, the lease being upgraded; stat opens
    /// do not count) has the file; nothing while another holder still has Write or a break is in progress; no
    /// Handle caching for a lease beside an oplock, and no oplock beside a lease with Handle caching
    /// (smb2.lease.oplock; Samba's got_oplock / got_handle_lease).
    /// </summary>
    private static CachingState Allowed(FileNode node, CachingGrant? self, FsaOpen open, CachingState want)
    {
        bool isLease = open.Caching?.IsLease == true;
        foreach (var other in node.Grants)
        {
            if (other == self) continue;
            if (((other.Breaking ? other.RequiredBreakTo : other.State) & CachingState.Write) != 0) return CachingState.None;
            if (isLease && !other.IsLease) want &= ~CachingState.Handle;
            if (other.IsLease && other.State != CachingState.None) want &= ~CachingState.Write;
            if (!isLease && other.IsLease && (other.State & CachingState.Handle) != 0) return CachingState.None;
        }
        foreach (var o in node.Opens)
        {
            if (o == open || (self is not null && o.Grant == self) || (IsStatOpen(o, forLease: true) && o.Grant is null)) continue;
            return want & ~CachingState.Write;
        }
        return want;
    }

    /// <summary>
    /// Starts a break of <paramref name="grant"/> to <paramref name="breakTo"/> ([MS-SMB2] 3.3.4.6/3.3.4.7), as
    /// Windows and Samba do: during a break only the target is lowered (the acknowledgment is followed by the next
    /// step); a Read-only lease, or a level II oplock, breaks to none at once with no acknowledgment; anything else
    /// waits for one. A lease's epoch moves on with each new break.
    /// </summary>
    private void StartBreak(CachingGrant grant, CachingState breakTo)
    {
        if (grant.Breaking)
        {
            grant.RequiredBreakTo &= breakTo;
            return;
        }
        var current = grant.State;
        breakTo &= current;
        if (current == breakTo) return;
        if (grant.IsLease) grant.Epoch++;
        var sink = grant.Sink;
        bool ack = grant.IsLease ? (current & (CachingState.Write | CachingState.Handle)) != 0
            : (current & CachingState.Write) != 0;
        if (!ack)
        {
            SetState(grant, CachingState.None);
            sink?.SendBreak(grant, current, CachingState.None, false);
            return;
        }
        BeginAckedBreak(grant, current, breakTo, breakTo);
    }

    private void BeginAckedBreak(CachingGrant grant, CachingState current, CachingState offer, CachingState required)
    {
        grant.Breaking = true;
        grant.BreakingTo = offer;
        grant.RequiredBreakTo = required;
        int generation = ++grant.BreakGeneration;
        grant.BreakTimer?.Dispose();
        grant.BreakTimer = new Timer(_ => BreakTimedOut(grant, generation), null, BreakTimeout, Timeout.InfiniteTimeSpan);
        grant.Sink?.SendBreak(grant, current, offer, true);
    }

    /// <summary>[MS-SMB2] 3.3.2.1 / 3.3.2.5: no acknowledgment in time — the holder loses all caching and the
    /// waiting opens go on.</summary>
    private void BreakTimedOut(CachingGrant grant, int generation)
    {
        lock (_lock)
        {
            if (!grant.Breaking || grant.BreakGeneration != generation) return;
            // Windows and Samba take the unresponsive holder to none (smb2.lease.timeout), not to the offered state.
            EndBreak(grant, CachingState.None);
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
                DirectoryLeaseRemoved(grant);
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
            lease.BreakTimer?.Dispose();
            lease.BreakTimer = null;
            lease.State = state;
            if ((state & ~required) != 0)
            {
                // Not broken far enough for a conflict that came during the break: the next step at once, with the
                // same epoch — to Read first while Write or Handle remain (smb2.lease.breaking3), else to none.
                if ((state & (CachingState.Write | CachingState.Handle)) != 0)
                {
                    BeginAckedBreak(lease, state, required | CachingState.Read, required);
                    return NtStatus.Success;
                }
                lease.State = CachingState.None;
                lease.Sink?.SendBreak(lease, state, CachingState.None, false);
            }
            lease.Breaking = false;
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

    /// <summary>Rename and delete-on-disposition: the other holders lose Handle caching. True (and
    /// <paramref name="onDone"/> registered) when the caller must wait for their acknowledgments.</summary>
    public bool BreakHandle(FsaOpen actor, Action? onDone)
    {
        lock (_lock)
        {
            if (actor.Node is not { } node || node.Grants.Count == 0) return false;
            bool wait = false;
            foreach (var grant in node.Grants.ToArray())
            {
                if (grant == actor.Grant) continue;
                var current = grant.State;
                if ((current & CachingState.Handle) == 0) continue;
                var breakTo = current & ~CachingState.Handle;
                if (!grant.IsLease) breakTo &= CachingState.Read;
                StartBreak(grant, breakTo);
                if (grant.Breaking) wait = true;
            }
            if (!wait || onDone is null) return false;
            node.BreakWaiters.Add(onDone);
            return true;
        }
    }

    /// <summary>WRITE, end of file, allocation, byte-range locks: every other holder's caching to none.</summary>
    private void BreakOthers(FsaOpen actor, CachingState keep)
    {
        lock (_lock)
        {
            if (actor.Node is not { } node || node.Grants.Count == 0) return;
            foreach (var grant in node.Grants.ToArray())
            {
                // The actor's own lease, or its own exclusive or batch oplock, stays; its own level II oplock breaks
                // to none on its write like any other (Windows and Samba send that self-break).
                if (grant == actor.Grant && (grant.IsLease || (grant.State & CachingState.Write) != 0))
                    continue;
                var current = grant.Breaking ? grant.RequiredBreakTo : grant.State;
                var breakTo = current & keep;
                if (!grant.IsLease) breakTo &= CachingState.Read;
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

    /// <summary>Breaks Handle caching of every other holder (rename, delete); true when the caller must wait,
    /// and then <paramref name="onDone"/> is called once the acknowledgments are in.</summary>
    public static bool BreakHandle(FsaOpen actor, Action? onDone) =>
        actor.Node is { Grants.Count: > 0, Table: { } table } && table.BreakHandle(actor, onDone);
}
