using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Handlers.Files.Oplocks;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Fsa.Oplocks;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>What a CREATE asks of durability: nothing, a durable open (DHnQ, DH2Q) or a reconnect (DHnC, DH2C).</summary>
internal readonly record struct DurableAsk(bool V1, bool V2, bool Reconnect, FileId ReconnectId, Guid CreateGuid,
    uint TimeoutMs, uint Flags)
{
    public bool Requested => V1 || V2;
}

/// <summary>
/// The durable-handle part of [MS-SMB2] 3.3.5.9 CREATE: 3.3.5.9.6 (DHnQ) and 3.3.5.9.10 (DH2Q) grant durability
/// to an open that holds a batch oplock or a lease with Handle caching; 3.3.5.9.7 (DHnC) and 3.3.5.9.12 (DH2C)
/// re-attach a disconnected durable open to the reconnecting client's session and tree connect; a DH2Q whose
/// CreateGuid names an open already granted is a replay (3.3.5.9.10) or a duplicate. Stateless; the durable opens
/// are in <see cref="DurableOpenTable"/>.
/// </summary>
internal static class DurableCreate
{
    /// <summary>Samba's and Windows' durable timeout when the client gives none (60 s), and Samba's ceiling (300 s).</summary>
    private const uint DefaultTimeoutMs = 60_000, MaxTimeoutMs = 300_000;

    /// <summary>
    /// Reads the durable contexts: STATUS_INVALID_PARAMETER for a context of the wrong size or a combination
    /// [MS-SMB2] 3.3.5.9.10/3.3.5.9.12 forbid (a reconnect beside a request, v1 beside v2). DH2Q and DH2C count
    /// only from 3.0 on; before, as in Windows, they are ignored.
    /// </summary>
    public static NtStatus Parse(ref Smb2Request request, CreateContextList contexts, out DurableAsk ask)
    {
        ask = default;
        bool smb3 = request.Connection.Dialect.IsSmb3();
        bool dhnq = contexts.TryFind("DHnQ"u8, out var dhnqData);
        bool dhnc = contexts.TryFind("DHnC"u8, out var dhncData);
        bool dh2q = smb3 && contexts.TryFind("DH2Q"u8, out _);
        bool dh2c = smb3 && contexts.TryFind("DH2C"u8, out _);
        if (!(dhnq || dhnc || dh2q || dh2c)) return NtStatus.Success;
        if ((dh2q || dh2c) && (dhnq || dhnc)) return NtStatus.InvalidParameter;
        if (dh2q && dh2c) return NtStatus.InvalidParameter;
        if (dh2c)
        {
            contexts.TryFind("DH2C"u8, out var data);
            if (!DurableHandleContexts.TryParseReconnectV2(data, out var fileId, out var guid, out var flags))
                return NtStatus.InvalidParameter;
            ask = new DurableAsk(false, true, true, fileId, guid, 0, flags);
            return NtStatus.Success;
        }
        if (dh2q)
        {
            contexts.TryFind("DH2Q"u8, out var data);
            if (!DurableHandleContexts.TryParseRequestV2(data, out var timeout, out var flags, out var guid))
                return NtStatus.InvalidParameter;
            ask = new DurableAsk(false, true, false, default, guid, timeout, flags);
            return NtStatus.Success;
        }
        if (dhnc)
        {
            // 3.3.5.9.7: a DHnQ beside the reconnect is ignored.
            if (!DurableHandleContexts.TryParseReconnectV1(dhncData, out var fileId)) return NtStatus.InvalidParameter;
            ask = new DurableAsk(true, false, true, fileId, Guid.Empty, 0, 0);
            return NtStatus.Success;
        }
        if (dhnqData.Length < DurableHandleContexts.RequestV1Size) return NtStatus.InvalidParameter;
        ask = new DurableAsk(true, false, false, default, Guid.Empty, 0, 0);
        return NtStatus.Success;
    }

    /// <summary>The FileId a new open gets: a persistent part from the state store when durability is asked for.</summary>
    public static FileId NewFileId(ref Smb2Request request, in DurableAsk ask)
    {
        var fileId = Open.NewFileId();
        if (!ask.Requested || request.Session!.DurableOpens is not { } table || !Allowed(request.Tree!)) return fileId;
        return new FileId(table.AllocatePersistentId(), fileId.Volatile);
    }

