using FastSmb.Fsa.Notify;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// "kernel change notify" for one volume: an inotify watch (through the process's <see cref="InotifyWatcher"/>) on
/// every directory a kernel-enabled CHANGE_NOTIFY watch is armed on, and, for a watch of the tree, on the directories
/// beneath it (walked when the watch is armed, and each new one added as the kernel reports it). inotify events
/// become [MS-FSA] 2.1.4.1 reports (<see cref="ChangeNotifier.ReportKernel"/>): IN_CREATE is FILE_ACTION_ADDED,
/// IN_DELETE REMOVED, a rename within one directory RENAMED_OLD_NAME/NEW_NAME and across directories REMOVED/ADDED
/// (as the volume reports its own), IN_ATTRIB and IN_MODIFY MODIFIED; IN_Q_OVERFLOW makes every watch answer
/// STATUS_NOTIFY_ENUM_DIR. Kernel watches go when no CHANGE_NOTIFY watch needs them. Thread-safe: the request
/// threads arm and remove watches, the watcher thread delivers events; the lock is never held while calling into
/// the <see cref="ChangeNotifier"/>.
/// </summary>
internal sealed class KernelChangeWatches(PosixVolume volume, PathResolver paths, InotifyWatcher watcher) : IKernelChangeSource, IInotifySink
{
    /// <summary>The most directories one volume watches; a larger tree is watched in part (see docs/configuration.md).</summary>
    internal const int MaxWatches = 16384;

    /// <summary>What IN_ATTRIB may mean: chmod/chown (security, attributes), utimensat (times), xattrs (EAs, the DOS
    /// attributes FastSmb keeps there).</summary>
    private const NotifyFilter AttribFilter = NotifyFilter.Attributes | NotifyFilter.LastWrite | NotifyFilter.LastAccess
        | NotifyFilter.Creation | NotifyFilter.Ea | NotifyFilter.Security;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _wdByPath = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _pathByWd = new();

    internal int WatchCount
    {
        get { lock (_lock) return _wdByPath.Count; }
    }

    public void Add(NotifyWatch watch)
    {
        if (watch.Directory is not PosixOpen { Node: { } node }) return;
        AddDirectory(node.Path, watch.WatchTree);
    }

    public void Remove(NotifyWatch watch) => Prune();

    public bool Covers(string path)
    {
        string parent = PathResolver.Split(path).Parent;
        lock (_lock) return _wdByPath.ContainsKey(parent);
    }

    /// <summary>Watches <paramref name="path"/> and, for a tree, every directory beneath it (not following symlinks,
    /// not the stream depot).</summary>
    private void AddDirectory(string path, bool tree)
    {
        if (IsDepot(path)) return;
        if (paths.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, out var fd) != 0) return;
        using (fd)
        {
            lock (_lock)
            {
                if (!_wdByPath.ContainsKey(path))
                {
                    if (_wdByPath.Count >= MaxWatches) return;
                    int wd = watcher.Add(fd!, this, out _);
                    if (wd < 0) return;
                    // A directory reached by two names (the kernel gives the same descriptor): keep the newest name.
                    if (_pathByWd.TryGetValue(wd, out var old)) _wdByPath.Remove(old);
                    _wdByPath[path] = wd;
                    _pathByWd[wd] = path;
                }
            }
            if (!tree) return;
            foreach (var name in PathResolver.ReadNames(fd!))
            {
                int child = Libc.Openat(fd!, name, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                if (child < 0) continue; // a file, a symlink, or gone
                Libc.Close(child);
                AddDirectory(PathResolver.Join(path, name), tree: true);
            }
        }
    }

    /// <summary>Drops the kernel watches no armed watch needs: one is needed on its own directory, and a tree
    /// watch on every directory beneath.</summary>
    private void Prune()
    {
        var needed = volume.ChangeNotifier.KernelWatches()
            .Select(w => (w.Directory.Node?.Path, w.WatchTree)).Where(w => w.Path is not null).ToArray();
        lock (_lock)
        {
            foreach (var (path, wd) in _wdByPath.ToArray())
            {
                if (needed.Any(w => w.Path == path || (w.WatchTree && IsBeneath(path, w.Path!)))) continue;
                _wdByPath.Remove(path);
                _pathByWd.Remove(wd);
                watcher.Remove(wd, this);
            }
        }
    }

    public void OnOverflow() => volume.ChangeNotifier.ReportKernelOverflow();

