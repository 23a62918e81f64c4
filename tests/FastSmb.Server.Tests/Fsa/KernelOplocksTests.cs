using FastSmb.Fsa;
using FastSmb.Fsa.Oplocks;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// "kernel oplocks" at the FSA over a temp directory: a grant holds a Linux lease on its descriptor, so an open by
/// this test process (a "local process", outside the volume) breaks the SMB grant and waits for its acknowledgment;
/// where the kernel will not give a lease nothing is granted; an open that meets a lease someone else holds waits
/// and tries again. Waits are bounded, never sleeps.
/// </summary>
[CancelAfter(60_000)]
public class KernelOplocksTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private sealed class RecordingSink : IOplockBreakSink
    {
        public readonly SemaphoreSlim Sent = new(0);
        public readonly List<(CachingState From, CachingState To)> Breaks = new();

        public void SendBreak(CachingGrant grant, CachingState current, CachingState breakTo, bool ackRequired)
        {
            lock (Breaks) Breaks.Add((current, breakTo));
            Sent.Release();
        }
    }

    private static NtStatus Open(FsaTestVolume v, string name, CachingRequest caching, out FsaOpen? open,
        AccessMask access = FsaTestVolume.ReadWrite) =>
        v.Volume.Open(new FsaOpenRequest(name, access, FileShareAccess.All, CreateDisposition.OpenIf, CreateOptions.None,
            FileAttributeFlags.Normal) { Caching = caching }, out open, out _);

    private static CachingRequest Batch(RecordingSink sink, Action? onBreaksDone = null) =>
        new() { Requested = CachingState.ReadWriteHandle, Sink = sink, KernelOplocks = true, OnBreaksDone = onBreaksDone };

    [Test]
    public void LocalOpen_BreaksBatchOplock_WaitsForAcknowledgment()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        Assert.That(Open(v, "f", Batch(sink), out var open), Is.EqualTo(NtStatus.Success));
        Assert.That(open!.Grant?.State, Is.EqualTo(CachingState.ReadWriteHandle));

        var local = Task.Run(() => File.ReadAllText(v.OnDisk("f")));
        Assert.That(sink.Sent.Wait(Bound), Is.True, "the local open broke nothing");
        lock (sink.Breaks) Assert.That(sink.Breaks, Is.EqualTo(new[] { (CachingState.ReadWriteHandle, CachingState.None) }));
        // The holder has not acknowledged: the kernel still holds the local opener back.
        Assert.That(local.IsCompleted, Is.False);

        Assert.That(v.Volume.ShareModes.AcknowledgeOplock(open, CachingState.None, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(local.Wait(Bound), Is.True, "the local open still waits after the acknowledgment");
        Assert.That(v.Volume.Close(open), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public void FileOpenElsewhere_KernelRefusesLease_NothingGranted()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f"), "x");
        using var elsewhere = new FileStream(v.OnDisk("f"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.That(Open(v, "f", Batch(new RecordingSink()), out var open), Is.EqualTo(NtStatus.Success));
        Assert.That(open!.Grant, Is.Null);
        v.Volume.Close(open);
    }

    [Test]
    public void LevelTwoOplock_NotGrantedUnderKernelOplocks()
    {
        using var v = new FsaTestVolume();
        var request = new CachingRequest { Requested = CachingState.Read, Sink = new RecordingSink(), KernelOplocks = true };
        Assert.That(Open(v, "f", request, out var open, AccessMask.ReadData), Is.EqualTo(NtStatus.Success));
        Assert.That(open!.Grant, Is.Null);
        v.Volume.Close(open);
    }

    [Test]
    public void WithoutKernelOplocks_FileOpenElsewhere_BatchGranted()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f"), "x");
        using var elsewhere = new FileStream(v.OnDisk("f"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var request = new CachingRequest { Requested = CachingState.ReadWriteHandle, Sink = new RecordingSink() };
        Assert.That(Open(v, "f", request, out var open), Is.EqualTo(NtStatus.Success));
        Assert.That(open!.Grant?.State, Is.EqualTo(CachingState.ReadWriteHandle));
        v.Volume.Close(open);
    }

    [Test]
    public void LeaseHeldByAnotherHolder_OpenWaitsThenSucceedsOnceReleased()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f"), "x");
        var leases = KernelLeases.Shared;
        Assert.That(leases, Is.Not.Null);
        // The holder: a descriptor of the file outside the volume, leased, that lets go when the kernel asks.
        int raw = Libc.Open(v.OnDisk("f"), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        Assert.That(raw, Is.GreaterThanOrEqualTo(0));
        using var holder = new FileDescriptor(raw);
        var asked = new ManualResetEventSlim();
        Assert.That(leases!.TryAcquire(holder, write: true, () => { asked.Set(); leases.Release(holder); }), Is.True);

        var retried = new ManualResetEventSlim();
        var request = new CachingRequest { Sink = new RecordingSink(), OnBreaksDone = retried.Set };
        Assert.That(Open(v, "f", request, out _), Is.EqualTo(NtStatus.OplockBreakInProgress));
        Assert.That(asked.Wait(Bound), Is.True, "the holder was never asked to let go");
        Assert.That(retried.Wait(Bound), Is.True, "the open was never tried again");
        Assert.That(Open(v, "f", new CachingRequest { Sink = new RecordingSink() }, out var open), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(open!);
    }
}