    /// <summary>A DH2Q CREATE goes async waiting for breaks: its CreateGuid is pending until it completes. A replay
    /// taken for a new request (<see cref="PendingRequest.NotAReplay"/>) leaves the original's entry alone.</summary>
    public static void MarkPending(ref Smb2Request request, in DurableAsk ask, PendingRequest pending, CachingRequest caching)
    {
        if (ask.V2 && !ask.Reconnect && !pending.NotAReplay && request.Session!.DurableOpens is { } table)
            table.MarkPending(ask.CreateGuid, request.Session!, pending, caching.WaitsOnSharingViolation);
    }

    public static void ClearPending(ref Smb2Request request, in DurableAsk ask, PendingRequest pending)
    {
        if (ask.V2 && !ask.Reconnect && request.Session!.DurableOpens is { } table) table.ClearPending(ask.CreateGuid, pending);
    }

    /// <summary>The share's "durable handles" option (default yes, as Samba's).</summary>
    private static bool Allowed(TreeConnect tree) => tree.DurableHandles;

    /// <summary>
    /// [MS-SMB2] 3.3.5.9.10: a DH2Q whose CreateGuid is already an open's. With SMB2_FLAGS_REPLAY_OPERATION, from
    /// the same client, it is the client repeating a CREATE whose response it lost: the open is answered again.
    /// Otherwise STATUS_DUPLICATE_OBJECTID. Null when the CreateGuid is new.
    /// </summary>
    public static NtStatus? TryReplay(ref Smb2Request request, ResponseBuffer response, in CreateRequest create,
        CreateContextList contexts, in DurableAsk ask, PendingRequest? pending, out bool notAReplay)
    {
        notAReplay = pending is { NotAReplay: true };
        if (notAReplay || !ask.V2 || ask.Reconnect || request.Session!.DurableOpens is not { } table) return null;
        bool replay = (request.Header.Flags & Smb2HeaderFlags.ReplayOperation) != 0;
        // The CREATE being replayed has not completed yet (it waits for a break): Windows refuses the replay with
        // STATUS_ACCESS_DENIED (smb2.replay.dhv2-pending*-windows; Samba answers STATUS_FILE_NOT_AVAILABLE) — unless
        // the original waits because it met a sharing violation: then Windows has not registered its CreateGuid
        // yet, and runs the replay as a new CREATE, which waits for the same break and ends as the share modes
        // say then (smb2.replay.dhv2-pending1n-vs-violation-lease-*-windows).
        if (replay && table.IsPending(ask.CreateGuid, pending, out bool onViolation))
        {
            if (!onViolation) return NtStatus.AccessDenied;
            notAReplay = true;
            return null;
        }
        Open open;
        CreateAction action;
        DurableOpen? durable = null;
        // Only an open whose CREATE response the client may not have seen answers (Open.ReplayCached); a durable
        // open's CreateGuid may since name a newer open made by a replay that came after it was used.
        if (table.TryFindByCreateGuid(ask.CreateGuid, out var found) && found.Open.ReplayCached)
        {
            if (found.ClientGuid != request.Connection.ClientGuid || found.IsDisconnected) return null;
            (durable, open, action) = (found, found.Open, found.CreateAction);
        }
        else if (!table.TryFindReplay(ask.CreateGuid, out open, out action) || !open.ReplayCached
            || open.Tree.Session.Connection.ClientGuid != request.Connection.ClientGuid)
        {
            return null;
        }
        if (!replay) return NtStatus.DuplicateObjectId;
        if (open.Tree.Session != request.Session || open.Tree != request.Tree) return NtStatus.DuplicateObjectId;
        // The replay answers what the open is, in the terms the replayed request asks (smb2.replay.replay-dhv2-*):
        // an oplock open replayed with a lease, or a leased open with another lease key or an oplock, is refused;
        // an oplock open answers the oplock asked for, at most the one held, and durability only with a batch.
        var grant = open.File!.Grant;
        bool asksLease = create.RequestedOplockLevel == OplockLevel.Lease && contexts.TryFind("RqLs"u8, out _);
        byte? level = null;
        if (grant is { IsLease: true })
        {
            if (!asksLease || !contexts.TryFind("RqLs"u8, out var data)
                || !LeaseContext.TryParse(data, request.Connection.Dialect.IsSmb3(), out var lease) || lease.LeaseKey != grant.LeaseKey)
                return NtStatus.AccessDenied;
        }
        else
        {
            if (asksLease) return NtStatus.AccessDenied;
            byte held = grant?.OplockLevel ?? OplockLevel.None;
            level = Math.Min(create.RequestedOplockLevel, held);
        }
        request.CompoundFileId = open.FileId;
        bool durableAnswer = level is null or OplockLevel.Batch;
        return Respond(ref request, response, open, action, durableAnswer ? durable : null, level);
    }