    public void OnEvents(IReadOnlyList<InotifyEvent> events)
    {
        bool[]? paired = null;
        for (int i = 0; i < events.Count; i++)
        {
            if (paired is not null && paired[i]) continue;
            var e = events[i];
            string? directory;
            lock (_lock)
            {
                if (!_pathByWd.TryGetValue(e.Wd, out directory)) continue;
                if ((e.Mask & Libc.IN_IGNORED) != 0)
                {
                    // The directory is gone (or its watch was removed): forget it.
                    _pathByWd.Remove(e.Wd);
                    if (_wdByPath.TryGetValue(directory, out int wd) && wd == e.Wd) _wdByPath.Remove(directory);
                    continue;
                }
            }
            if (e.Name.Length == 0) continue; // about the watched directory itself: its parent's watch reports it
            string path = PathResolver.Join(directory, e.Name);
            if (IsDepot(path)) continue;
            bool isDirectory = (e.Mask & Libc.IN_ISDIR) != 0;
            var names = isDirectory ? NotifyFilter.DirName : NotifyFilter.FileName;
            var notifier = volume.ChangeNotifier;
            if ((e.Mask & Libc.IN_CREATE) != 0)
            {
                // Watched before it is reported: a client that saw it may rely on changes inside being seen.
                if (isDirectory && UnderTreeWatch(path)) AddDirectory(path, tree: true);
                notifier.ReportKernel(path, FileAction.Added, names);
            }
            else if ((e.Mask & Libc.IN_DELETE) != 0)
            {
                notifier.ReportKernel(path, FileAction.Removed, names);
            }
            else if ((e.Mask & Libc.IN_MOVED_FROM) != 0)
            {
                int j = FindMovedTo(events, i, e.Cookie);
                string? to = null;
                if (j >= 0)
                {
                    (paired ??= new bool[events.Count])[j] = true;
                    lock (_lock)
                        if (_pathByWd.TryGetValue(events[j].Wd, out var toDirectory)) to = PathResolver.Join(toDirectory, events[j].Name);
                }
                if (to is not null && !IsDepot(to) && PathResolver.Split(to).Parent == directory)
                {
                    notifier.ReportKernel(path, FileAction.RenamedOldName, names);
                    notifier.ReportKernel(to, FileAction.RenamedNewName, names);
                }
                else
                {
                    notifier.ReportKernel(path, FileAction.Removed, names);
                    if (to is not null && !IsDepot(to)) notifier.ReportKernel(to, FileAction.Added, names);
                }
                if (isDirectory) MovedDirectory(path, to);
            }
            else if ((e.Mask & Libc.IN_MOVED_TO) != 0)
            {
                if (isDirectory && UnderTreeWatch(path)) AddDirectory(path, tree: true);
                notifier.ReportKernel(path, FileAction.Added, names);
            }
            else if ((e.Mask & Libc.IN_ATTRIB) != 0)
            {
                notifier.ReportKernel(path, FileAction.Modified, AttribFilter);
            }
            else if ((e.Mask & Libc.IN_MODIFY) != 0)
            {
                notifier.ReportKernel(path, FileAction.Modified, NotifyFilter.LastWrite | NotifyFilter.Size);
            }
        }
    }

    private static int FindMovedTo(IReadOnlyList<InotifyEvent> events, int from, uint cookie)
    {
        for (int j = from + 1; j < events.Count; j++)
            if ((events[j].Mask & Libc.IN_MOVED_TO) != 0 && events[j].Cookie == cookie) return j;
        return -1;
    }

    /// <summary>A watched directory (and what is beneath it) moved to <paramref name="to"/>, or out of sight (null):
    /// the kernel watches follow the inode, so only their names change; out of sight they go.</summary>
    private void MovedDirectory(string from, string? to)
    {
        lock (_lock)
        {
            foreach (var (path, wd) in _wdByPath.ToArray())
            {
                if (path != from && !IsBeneath(path, from)) continue;
                _wdByPath.Remove(path);
                if (to is null)
                {
                    _pathByWd.Remove(wd);
                    watcher.Remove(wd, this);
                    continue;
                }
                string moved = to + path[from.Length..];
                _wdByPath[moved] = wd;
                _pathByWd[wd] = moved;
            }
        }
        if (to is not null) Prune(); // moved out of a watched tree into a part nobody watches
    }

    private bool UnderTreeWatch(string path) =>
        volume.ChangeNotifier.KernelWatches().Any(w => w.WatchTree && w.Directory.Node?.Path is { } root
            && (root.Length == 0 || IsBeneath(path, root)));

    private static bool IsBeneath(string path, string directory) =>
        directory.Length == 0 ? path.Length > 0
            : path.Length > directory.Length && path[directory.Length] == '/' && path.StartsWith(directory, StringComparison.Ordinal);

    private static bool IsDepot(string path) =>
        path.Equals(PosixVolume.StreamDepotName, StringComparison.OrdinalIgnoreCase)
        || path.StartsWith(PosixVolume.StreamDepotName + "/", StringComparison.OrdinalIgnoreCase);
}
