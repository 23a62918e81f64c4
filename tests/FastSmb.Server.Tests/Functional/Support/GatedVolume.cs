using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Server.Tests.Functional.Support;

/// <summary>
/// A volume whose FLUSH blocks until the test opens its gate, standing for a slow file system (a big fsync, a hung
/// NFS server under the share); everything else goes to the real volume it wraps. Thread-safe.
/// </summary>
internal sealed class GatedVolume(IFsaVolume inner) : IFsaVolume
{
    private readonly ManualResetEventSlim _gate = new(false);
    private int _flushes;

    /// <summary>Released once by every FLUSH that reached the gate (so a test knows the call is running).</summary>
    public SemaphoreSlim Entered { get; } = new(0);

    /// <summary>FLUSH calls that reached the volume.</summary>
    public int Flushes => Volatile.Read(ref _flushes);

    public void Open() => _gate.Set();

    public NtStatus Flush(FsaOpen open)
    {
        Interlocked.Increment(ref _flushes);
        Entered.Release();
        _gate.Wait();
        return inner.Flush(open);
    }

    public NtStatus Open(in FsaOpenRequest request, out FsaOpen? open, out CreateAction action) => inner.Open(request, out open, out action);
    public NtStatus Close(FsaOpen open) => inner.Close(open);
    public NtStatus ApplyCloseTimes(FsaOpen open) => inner.ApplyCloseTimes(open);
    public NtStatus Read(FsaOpen open, long offset, Span<byte> destination, out int bytesRead) => inner.Read(open, offset, destination, out bytesRead);
    public NtStatus Write(FsaOpen open, long offset, ReadOnlySpan<byte> data, bool writeThrough, out int bytesWritten) =>
        inner.Write(open, offset, data, writeThrough, out bytesWritten);
    public NtStatus QueryMetadata(FsaOpen open, out FileMetadata metadata) => inner.QueryMetadata(open, out metadata);
    public NtStatus SetBasicInfo(FsaOpen open, long creationTime, long lastAccessTime, long lastWriteTime, long changeTime,
        FileAttributeFlags attributes) => inner.SetBasicInfo(open, creationTime, lastAccessTime, lastWriteTime, changeTime, attributes);
    public NtStatus QueryEas(FsaOpen open, out IReadOnlyList<FsaEa> eas) => inner.QueryEas(open, out eas);
    public NtStatus SetEas(FsaOpen open, IReadOnlyList<FsaEa> eas) => inner.SetEas(open, eas);
    public NtStatus QueryStreams(FsaOpen open, out IReadOnlyList<FsaStreamInfo> streams) => inner.QueryStreams(open, out streams);
    public NtStatus SetEndOfFile(FsaOpen open, long endOfFile) => inner.SetEndOfFile(open, endOfFile);
    public NtStatus SetAllocationSize(FsaOpen open, long allocationSize) => inner.SetAllocationSize(open, allocationSize);
    public NtStatus SetDisposition(FsaOpen open, bool deletePending) => inner.SetDisposition(open, deletePending);
    public NtStatus Rename(FsaOpen open, string newPath, bool replaceIfExists) => inner.Rename(open, newPath, replaceIfExists);
    public NtStatus StartEnumeration(FsaOpen directory, string pattern) => inner.StartEnumeration(directory, pattern);
    public NtStatus QuerySecurity(FsaOpen open, out SecurityDescriptor descriptor) => inner.QuerySecurity(open, out descriptor);
    public NtStatus SetSecurity(FsaOpen open, uint securityInformation, SecurityDescriptor descriptor, FastSmb.Fsa.Security.AccessToken? token) =>
        inner.SetSecurity(open, securityInformation, descriptor, token);
    public NtStatus QuerySize(out FsSizeInfo info) => inner.QuerySize(out info);
    public FastSmb.Fsa.Locks.ByteRangeLocks ByteRangeLocks => inner.ByteRangeLocks;
    public FastSmb.Fsa.Notify.ChangeNotifier ChangeNotifier => inner.ChangeNotifier;
    public FsVolumeInfo VolumeInfo => inner.VolumeInfo;
    public ShareModeTable ShareModes => inner.ShareModes;
}
