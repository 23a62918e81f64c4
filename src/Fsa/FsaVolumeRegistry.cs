using FastSmb.Fsa.Posix;

namespace FastSmb.Fsa;

/// <summary>
/// One volume per exported directory, shared by every tree connect to it (and by every share naming the same
/// directory), so all opens of a file meet in one share-mode table. Thread-safe.
/// </summary>
/// <param name="wrap">Wraps each volume as it is opened (instrumentation in tests); null exports them as they are.</param>
public sealed class FsaVolumeRegistry(Func<IFsaVolume, IFsaVolume>? wrap = null) : IDisposable
{
    private readonly Dictionary<string, (PosixVolume Posix, IFsaVolume Exported)> _volumes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public NtStatus GetOrOpen(string rootPath, out IFsaVolume? volume)
    {
        volume = null;
        if (string.IsNullOrEmpty(rootPath)) return NtStatus.BadNetworkName;
        string key = Path.GetFullPath(rootPath);
        lock (_lock)
        {
            if (_volumes.TryGetValue(key, out var existing))
            {
                volume = existing.Exported;
                return NtStatus.Success;
            }
            var status = PosixVolume.TryOpen(key, out var opened);
            if (status != NtStatus.Success) return status;
            volume = wrap is null ? opened! : wrap(opened!);
            _volumes.Add(key, (opened!, volume));
            return NtStatus.Success;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var v in _volumes.Values) v.Posix.Dispose();
            _volumes.Clear();
        }
    }
}
