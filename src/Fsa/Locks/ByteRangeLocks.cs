namespace FastSmb.Fsa.Locks;

/// <summary>
/// [MS-FSA] 2.1.5.7 ByteRangeLock and 2.1.5.8 Unlock over the per-file lock lists, the lock checks of 2.1.5.2 Read and
/// 2.1.5.3 Write, and the release of an open's locks at close (2.1.5.4). One per volume; thread-safe (each file's list
/// has its own lock).
/// </summary>
public sealed class ByteRangeLocks
{
    /// <summary>
    /// Raised before a lock is taken, on the locking thread: [MS-FSA] 2.1.5.7 first checks for an oplock break
    /// (2.1.4.12, Operation LOCK_CONTROL), which breaks the file's level II oplocks and read-caching leases: that break
    /// is made here directly (<see cref="OplockBreaker.BreakToNone"/>); this event is for other observers.
    /// </summary>
    public event Action<FsaOpen>? LockRequested;

    /// <summary>
    /// Takes a lock for <paramref name="open"/>. STATUS_INVALID_LOCK_RANGE for a range past 2^64 - 1; on conflict
    /// STATUS_LOCK_NOT_GRANTED when <paramref name="onGranted"/> is null (fail immediately), else STATUS_PENDING with
    /// <paramref name="pending"/> queued: <paramref name="onGranted"/> runs, on the thread that made room, once the lock
    /// is held.
    /// </summary>
    public NtStatus Lock(FsaOpen open, ByteRange range, bool exclusive, Action<PendingByteRangeLock>? onGranted,
        out PendingByteRangeLock? pending)
    {
        pending = null;
        if (!range.IsValid) return NtStatus.InvalidLockRange;
        if (open.IsDirectory) return NtStatus.InvalidParameter;
        OplockBreaker.BreakToNone(open);
        LockRequested?.Invoke(open);
        var locks = LocksOf(open);
        lock (locks.Gate)
        {
            if (!locks.Conflicts(open, range, exclusive))
            {
                locks.Add(new GrantedLock(open, range, exclusive));
                return NtStatus.Success;
            }
            if (onGranted is null) return NtStatus.LockNotGranted;
            pending = new PendingByteRangeLock(open, range, exclusive, onGranted);
            locks.Waiting.Add(pending);
            return NtStatus.Pending;
        }
    }

    /// <summary>
    /// [MS-FSA] 2.1.5.8: removes the open's lock with exactly this offset and length, an exclusive one before a shared
    /// one (as Windows unstacks); STATUS_RANGE_NOT_LOCKED when there is none. Waiters it unblocks are granted.
    /// </summary>
    public NtStatus Unlock(FsaOpen open, ByteRange range)
    {
        var locks = Volatile.Read(ref open.Node!.Locks);
        if (locks is null) return NtStatus.RangeNotLocked;
        List<PendingByteRangeLock>? granted;
        lock (locks.Gate)
        {
            int match = -1;
            var list = locks.Granted;
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i].Owner != open || list[i].Range != range) continue;
                if (list[i].Exclusive) { match = i; break; }
                if (match < 0) match = i;
            }
            if (match < 0) return NtStatus.RangeNotLocked;
            locks.RemoveAt(match);
            granted = locks.GrantWaiters();
        }
        Notify(granted);
        return NtStatus.Success;
    }

    /// <summary>Withdraws a waiting request; false when it was granted meanwhile (the caller then owns the lock).</summary>
    public bool CancelWait(PendingByteRangeLock pending)
    {
        var locks = Volatile.Read(ref pending.Owner.Node!.Locks)!;
        lock (locks.Gate)
        {
            if (pending.IsGranted) return false;
            locks.Waiting.Remove(pending);
            return true;
        }
    }

    /// <summary>[MS-FSA] 2.1.5.4: a closing open's locks go (and its waiting requests with them); waiters of other opens
    /// that they blocked are granted.</summary>
    public void ReleaseAll(FsaOpen open)
    {
        var locks = open.Node is { } node ? Volatile.Read(ref node.Locks) : null;
        if (locks is null) return;
        List<PendingByteRangeLock>? granted;
        lock (locks.Gate)
        {
            locks.Waiting.RemoveAll(w => w.Owner == open);
            var list = locks.Granted;
            int before = list.Count;
            for (int i = list.Count - 1; i >= 0; i--)
                if (list[i].Owner == open) locks.RemoveAt(i);
            granted = list.Count != before ? locks.GrantWaiters() : null;
        }
        Notify(granted);
    }

    /// <summary>The locks <paramref name="open"/> holds, in the order taken: what a persistent open records so a
    /// restart can take them again ([MS-SMB2] 3.3.5.9.12).</summary>
    public List<(ByteRange Range, bool Exclusive)> HeldBy(FsaOpen open)
    {
        var held = new List<(ByteRange, bool)>();
        var locks = open.Node is { } node ? Volatile.Read(ref node.Locks) : null;
        if (locks is null) return held;
        lock (locks.Gate)
            foreach (var granted in locks.Granted)
                if (granted.Owner == open) held.Add((granted.Range, granted.Exclusive));
        return held;
    }

    /// <summary>
    /// [MS-FSA] 2.1.5.2: a read of a range another open holds an exclusive lock on is STATUS_FILE_LOCK_CONFLICT.
    /// Allocation-free; a file nobody locked costs one field read.
    /// </summary>
    public static NtStatus CheckRead(FsaOpen open, long offset, long length) => Check(open, offset, length, write: false);

    /// <summary>[MS-FSA] 2.1.5.3: a write conflicts with any shared lock (its own open's too) and with other opens'
    /// exclusive locks.</summary>
    public static NtStatus CheckWrite(FsaOpen open, long offset, long length) => Check(open, offset, length, write: true);

    private static NtStatus Check(FsaOpen open, long offset, long length, bool write)
    {
        var locks = open.Node is { } node ? Volatile.Read(ref node.Locks) : null;
        if (locks is null || locks.GrantedCount == 0 || length <= 0 || offset < 0) return NtStatus.Success;
        var range = new ByteRange((ulong)offset, (ulong)length);
        lock (locks.Gate)
        {
            foreach (var held in locks.Granted)
            {
                if (held.Range.Length == 0 || !held.Range.Overlaps(range)) continue;
                if (held.Owner != open ? held.Exclusive || write : write && !held.Exclusive)
                    return NtStatus.FileLockConflict;
            }
        }
        return NtStatus.Success;
    }

    private static FileLocks LocksOf(FsaOpen open)
    {
        var node = open.Node!;
        return Volatile.Read(ref node.Locks) ?? Interlocked.CompareExchange(ref node.Locks, new FileLocks(), null) ?? node.Locks!;
    }

    private static void Notify(List<PendingByteRangeLock>? granted)
    {
        if (granted is null) return;
        foreach (var waiter in granted) waiter.Granted(waiter);
    }
}
