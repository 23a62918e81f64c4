namespace FastSmb.Fsa.Notify;

/// <summary>[MS-FSCC] 2.7.1 FILE_NOTIFY_INFORMATION Action values.</summary>
public enum FileAction : uint
{
    Added = 1,
    Removed = 2,
    Modified = 3,
    RenamedOldName = 4,
    RenamedNewName = 5,
    AddedStream = 6,
    RemovedStream = 7,
    ModifiedStream = 8,
}

/// <summary>[MS-FSCC] 2.7.1 / [MS-SMB2] 2.2.35 CompletionFilter bits (FILE_NOTIFY_CHANGE_*), as the FSA reports changes.</summary>
[Flags]
public enum NotifyFilter : uint
{
    None = 0,
    FileName = 0x001,
    DirName = 0x002,
    Attributes = 0x004,
    Size = 0x008,
    LastWrite = 0x010,
    LastAccess = 0x020,
    Creation = 0x040,
    Ea = 0x080,
    Security = 0x100,
    StreamName = 0x200,
    StreamSize = 0x400,
    StreamWrite = 0x800,
}

/// <summary>One reported change: what happened, and the name relative to the watched directory ('\'-separated).</summary>
public readonly record struct FileChange(FileAction Action, string Name);

/// <summary>
/// [MS-FSA] 2.1.5.11 ChangeNotifyEntry: the watch a directory open set up with its first CHANGE_NOTIFY. Its filter,
/// tree flag and buffer size are those of that first request and stay until the open closes (as Windows and Samba
/// keep them). Changes that arrive with no request waiting are buffered here; more than the buffer holds marks it
/// overflowed (the next request answers STATUS_NOTIFY_ENUM_DIR). Guarded by its <see cref="ChangeNotifier"/>'s lock.
/// </summary>
public sealed class NotifyWatch
{
    internal NotifyWatch(FsaOpen directory, bool watchTree, NotifyFilter filter, uint bufferSize, Action<NotifyWatch> changed,
        bool kernel = false)
    {
        Kernel = kernel;
        Directory = directory;
        WatchTree = watchTree;
        Filter = filter;
        BufferSize = bufferSize;
        Changed = changed;
    }

    public FsaOpen Directory { get; }
    public bool WatchTree { get; }
    public NotifyFilter Filter { get; }
    public uint BufferSize { get; }
    internal Action<NotifyWatch> Changed { get; }
    /// <summary>The share has "kernel change notify": changes made outside the server are reported too.</summary>
    public bool Kernel { get; }
    internal List<FileChange> Buffered { get; } = new();
    internal int BufferedBytes { get; set; }
    internal bool Overflowed { get; set; }

    /// <summary>The watched directory itself is being deleted: requests on it answer STATUS_DELETE_PENDING.</summary>
    public bool DirectoryDeletePending { get; internal set; }
}

/// <summary>
/// The change-notify watches of one volume and [MS-FSA] 2.1.4.1 (FsRtlNotifyFullReportChange): the volume reports
/// each change it makes with the path and the filter bits it touches; every watch on the parent (or, watching the
/// tree, on any ancestor) whose filter matches buffers it and is told. Thread-safe; a volume without watches pays one
/// field read per change.
/// </summary>
public sealed class ChangeNotifier
{
    /// <summary>The most entries a watch buffers before it overflows, whatever its buffer size.</summary>
    public const int MaxBufferedChanges = 1000;

    private readonly List<NotifyWatch> _watches = new();
    private readonly Lock _lock = new();
    private volatile int _count;
    private int _kernelCount;
    private readonly OwnChangeLedger _own = new();

    /// <summary>The volume's kernel watches ("kernel change notify"), made by <see cref="KernelSourceFactory"/> when
    /// the first watch asks for them; null until then, or where the volume cannot have them.</summary>
    public IKernelChangeSource? KernelSource { get; private set; }

    /// <summary>Set by a volume that can watch directories in the kernel.</summary>
    public Func<IKernelChangeSource?>? KernelSourceFactory { get; set; }

    /// <summary>Sets up the watch of a directory open ([MS-FSA] 2.1.5.11). <paramref name="changed"/> runs on the
    /// reporting thread, outside the lock, after a change was buffered. <paramref name="kernel"/> also reports what
    /// other processes change there (the share's "kernel change notify").</summary>
    public NotifyWatch Watch(FsaOpen directory, bool watchTree, NotifyFilter filter, uint bufferSize,
        Action<NotifyWatch> changed, bool kernel = false)
    {
        if (kernel && KernelSource is null && KernelSourceFactory is { } factory)
            lock (_lock) KernelSource ??= factory();
        kernel &= KernelSource is not null;
        var watch = new NotifyWatch(directory, watchTree, filter, bufferSize, changed, kernel);
        lock (_lock)
        {
            _watches.Add(watch);
            _count = _watches.Count;
            if (kernel) _kernelCount++;
        }
        if (kernel) KernelSource!.Add(watch);
        return watch;
    }

    public void Remove(NotifyWatch watch)
    {
        bool removed;
        lock (_lock)
        {
            removed = _watches.Remove(watch);
            _count = _watches.Count;
            if (removed && watch.Kernel) _kernelCount--;
        }
        if (removed && watch.Kernel) KernelSource?.Remove(watch);
    }

    /// <summary>
    /// Takes what the watch buffered: the changes, or <paramref name="overflowed"/> when they did not fit (then the
    /// client must enumerate the directory again). False when nothing happened since the last take.
    /// </summary>
    public bool TryTake(NotifyWatch watch, out FileChange[] changes, out bool overflowed)
    {
        lock (_lock)
        {
            overflowed = watch.Overflowed;
            changes = watch.Buffered.Count == 0 ? [] : watch.Buffered.ToArray();
            watch.Buffered.Clear();
            watch.BufferedBytes = 0;
            watch.Overflowed = false;
            return overflowed || changes.Length > 0;
        }
    }

