namespace FastSmb.Fsa.Posix;

/// <summary>"kernel change notify": the volume's inotify watches (<see cref="KernelChangeWatches"/>), made when the
/// first CHANGE_NOTIFY asks for them, so a volume whose shares never do pays nothing.</summary>
public sealed partial class PosixVolume
{
    private KernelChangeWatches? _kernelWatches;

    /// <summary>Null where the process cannot have an inotify instance (then only the server's own changes are
    /// reported).</summary>
    private KernelChangeWatches? CreateKernelWatches() =>
        InotifyWatcher.Shared is { } watcher ? _kernelWatches = new KernelChangeWatches(this, _paths, watcher) : null;

    /// <summary>How many directories the volume watches in the kernel (tests).</summary>
    internal int KernelWatchCount => _kernelWatches?.WatchCount ?? 0;
}