    /// <summary>
    /// After the open: durability is granted when the open holds a batch oplock or a lease with Handle caching
    /// (3.3.5.9.6, 3.3.5.9.10; Samba's rules), and answered with the DHnQ or DH2Q response context.
    /// </summary>
    public static DurableOpen? Grant(ref Smb2Request request, Open open, CachingRequest caching, CreateAction action,
        in DurableAsk ask)
    {
        if (!ask.Requested || ask.Reconnect) return null;
        var session = request.Session!;
        if (session.DurableOpens is not { } table || !Allowed(open.Tree))
            return null;
        var grant = open.File!.Grant;
        // 3.3.5.9.10: SMB2_DHANDLE_FLAG_PERSISTENT on a continuously available share makes the open persistent,
        // whatever oplock or lease it holds.
        bool persistent = ask.V2 && (ask.Flags & DurableHandleContexts.FlagPersistent) != 0 && open.Tree.ContinuouslyAvailable;
        if (ask.V2) open.ReplayCached = true;
        if (!persistent && (grant is null || (grant.State & CachingState.Handle) == 0))
        {
            if (ask.V2) table.AddReplay(ask.CreateGuid, open, action);
            return null;
        }
        uint timeout = ask.V2 ? (ask.TimeoutMs == 0 ? DefaultTimeoutMs : Math.Min(ask.TimeoutMs, MaxTimeoutMs)) : DefaultTimeoutMs;
        var durable = table.Add(open, ask.V2 ? ask.CreateGuid : Guid.Empty, persistent,
            request.Connection.ClientGuid, Guid.Empty, OwnerOf(session), timeout);
        durable.CreateAction = action;
        open.TracksLockSequences = true;
        if (caching.Sink is BreakNotifier notifier) notifier.Durable = durable;
        return durable;
    }

    /// <summary>
    /// [MS-SMB2] 3.3.5.9.10: a persistent open's record is committed to the state store before the CREATE response
    /// goes out (the response already written waits for the store's group commit; PersistentCommit). A commit that
    /// fails closes the open again.
    /// </summary>
    public static NtStatus CommitPersistent(ref Smb2Request request, ResponseBuffer response, DurableOpen durable,
        Oplocks.PendingRequest? pending)
    {
        var open = durable.Open;
        return PersistentCommit.Respond(ref request, response, durable.Table.CommitAsync(durable), pending?.Operation,
            mayWaitInChain: true, connection =>
            {
                if (!open.Tree.RemoveOpen(open.FileId.Volatile, out _)) return;
                using (Identity.IdentityScope.Enter(open.Tree.UnixIdentity))
                    open.Dispose();
            });
    }

    /// <summary>Writes the DHnQ or DH2Q response context of a granted durable open.</summary>
    public static void WriteResponseContext(ref CreateContextWriter contexts, DurableOpen durable)
    {
        if (!durable.IsV2)
        {
            contexts.Add("DHnQ"u8, DurableHandleContexts.ResponseV1Size).Clear();
            return;
        }
        var data = contexts.Add("DH2Q"u8, DurableHandleContexts.ResponseV2Size);
        DurableHandleContexts.WriteResponseV2(data, durable.TimeoutMs, durable.IsPersistent ? DurableHandleContexts.FlagPersistent : 0);
    }