    /// <summary>
    /// [MS-FSA] 2.1.4.1: reports a change to the entry at <paramref name="path"/> (on-disk, relative to the volume
    /// root, '/'-separated; a stream as "path:stream").
    /// </summary>
    public void Report(string path, FileAction action, NotifyFilter filter)
    {
        if (_count == 0 || path.Length == 0) return;
        bool covered = Volatile.Read(ref _kernelCount) > 0 && KernelSource is { } kernel && kernel.Covers(path);
        List<NotifyWatch>? told = null;
        lock (_lock)
        {
            // The kernel's copy came first: the kernel watches have it already.
            bool kernelHasIt = covered && !_own.RecordOwn(path, action, Environment.TickCount64);
            foreach (var watch in _watches)
            {
                if ((watch.Filter & filter) == 0 || watch.Directory.Node is not { } node) continue;
                if (kernelHasIt && watch.Kernel) continue;
                if (!TryRelativeName(node.Path, path, watch.WatchTree, out string name)) continue;
                Buffer(watch, new FileChange(action, name));
                (told ??= new()).Add(watch);
            }
        }
        if (told is null) return;
        foreach (var watch in told) watch.Changed(watch);
    }

    /// <summary>
    /// A change the kernel saw (inotify) under the volume's root: reported to the watches that asked for kernel
    /// events, unless it is the copy of a change the volume reported itself (<see cref="OwnChangeLedger"/>). The same
    /// entry twice in a row in a watch's buffer is kept once (a local writer makes an IN_MODIFY per write).
    /// </summary>
    public void ReportKernel(string path, FileAction action, NotifyFilter filter)
    {
        if (Volatile.Read(ref _kernelCount) == 0 || path.Length == 0) return;
        List<NotifyWatch>? told = null;
        lock (_lock)
        {
            if (_own.IsOwn(path, action, Environment.TickCount64)) return;
            foreach (var watch in _watches)
            {
                if (!watch.Kernel || (watch.Filter & filter) == 0 || watch.Directory.Node is not { } node) continue;
                if (!TryRelativeName(node.Path, path, watch.WatchTree, out string name)) continue;
                var change = new FileChange(action, name);
                if (watch.Buffered.Count > 0 && watch.Buffered[^1] == change) continue;
                Buffer(watch, change);
                (told ??= new()).Add(watch);
            }
        }
        if (told is null) return;
        foreach (var watch in told) watch.Changed(watch);
    }

    /// <summary>The kernel lost events (IN_Q_OVERFLOW): every kernel watch answers STATUS_NOTIFY_ENUM_DIR next, so
    /// its client enumerates again ([MS-SMB2] 3.3.5.19).</summary>
    public void ReportKernelOverflow()
    {
        if (Volatile.Read(ref _kernelCount) == 0) return;
        List<NotifyWatch>? told = null;
        lock (_lock)
        {
            foreach (var watch in _watches)
            {
                if (!watch.Kernel) continue;
                watch.Overflowed = true;
                watch.Buffered.Clear();
                watch.BufferedBytes = 0;
                (told ??= new()).Add(watch);
            }
        }
        if (told is null) return;
        foreach (var watch in told) watch.Changed(watch);
    }

    /// <summary>The kernel watches currently armed, for the volume's watch bookkeeping.</summary>
    internal NotifyWatch[] KernelWatches()
    {
        lock (_lock) return _watches.Where(w => w.Kernel).ToArray();
    }

    /// <summary>
    /// The directory <paramref name="closing"/> is an open of became delete-pending while other opens keep it: its
    /// watches end their requests with STATUS_DELETE_PENDING (as Windows and Samba do).
    /// </summary>
    public void ReportDeletePending(FsaOpen closing)
    {
        if (_count == 0) return;
        List<NotifyWatch>? told = null;
        lock (_lock)
        {
            foreach (var watch in _watches)
            {
                if (watch.Directory.Node != closing.Node || watch.DirectoryDeletePending) continue;
                watch.DirectoryDeletePending = true;
                (told ??= new()).Add(watch);
            }
        }
        if (told is null) return;
        foreach (var watch in told) watch.Changed(watch);
    }

    /// <summary>The size an entry takes in a FILE_NOTIFY_INFORMATION chain: 12 bytes, the UTF-16 name, 4-aligned.</summary>
    public static int EntrySize(in FileChange change) => (12 + change.Name.Length * 2 + 3) & ~3;

    private static void Buffer(NotifyWatch watch, FileChange change)
    {
        if (watch.Overflowed) return;
        int size = EntrySize(change);
        if (watch.BufferedBytes + size > watch.BufferSize || watch.Buffered.Count >= MaxBufferedChanges)
        {
            watch.Overflowed = true;
            watch.Buffered.Clear();
            watch.BufferedBytes = 0;
            return;
        }
        watch.Buffered.Add(change);
        watch.BufferedBytes += size;
    }

    private static bool TryRelativeName(string directory, string path, bool tree, out string name)
    {
        name = "";
        int start;
        if (directory.Length == 0) start = 0;
        else if (path.Length > directory.Length && path[directory.Length] == '/'
                 && path.StartsWith(directory, StringComparison.Ordinal))
            start = directory.Length + 1;
        else return false;
        var relative = path.AsSpan(start);
        if (relative.IsEmpty) return false;
        if (!tree && relative.IndexOf('/') >= 0) return false;
        name = relative.ToString().Replace('/', '\\');
        return true;
    }
}
