using System.Buffers.Binary;
using System.Text;

namespace FastSmb.Fsa.Posix;

/// <summary>One inotify event: the watch it came from, what happened, the rename cookie and the entry's name ("" when
/// the event is about the watched directory itself).</summary>
internal readonly record struct InotifyEvent(int Wd, uint Mask, uint Cookie, string Name);

/// <summary>Receives the events of the watches it added to <see cref="InotifyWatcher"/>.</summary>
internal interface IInotifySink
{
    /// <summary>One read's worth of events, in the kernel's order (a rename's MOVED_FROM and MOVED_TO are usually
    /// in the same batch). Runs on the watcher's thread; the sink picks the events of its own watches.</summary>
    void OnEvents(IReadOnlyList<InotifyEvent> events);

    /// <summary>The kernel dropped events (IN_Q_OVERFLOW): every watch may have missed some.</summary>
    void OnOverflow();
}

/// <summary>
/// "kernel change notify": one inotify instance for the whole process and one thread blocked reading it, however many
/// directories are watched (no thread per watch). Volumes add a watch per directory that a CHANGE_NOTIFY is armed
/// on (<see cref="KernelChangeWatches"/>); the same directory reached through two volumes is one kernel watch (the
/// kernel gives the same descriptor) with two sinks. Created on first use. Thread-safe.
/// </summary>
internal sealed unsafe class InotifyWatcher
{
    private const uint Mask = Libc.IN_CREATE | Libc.IN_DELETE | Libc.IN_MOVED_FROM | Libc.IN_MOVED_TO | Libc.IN_ATTRIB
        | Libc.IN_MODIFY | Libc.IN_DELETE_SELF | Libc.IN_ONLYDIR | Libc.IN_EXCL_UNLINK;

    private static readonly Lazy<InotifyWatcher?> s_shared = new(Create);

    private readonly FileDescriptor _fd;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<IInotifySink>> _sinks = new();

    private InotifyWatcher(FileDescriptor fd)
    {
        _fd = fd;
        var thread = new Thread(Run) { IsBackground = true, Name = "fastsmb-inotify" };
        thread.Start();
    }

    /// <summary>The process's watcher; null where inotify cannot be had (then kernel change notify does nothing).</summary>
    public static InotifyWatcher? Shared => s_shared.Value;

    private static InotifyWatcher? Create()
    {
        int fd = Libc.InotifyInit1(Libc.IN_CLOEXEC);
        return fd < 0 ? null : new InotifyWatcher(new FileDescriptor(fd));
    }

    /// <summary>Watches the directory <paramref name="directory"/> is open on (through /proc/self/fd, so the
    /// directory is the one the volume resolved beneath its root, not whatever a path names by now). The watch
    /// descriptor, or -1 with the errno.</summary>
    public int Add(FileDescriptor directory, IInotifySink sink, out int errno)
    {
        errno = 0;
        lock (_lock)
        {
            int wd = Libc.InotifyAddWatch(_fd, "/proc/self/fd/" + directory.DangerousGetHandle(), Mask);
            if (wd < 0)
            {
                errno = Libc.Errno;
                return -1;
            }
            if (!_sinks.TryGetValue(wd, out var sinks)) _sinks[wd] = sinks = new();
            sinks.Add(sink);
            return wd;
        }
    }

    /// <summary>The sink no longer needs <paramref name="wd"/>; the kernel watch goes with its last sink.</summary>
    public void Remove(int wd, IInotifySink sink)
    {
        lock (_lock)
        {
            if (!_sinks.TryGetValue(wd, out var sinks) || !sinks.Remove(sink)) return;
            if (sinks.Count > 0) return;
            _sinks.Remove(wd);
            Libc.InotifyRmWatch(_fd, wd); // EINVAL when the directory went away first: nothing left to remove
        }
    }

    private void Run()
    {
        var buffer = new byte[64 * 1024];
        var events = new List<InotifyEvent>();
        while (true)
        {
            nint n;
            fixed (byte* b = buffer) n = Libc.Read(_fd, b, (nuint)buffer.Length);
            if (n < 0)
            {
                if (Libc.Errno == Libc.EINTR) continue;
                return; // the descriptor is gone: nothing more will come
            }
            events.Clear();
            bool overflow = Parse(buffer.AsSpan(0, (int)n), events);
            Deliver(events, overflow);
        }
    }

    /// <summary>struct inotify_event: wd, mask, cookie, len, then len bytes of NUL-padded name. True when the batch
    /// holds IN_Q_OVERFLOW.</summary>
    internal static bool Parse(ReadOnlySpan<byte> data, List<InotifyEvent> events)
    {
        bool overflow = false;
        while (data.Length >= 16)
        {
            int wd = BinaryPrimitives.ReadInt32LittleEndian(data);
            uint mask = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            uint cookie = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
            if (length < 0 || length > data.Length - 16) break;
            var name = data.Slice(16, length);
            int nul = name.IndexOf((byte)0);
            if (nul >= 0) name = name[..nul];
            if ((mask & Libc.IN_Q_OVERFLOW) != 0) overflow = true;
            else events.Add(new InotifyEvent(wd, mask, cookie, Encoding.UTF8.GetString(name)));
            data = data[(16 + length)..];
        }
        return overflow;
    }

    private void Deliver(List<InotifyEvent> events, bool overflow)
    {
        var sinks = new HashSet<IInotifySink>(ReferenceEqualityComparer.Instance);
        lock (_lock)
        {
            if (overflow) foreach (var list in _sinks.Values) sinks.UnionWith(list);
            else foreach (var e in events) if (_sinks.TryGetValue(e.Wd, out var list)) sinks.UnionWith(list);
            // IN_IGNORED: the kernel removed the watch (the directory is gone); its descriptor may be reused.
            foreach (var e in events)
                if ((e.Mask & Libc.IN_IGNORED) != 0) _sinks.Remove(e.Wd);
        }
        foreach (var sink in sinks)
        {
            if (overflow) sink.OnOverflow();
            if (events.Count > 0) sink.OnEvents(events);
        }
    }
}
