namespace FastSmb.Fsa.Notify;

/// <summary>
/// "kernel change notify" sees the server's own changes twice: once as the volume reports them ([MS-FSA] 2.1.4.1,
/// with Windows' actions and filters) and again as inotify events. This ledger keeps one of the two. A name change
/// (added, removed, renamed) is counted per entry and action from both sides: whichever copy comes first is
/// reported and the other is dropped when it comes, so a local process making the same change is still reported
/// (never lost), whichever thread is faster. Metadata events (IN_ATTRIB, IN_MODIFY) come in numbers that depend on
/// how the server made the change (xattrs, times, each write), so they are dropped for a short while after the
/// server reported a change to the same entry: a local change to that entry in that window shows as the server's
/// FILE_ACTION_MODIFIED of the same name. Guarded by its <see cref="ChangeNotifier"/>'s lock.
/// </summary>
internal sealed class OwnChangeLedger
{
    /// <summary>How long one copy of a name change waits for the other; a later copy is reported (a duplicate, not a
    /// loss).</summary>
    private const long NameWindowMs = 10_000;
    /// <summary>How long metadata events of an entry the server changed are taken as the server's own.</summary>
    private const long MetadataWindowMs = 2_000;
    private const int PurgeAbove = 1024;

    /// <summary>Per entry and action: how many of the volume's reports await their kernel copy (positive), or how
    /// many kernel events await the volume's report (negative).</summary>
    private readonly Dictionary<(string Path, FileAction Action), (int Balance, long Deadline)> _names = new();
    private readonly Dictionary<string, long> _touched = new(StringComparer.Ordinal);

    public int Count => _names.Count + _touched.Count;

    /// <summary>The volume reports a change whose kernel copy will come. False when the kernel's copy came first and
    /// was already reported to the kernel watches.</summary>
    public bool RecordOwn(string path, FileAction action, long now)
    {
        if (_names.Count + _touched.Count > PurgeAbove) Purge(now);
        if (action != FileAction.Removed && action != FileAction.RenamedOldName) _touched[path] = now + MetadataWindowMs;
        return !IsNameAction(action) || Move((path, action), +1, now);
    }

    /// <summary>True when the kernel's event is the copy of a change the volume already reported.</summary>
    public bool IsOwn(string path, FileAction action, long now)
    {
        if (IsNameAction(action)) return !Move((path, action), -1, now);
        return _touched.TryGetValue(path, out long until) && until >= now;
    }

    /// <summary>Adds one copy from a side (+1 the volume, -1 the kernel); true when it is the first of its pair.</summary>
    private bool Move((string, FileAction) key, int side, long now)
    {
        if (_names.TryGetValue(key, out var entry) && entry.Deadline >= now && entry.Balance != 0
            && Math.Sign(entry.Balance) != side)
        {
            int balance = entry.Balance + side;
            if (balance == 0) _names.Remove(key);
            else _names[key] = (balance, entry.Deadline);
            return false;
        }
        int current = entry.Deadline >= now ? entry.Balance : 0;
        _names[key] = (current + side, now + NameWindowMs);
        return true;
    }

    private static bool IsNameAction(FileAction action) =>
        action is FileAction.Added or FileAction.Removed or FileAction.RenamedOldName or FileAction.RenamedNewName;

    private void Purge(long now)
    {
        foreach (var (key, entry) in _names.ToArray()) if (entry.Deadline < now) _names.Remove(key);
        foreach (var (key, until) in _touched.ToArray()) if (until < now) _touched.Remove(key);
    }
}

/// <summary>What a volume that can watch directories in the kernel ("kernel change notify") does for
/// <see cref="ChangeNotifier"/>.</summary>
public interface IKernelChangeSource
{
    /// <summary>A watch asking for kernel events was armed: watch its directory (and, watching the tree, the
    /// directories beneath it).</summary>
    void Add(NotifyWatch watch);

    /// <summary>The watch went: drop the kernel watches nothing else needs.</summary>
    void Remove(NotifyWatch watch);

    /// <summary>Whether a change to <paramref name="path"/> will come back as a kernel event (its directory is
    /// watched).</summary>
    bool Covers(string path);
}
