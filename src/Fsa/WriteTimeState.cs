namespace FastSmb.Fsa;

/// <summary>
/// The last-write time a file shows while it is open, as Windows and Samba keep it rather than as the disk's mtime
/// moves with every write ([MS-FSA] 2.1.4.17 and 2.1.5.4; [MS-FSCC] 6 note on LastWriteTime being updated lazily):
/// <list type="bullet">
/// <item>the first write through an open does not change what queries show; the update happens
/// <see cref="UpdateDelay"/> later (Samba's "writetimeupdatedelay", 2 s), or at once when that open's
/// FLUSH, end-of-file or basic-information set, or its close comes first;</item>
/// <item>later writes through the same open do not move it again until the close, which sets it to the close's time;</item>
/// <item>a time set explicitly (FileBasicInformation) is what every open of the file sees.</item>
/// </list>
/// One per <see cref="FileNode"/>: shared by the opens of the file on every connection, guarded by its own lock.
/// </summary>
public sealed class WriteTimeState
{
    /// <summary>2 seconds in FILETIME units.</summary>
    public const long UpdateDelay = 2 * 10_000_000;

    private readonly Lock _lock = new();
    private long _shown;
    private long _deadline;
    private FsaOpen? _pendingOpen;

    /// <summary>What queries show instead of the disk's mtime while the file is open; 0 for the disk's.</summary>
    public long Shown(long now, out FsaOpen? due)
    {
        lock (_lock)
        {
            due = null;
            if (_pendingOpen is not null && now >= _deadline)
            {
                due = _pendingOpen;
                _shown = _deadline;
                _pendingOpen.WriteTimeUpdateOnClose = false;
                _pendingOpen = null;
            }
            return _shown;
        }
    }

    /// <summary>
    /// A write through <paramref name="open"/> (whose times are not frozen). <paramref name="before"/> is the
    /// disk's mtime before the write: what the file shows until the delayed update (the caller needs it only for
    /// an open's first write, <see cref="FsaOpen.WriteTimeTriggered"/> false).
    /// </summary>
    public void Written(FsaOpen open, long before, long now)
    {
        lock (_lock)
        {
            open.WriteTimeUpdateOnClose = true;
            if (open.WriteTimeTriggered) return;
            open.WriteTimeTriggered = true;
            if (_shown == 0) _shown = before;
            if (_pendingOpen is null)
            {
                _pendingOpen = open;
                _deadline = now + UpdateDelay;
            }
        }
    }

    /// <summary>
    /// Makes a pending update happen now (FLUSH, end-of-file, basic information, close): returns the new time, or 0
    /// when nothing was pending for <paramref name="open"/> (any open's pending update when <paramref name="open"/> is
    /// null).
    /// </summary>
    public long UpdateNow(FsaOpen? open, long now)
    {
        lock (_lock)
        {
            if (_pendingOpen is null || (open is not null && _pendingOpen != open)) return 0;
            _pendingOpen.WriteTimeUpdateOnClose = false;
            _pendingOpen = null;
            _shown = now;
            return now;
        }
    }

    /// <summary>A write time set explicitly, or the close-time update: every open shows it from now on.</summary>
    public void Set(long writeTime, FsaOpen? cancelPendingOf)
    {
        lock (_lock)
        {
            _shown = writeTime;
            if (cancelPendingOf is not null && _pendingOpen == cancelPendingOf)
            {
                _pendingOpen = null;
                cancelPendingOf.WriteTimeUpdateOnClose = false;
            }
        }
    }

    /// <summary>An open going away: a pending update of its own goes with it (the caller applies its close time).</summary>
    public void Forget(FsaOpen open)
    {
        lock (_lock)
            if (_pendingOpen == open) _pendingOpen = null;
    }
}
