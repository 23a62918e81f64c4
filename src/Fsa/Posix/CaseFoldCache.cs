namespace FastSmb.Fsa.Posix;

/// <summary>
/// The slow half of case-insensitive lookup on a case-sensitive file system: for a directory, every on-disk name by
/// its case-folded form, so that a name the client spelled in another case costs one dictionary lookup instead of
/// a scan of the directory. The resolver tries the exact name first and only comes here when that misses.
/// <para>
/// An entry is valid while its directory is the same inode with the modification and change times it had when it was read:
/// any create, delete or rename in the directory moves them, whoever made it. The volume also drops the entry
/// itself after each change it makes (<see cref="Invalidate"/>), so its own changes are seen even within one tick
/// of the file system's clock. At most <see cref="Capacity"/> directories are kept; beyond that the cache starts
/// over (lookups of other spellings are rare; the bound only keeps memory flat).
/// </para>
/// Shared by the volume's callers; one lock guards it.
/// </summary>
internal sealed class CaseFoldCache
{
    public const int Capacity = 1024;

    private sealed record Entry(ulong Ino, long MtimeSec, uint MtimeNsec, long CtimeSec, uint CtimeNsec, Dictionary<string, string> Names);

    private readonly Dictionary<string, Entry> _directories = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Count { get { lock (_lock) return _directories.Count; } }

    /// <summary>
    /// The on-disk spelling of <paramref name="name"/> (ignoring case) in the directory <paramref name="directory"/>
    /// (on-disk path, "" for the root) whose current metadata is <paramref name="directoryStat"/>, or null when it
    /// has no such name. <paramref name="readNames"/> lists the directory when the cache has nothing valid for it.
    /// </summary>
    public string? Find(string directory, in Libc.Statx directoryStat, string name, Func<List<string>?> readNames)
    {
        Entry? entry;
        lock (_lock)
        {
            if (_directories.TryGetValue(directory, out entry) && !Matches(entry, directoryStat))
            {
                _directories.Remove(directory);
                entry = null;
            }
        }
        if (entry is null)
        {
            var names = readNames();
            if (names is null) return null;
            var folded = new Dictionary<string, string>(names.Count, StringComparer.OrdinalIgnoreCase);
            // Names that differ only in case: the first one listed wins, as a scan would find it.
            foreach (var n in names) folded.TryAdd(n, n);
            entry = new Entry(directoryStat.Ino, directoryStat.MtimeSec, directoryStat.MtimeNsec, directoryStat.CtimeSec,
                directoryStat.CtimeNsec, folded);
            lock (_lock)
            {
                if (_directories.Count >= Capacity) _directories.Clear();
                _directories[directory] = entry;
            }
        }
        return entry.Names.TryGetValue(name, out var onDisk) ? onDisk : null;
    }

    /// <summary>The volume created, deleted or renamed something in <paramref name="directory"/>.</summary>
    public void Invalidate(string directory)
    {
        lock (_lock) _directories.Remove(directory);
    }

    /// <summary>A directory renamed or removed: its entry and those of everything beneath it.</summary>
    public void InvalidateTree(string directory)
    {
        string prefix = directory + "/";
        lock (_lock)
        {
            _directories.Remove(directory);
            if (_directories.Count == 0) return;
            foreach (var key in _directories.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
                _directories.Remove(key);
        }
    }

    private static bool Matches(Entry e, in Libc.Statx st) =>
        e.Ino == st.Ino && e.MtimeSec == st.MtimeSec && e.MtimeNsec == st.MtimeNsec && e.CtimeSec == st.CtimeSec && e.CtimeNsec == st.CtimeNsec;
}