    /// <summary>
    /// [MS-SMB2] 3.3.5.9.7 (DHnC) and 3.3.5.9.12 (DH2C): finds the disconnected durable open, checks that this
    /// client may have it back, re-attaches it with a new volatile FileId. Every other field of the request is
    /// ignored (smb2.durable-v2-open.reopen2). STATUS_OBJECT_NAME_NOT_FOUND when there is no such open to reclaim
    /// (or its lease does not match), STATUS_INVALID_PARAMETER for a leased open reclaimed under another name,
    /// STATUS_ACCESS_DENIED for another user.
    /// </summary>
    public static NtStatus Reconnect(ref Smb2Request request, ResponseBuffer response, in CreateRequest create,
        CreateContextList contexts, in DurableAsk ask)
    {
        var session = request.Session!;
        var tree = request.Tree!;
        if (session.DurableOpens is not { } table || !table.TryGet(ask.ReconnectId.Persistent, out var durable))
            return NtStatus.ObjectNameNotFound;
        // A DH2C names the CreateGuid (zero for a v1 open, which DH2C may reclaim too: smb2.durable-open.reopen2-lease).
        if (ask.V2 && durable.CreateGuid != ask.CreateGuid) return NtStatus.ObjectNameNotFound;
        var old = durable.Open;
        var file = old.File!;
        var grant = file.Grant;
        bool hasLeaseContext = contexts.TryFind("RqLs"u8, out var leaseData);
        if (grant is { IsLease: true })
        {
            // The lease must be named again, by the client that holds it ([MS-SMB2] 3.3.5.9.7, 3.3.5.9.12).
            if (!hasLeaseContext || !LeaseContext.TryParse(leaseData, request.Connection.Dialect.IsSmb3(), out var lease)
                || lease.LeaseKey != grant.LeaseKey || durable.ClientGuid != request.Connection.ClientGuid)
                return NtStatus.ObjectNameNotFound;
            if (!string.Equals(create.Name, old.Name, StringComparison.OrdinalIgnoreCase)) return NtStatus.InvalidParameter;
        }
        else if (hasLeaseContext)
        {
            // A persistent open rebuilt after a restart holds no lease; the client names the one it had.
            if (durable.RecoveredLeaseKey is not { } recovered
                || !LeaseContext.TryParse(leaseData, request.Connection.Dialect.IsSmb3(), out var lease)
                || lease.LeaseKey != recovered || durable.ClientGuid != request.Connection.ClientGuid)
                return NtStatus.ObjectNameNotFound;
        }
        if (!durable.IsDisconnected) return NtStatus.ObjectNameNotFound;
        if (!string.Equals(durable.Owner, OwnerOf(session), StringComparison.OrdinalIgnoreCase)) return NtStatus.AccessDenied;
        if (!string.Equals(old.Tree.ShareName, tree.ShareName, StringComparison.OrdinalIgnoreCase)) return NtStatus.ObjectNameNotFound;

        var fileId = new FileId(durable.PersistentId, Open.NewFileId().Volatile);
        var reattached = old.ReattachTo(tree, fileId);
        if (!table.TryReconnect(durable, reattached)) return NtStatus.ObjectNameNotFound;
        tree.AddOpen(reattached);
        if (file.Caching?.Sink is BreakNotifier notifier) notifier.Retarget(request.Connection, session, tree, fileId);
        request.CompoundFileId = fileId;
        // The reconnect's response carries no DHnQ or DH2Q (smb2.durable-open.reopen2, durable-v2-open.reopen2).
        return Respond(ref request, response, reattached, CreateAction.Opened, null);
    }

    private static NtStatus Respond(ref Smb2Request request, ResponseBuffer response, Open open, CreateAction action,
        DurableOpen? v2Context, byte? oplockOverride = null)
    {
        var file = open.File!;
        var volume = file.Volume;
        var status = volume.QueryMetadata(file, out var metadata);
        if (status != NtStatus.Success) return status;
        var body = response.GetBodySpan(CreateResponse.FixedSize + 128);
        var contexts = new CreateContextWriter(body[CreateResponse.ContextsPosition..]);
        byte oplockLevel = oplockOverride ?? CreateCaching.Respond(file, new CachingRequest { IsLease = file.Grant?.IsLease == true }, ref contexts);
        if (v2Context is not null) WriteResponseContext(ref contexts, v2Context);
        var wire = FileOpens.ToWire(metadata, file.DeletePending);
        response.Advance(CreateResponse.Write(body, oplockLevel, flags: 0, (uint)action, wire.CreationTime,
            wire.LastAccessTime, wire.LastWriteTime, wire.ChangeTime, wire.AllocationSize, wire.EndOfFile,
            wire.WireAttributes, open.FileId, body.Slice(CreateResponse.ContextsPosition, contexts.Length)));
        return NtStatus.Success;
    }

    /// <summary>Open.DurableOwner: who may reclaim the open.</summary>
    private static string OwnerOf(Smb2Session session) => session.Domain.Length == 0 ? session.UserName : session.Domain + "\\" + session.UserName;
}
