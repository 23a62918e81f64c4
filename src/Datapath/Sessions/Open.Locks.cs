using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa.Locks;
using FastSmb.Protocol;

namespace FastSmb.Datapath.Sessions;

/// <summary>A blocking LOCK waiting on its open: the async operation that answers it and the FSA request it waits
/// for, with the lock-sequence entry to record when it is granted.</summary>
internal sealed class PendingLockRequest(AsyncOperation operation, PendingByteRangeLock request, int sequenceIndex,
    byte sequenceNumber)
{
    public AsyncOperation Operation { get; } = operation;
    public PendingByteRangeLock Request { get; } = request;
    public int SequenceIndex { get; } = sequenceIndex;
    public byte SequenceNumber { get; } = sequenceNumber;
}

public sealed partial class Open
{
    /// <summary>[MS-SMB2] 3.3.1.10 Open.LockSequenceArray: 64 entries, indexed 1..64 by LockSequenceIndex.</summary>
    public const int LockSequenceEntries = 64;

    private const byte SequenceValid = 0x80;
    private byte[]? _lockSequences;
    private List<PendingLockRequest>? _pendingLocks;

    /// <summary>
    /// Whether LOCK requests on this open are replay-checked through <see cref="LockSequenceEntries"/> sequence
    /// buckets ([MS-SMB2] 3.3.5.14: Open.IsResilient, IsDurable or IsPersistent). Set by whatever grants the open
    /// resiliency or durability.
    /// </summary>
    public bool TracksLockSequences { get; set; }

    internal bool HasPendingLocks => _pendingLocks is { Count: > 0 };

    internal void AddPendingLock(PendingLockRequest pending) => (_pendingLocks ??= new()).Add(pending);

    internal bool RemovePendingLock(PendingLockRequest pending) => _pendingLocks?.Remove(pending) ?? false;

    /// <summary>[MS-SMB2] 3.3.5.14: whether this LOCK repeats one already applied (the entry is valid and holds the
    /// same sequence number); the server then answers success without locking again.</summary>
    public bool IsLockReplay(int index, byte number) =>
        _lockSequences is { } entries && index is >= 1 and <= LockSequenceEntries
        && entries[index] == (SequenceValid | (number & 0xF));

    /// <summary>Before processing: the entry no longer vouches for a completed request.</summary>
    public void InvalidateLockSequence(int index)
    {
        if (_lockSequences is not null && index is >= 1 and <= LockSequenceEntries) _lockSequences[index] = 0;
    }

    /// <summary>After success: the entry records the request's sequence number.</summary>
    public void RecordLockSequence(int index, byte number)
    {
        if (index is < 1 or > LockSequenceEntries) return;
        (_lockSequences ??= new byte[LockSequenceEntries + 1])[index] = (byte)(SequenceValid | (number & 0xF));
    }

    /// <summary>
    /// The open is closing: a lock request still waiting on it ends with STATUS_RANGE_NOT_LOCKED (as Windows and Samba
    /// answer it); one granted just before, whose answer is on its way, keeps its success.
    /// </summary>
    private void EndPendingLocks()
    {
        if (_pendingLocks is not { Count: > 0 } pending) return;
        var locks = File!.Volume.ByteRangeLocks;
        var connection = Tree.Session.Connection;
        foreach (var request in pending.ToArray())
        {
            if (!locks.CancelWait(request.Request)) continue;
            AsyncResponder.Complete(connection, request.Operation, NtStatus.RangeNotLocked, null);
        }
        pending.Clear();
    }
}
