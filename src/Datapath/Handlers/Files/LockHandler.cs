using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Fsa.Locks;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.14 SMB2 LOCK: the lock-sequence replay check, then either unlocks (3.3.5.14.1: the first element
/// decides, every element must be a plain unlock, processed in order until one fails) or locks (3.3.5.14.2: all or
/// nothing; a single lock without SMB2_LOCKFLAG_FAIL_IMMEDIATELY waits, async and cancellable, until it is granted).
/// Stateless; the locks live in the FSA, the waiting requests on their <see cref="Open"/>.
/// </summary>
internal static class LockHandler
{
    private const uint Shared = LockElement.FlagSharedLock, Exclusive = LockElement.FlagExclusiveLock;
    private const uint FailImmediately = LockElement.FlagFailImmediately;

    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!LockRequest.TryParse(request.Message, out var lockRequest)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, lockRequest.FileId, out var open, out var file);
        if (status != NtStatus.Success) return status;

        // [MS-SMB2] 3.3.5.14: for 2.1 and later, a resilient or durable open ignores a LOCK it already applied.
        bool sequenced = UsesLockSequence(request.Connection, open);
        int index = sequenced ? (int)lockRequest.LockSequenceIndex : 0;
        byte number = lockRequest.LockSequenceNumber;
        if (sequenced && open.IsLockReplay(index, number)) return Respond(response);
        if (sequenced) open.InvalidateLockSequence(index);

        status = lockRequest.GetLock(0).IsUnlock
            ? UnlockAll(lockRequest, file)
            : LockAll(ref request, lockRequest, open, file, index, number);
        if (status != NtStatus.Success) return status;
        if (sequenced) open.RecordLockSequence(index, number);
        Respond(response);
        // A persistent open's locks are on stable storage before the LOCK is answered (they survive a restart).
        return open.Durable is { IsPersistent: true } persistent
            ? PersistentCommit.Respond(ref request, response, persistent.Table.CommitAsync(persistent), null, mayWaitInChain: false, null)
            : NtStatus.Success;
    }

    /// <summary>
    /// Whether the LockSequence of a request is checked: on resilient, durable or persistent opens from 2.1 on
    /// ([MS-SMB2] 3.3.5.14), and on every open of a 3.x connection, as Windows Server 2012 and later and Samba do
    /// (smbtorture's smb2.lock.replay_broken_windows tells the two behaviours apart).
    /// </summary>
    private static bool UsesLockSequence(Smb2Connection connection, Open open) =>
        connection.Dialect.IsSmb3() || (connection.Dialect != Smb2Dialect.Smb202 && open.TracksLockSequences);

    private static NtStatus Respond(ResponseBuffer response)
    {
        response.Advance(LockResponse.Write(response.GetBodySpan(LockResponse.Size)));
        return NtStatus.Success;
    }

    /// <summary>[MS-SMB2] 3.3.5.14.1: each element must be exactly SMB2_LOCKFLAG_UNLOCK (Samba, like Windows since 2008 R2,
    /// refuses FAIL_IMMEDIATELY too); the unlocks done before a failing element stay done.</summary>
    private static NtStatus UnlockAll(in LockRequest lockRequest, FsaOpen file)
    {
        var locks = file.Volume.ByteRangeLocks;
        for (int i = 0; i < lockRequest.LockCount; i++)
        {
            var element = lockRequest.GetLock(i);
            if (element.Flags != LockElement.FlagUnlock) return NtStatus.InvalidParameter;
            var status = locks.Unlock(file, new ByteRange(element.Offset, element.Length));
            if (status != NtStatus.Success) return status;
        }
        return NtStatus.Success;
    }

    private static NtStatus LockAll(ref Smb2Request request, in LockRequest lockRequest, Open open, FsaOpen file,
        int sequenceIndex, byte sequenceNumber)
    {
        int count = lockRequest.LockCount;
        // [MS-SMB2] 3.3.5.14.2: only the four lock combinations are valid, and a request of several locks must fail
        // immediately (it could not wait for all of them at once). Checked first, as Samba does: nothing is locked.
        for (int i = 0; i < count; i++)
        {
            uint flags = lockRequest.GetLock(i).Flags;
            if (flags is not (Shared or Exclusive or (Shared | FailImmediately) or (Exclusive | FailImmediately)))
                return NtStatus.InvalidParameter;
            if (count > 1 && (flags & FailImmediately) == 0) return NtStatus.InvalidParameter;
        }
        var locks = file.Volume.ByteRangeLocks;
        var first = lockRequest.GetLock(0);
        if (count == 1 && !first.FailImmediately && request.Connection.Post is { } post)
            return LockOrWait(ref request, open, file, first, post, sequenceIndex, sequenceNumber);

        for (int i = 0; i < count; i++)
        {
            var element = lockRequest.GetLock(i);
            var status = locks.Lock(file, new ByteRange(element.Offset, element.Length), element.IsExclusive, null, out _);
            if (status == NtStatus.Success) continue;
            // All or nothing: the locks this request took go again.
            for (int j = 0; j < i; j++)
            {
                var taken = lockRequest.GetLock(j);
                locks.Unlock(file, new ByteRange(taken.Offset, taken.Length));
            }
            return status;
        }
        return NtStatus.Success;
    }

    /// <summary>A blocking lock: granted now, or the request goes async until an unlock or close makes room (the
    /// granting thread posts the answer to this connection's owner), CANCEL withdraws it, or its open closes.</summary>
    private static NtStatus LockOrWait(ref Smb2Request request, Open open, FsaOpen file, LockElement element,
        Action<Action<Smb2Connection>> post, int sequenceIndex, byte sequenceNumber)
    {
        var locks = file.Volume.ByteRangeLocks;
        var range = new ByteRange(element.Offset, element.Length);
        PendingLockRequest? waiting = null;
        // The post runs under this connection's gate, so after this handler has set `waiting`.
        var status = locks.Lock(file, range, element.IsExclusive, _ => post(connection => Deliver(connection, open, waiting!)),
            out var pending);
        if (status != NtStatus.Pending) return status;

        var op = request.GoAsync();
        waiting = new PendingLockRequest(op, pending!, sequenceIndex, sequenceNumber);
        open.AddPendingLock(waiting);
        op.OnCancel = () =>
        {
            open.RemovePendingLock(waiting);
            // Granted meanwhile, its answer not yet sent: the cancel wins and the lock goes.
            if (!locks.CancelWait(waiting.Request)) locks.Unlock(file, range);
        };
        return NtStatus.Pending;
    }

    private static void Deliver(Smb2Connection connection, Open open, PendingLockRequest waiting)
    {
        if (waiting.Operation.IsCompleted) return;
        open.RemovePendingLock(waiting);
        if (UsesLockSequence(connection, open))
            open.RecordLockSequence(waiting.SequenceIndex, waiting.SequenceNumber);
        // A blocking lock granted later: recorded in the store's log, durable at its next group commit.
        if (open.Durable is { IsPersistent: true } persistent) persistent.Table.RecordChange(persistent);
        AsyncResponder.Complete(connection, waiting.Operation, NtStatus.Success, LockResponse.Write);
    }
}
