namespace FastSmb.Fsa.Locks;

/// <summary>One granted byte-range lock ([MS-FSA] 2.1.1.4 File.LockList entry): its open, range and kind.</summary>
internal readonly record struct GrantedLock(FsaOpen Owner, ByteRange Range, bool Exclusive);

/// <summary>
/// A lock request waiting for a conflicting lock to go away (a blocking SMB2 LOCK). Created by
/// <see cref="ByteRangeLocks.Lock"/>; granted by whichever unlock or close makes room, which then calls its callback on
/// that thread, or withdrawn with <see cref="ByteRangeLocks.CancelWait"/>. Its state is guarded by its file's lock.
/// </summary>
public sealed class PendingByteRangeLock
{
    internal PendingByteRangeLock(FsaOpen owner, ByteRange range, bool exclusive, Action<PendingByteRangeLock> granted)
    {
        Owner = owner;
        Range = range;
        Exclusive = exclusive;
        Granted = granted;
    }

    public FsaOpen Owner { get; }
    public ByteRange Range { get; }
    public bool Exclusive { get; }
    internal Action<PendingByteRangeLock> Granted { get; }

    /// <summary>True once the lock was granted (then a cancel comes too late and must unlock it).</summary>
    public bool IsGranted { get; internal set; }
}

/// <summary>
/// The byte-range locks of one file (or named stream) and the requests waiting on them, in arrival order. Shared by
/// every open of the file, on any connection: one lock guards it, held only for list work, never for I/O or callbacks.
/// </summary>
internal sealed class FileLocks
{
    private readonly List<GrantedLock> _granted = new();
    private readonly List<PendingByteRangeLock> _waiting = new();

    public Lock Gate { get; } = new();

    /// <summary>Read without the gate by the I/O fast path: 0 means there is nothing to check.</summary>
    public int GrantedCount => Volatile.Read(ref _grantedCount);
    private int _grantedCount;

    public List<GrantedLock> Granted => _granted;
    public List<PendingByteRangeLock> Waiting => _waiting;

    /// <summary>[MS-FSA] 2.1.5.7: an exclusive request conflicts with every lock it overlaps, its own open's included; a
    /// shared one only with other opens' exclusive locks. Call under <see cref="Gate"/>.</summary>
    public bool Conflicts(FsaOpen open, ByteRange range, bool exclusive)
    {
        foreach (var held in _granted)
        {
            if (!held.Range.Overlaps(range)) continue;
            if (exclusive || (held.Exclusive && held.Owner != open)) return true;
        }
        return false;
    }

    public void Add(GrantedLock granted)
    {
        _granted.Add(granted);
        Volatile.Write(ref _grantedCount, _granted.Count);
    }

    public void RemoveAt(int index)
    {
        _granted.RemoveAt(index);
        Volatile.Write(ref _grantedCount, _granted.Count);
    }

    /// <summary>
    /// After locks went away: grants the waiting requests that no longer conflict, oldest first (a request granted
    /// here may block a later one). Returns those granted, for their callbacks to run outside the gate; null if none.
    /// Call under <see cref="Gate"/>.
    /// </summary>
    public List<PendingByteRangeLock>? GrantWaiters()
    {
        List<PendingByteRangeLock>? granted = null;
        for (int i = 0; i < _waiting.Count; i++)
        {
            var waiter = _waiting[i];
            if (Conflicts(waiter.Owner, waiter.Range, waiter.Exclusive)) continue;
            Add(new GrantedLock(waiter.Owner, waiter.Range, waiter.Exclusive));
            waiter.IsGranted = true;
            _waiting.RemoveAt(i--);
            (granted ??= new()).Add(waiter);
        }
        return granted;
    }
}
