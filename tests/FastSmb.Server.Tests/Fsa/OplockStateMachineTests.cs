using FastSmb.Fsa;
using FastSmb.Fsa.Oplocks;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// The oplock and lease state machine of the share-mode table ([MS-FSA] 2.1.4.12, 2.1.5.17, 2.1.5.18; [MS-SMB2]
/// 3.3.5.9, 3.3.4.6/7, 3.3.5.22), over a temp directory with no SMB: the breaks are recorded by a sink.
/// </summary>
public class OplockStateMachineTests
{
    private const CachingState R = CachingState.Read, RH = CachingState.ReadHandle, RW = CachingState.ReadWrite,
        RWH = CachingState.ReadWriteHandle, None = CachingState.None;

    private static readonly Guid Client = Guid.NewGuid();

    private sealed class RecordingSink : IOplockBreakSink
    {
        public List<(CachingState From, CachingState To, bool Ack, ushort Epoch)> Breaks { get; } = new();

        public void SendBreak(CachingGrant grant, CachingState current, CachingState breakTo, bool ackRequired) =>
            Breaks.Add((current, breakTo, ackRequired, grant.LeaseVersion >= 2 ? grant.Epoch : (ushort)0)); // as on the wire
    }

    private sealed class Waiter
    {
        public int Woken;
        public void Wake() => Woken++;
    }

    private static CachingRequest Oplock(CachingState level, RecordingSink sink, Waiter? waiter = null, bool overwrites = false) =>
        new() { Requested = level, Sink = sink, OnBreaksDone = waiter is null ? null : waiter.Wake, Overwrites = overwrites };

    private static CachingRequest Lease(Guid key, CachingState state, RecordingSink sink, Waiter? waiter = null, int version = 1,
        ushort epoch = 0) =>
        new()
        {
            IsLease = true, Requested = state, ClientGuid = Client, LeaseKey = key, LeaseVersion = version, Epoch = epoch,
            Sink = sink, OnBreaksDone = waiter is null ? null : waiter.Wake,
        };

    private static NtStatus Open(FsaTestVolume v, string name, CachingRequest caching, out FsaOpen? open,
        AccessMask access = FsaTestVolume.ReadWrite, FileShareAccess share = FileShareAccess.All,
        CreateDisposition disposition = CreateDisposition.OpenIf) =>
        v.Volume.Open(new FsaOpenRequest(name, access, share, disposition, CreateOptions.None, FileAttributeFlags.Normal)
            { Caching = caching }, out open, out _);

    private static FsaOpen OpenOk(FsaTestVolume v, string name, CachingRequest caching, AccessMask access = FsaTestVolume.ReadWrite,
        FileShareAccess share = FileShareAccess.All)
    {
        Assert.That(Open(v, name, caching, out var open, access, share), Is.EqualTo(NtStatus.Success));
        return open!;
    }

    // requested oplock, expected grant when the file has no other open
    [TestCase(CachingState.Read, CachingState.Read)]
    [TestCase(CachingState.ReadWrite, CachingState.ReadWrite)]
    [TestCase(CachingState.ReadWriteHandle, CachingState.ReadWriteHandle)]
    [TestCase(CachingState.None, CachingState.None)]
    public void Grant_OnlyOpen_GetsWhatItAsks(CachingState requested, CachingState expected)
    {
        using var v = new FsaTestVolume();
        var open = OpenOk(v, "f", Oplock(requested, new RecordingSink()));
        Assert.That(open.Grant?.State ?? None, Is.EqualTo(expected));
    }

    [Test]
    public void Batch_SecondOpen_BreaksToLevelIIAndWaits_AckWakesAndRetryGetsLevelII()
    {
        using var v = new FsaTestVolume();
        var sink1 = new RecordingSink();
        var first = OpenOk(v, "f", Oplock(RWH, sink1));
        var waiter = new Waiter();
        var sink2 = new RecordingSink();

        Assert.That(Open(v, "f", Oplock(RWH, sink2, waiter), out _), Is.EqualTo(NtStatus.OplockBreakInProgress));
        Assert.That(sink1.Breaks, Is.EqualTo(new[] { (RWH, R, true, (ushort)0) }));
        Assert.That(first.Grant!.Breaking, Is.True);
        Assert.That(waiter.Woken, Is.Zero);

        Assert.That(v.Volume.ShareModes.AcknowledgeOplock(first, R, out var granted), Is.EqualTo(NtStatus.Success));
        Assert.That(granted, Is.EqualTo(R));
        Assert.That(waiter.Woken, Is.EqualTo(1), "the acknowledgment releases the waiting open");
        var second = OpenOk(v, "f", Oplock(RWH, sink2));
        Assert.That(second.Grant!.State, Is.EqualTo(R), "batch among other opens is level II");
        Assert.That(first.Grant!.State, Is.EqualTo(R));
    }

    [Test]
    public void LevelII_WriteByAnotherOpen_BreaksToNoneWithoutAck()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var holder = OpenOk(v, "f", Oplock(R, sink));
        var writer = OpenOk(v, "f", Oplock(None, new RecordingSink()));
        OplockBreaker.BreakToNone(writer);
        Assert.That(sink.Breaks, Is.EqualTo(new[] { (R, None, false, (ushort)0) }));
        Assert.That(holder.Grant, Is.Null, "a level II oplock broken to none is gone");
        Assert.That(v.Volume.ShareModes.AcknowledgeOplock(holder, None, out _), Is.EqualTo(NtStatus.InvalidOplockProtocol));
    }

    [Test]
    public void Lease_SameKeySecondOpen_SharesTheLeaseWithoutBreak()
    {
        using var v = new FsaTestVolume();
        var key = Guid.NewGuid();
        var sink = new RecordingSink();
        var a = OpenOk(v, "f", Lease(key, RWH, sink));
        var b = OpenOk(v, "f", Lease(key, RWH, sink));
        Assert.That(b.Grant, Is.SameAs(a.Grant));
        Assert.That(a.Grant!.State, Is.EqualTo(RWH));
        Assert.That(sink.Breaks, Is.Empty);
    }

    [Test]
    public void Lease_SameKeyOnAnotherFile_InvalidParameter()
    {
        using var v = new FsaTestVolume();
        var key = Guid.NewGuid();
        OpenOk(v, "f", Lease(key, RWH, new RecordingSink()));
        Assert.That(Open(v, "g", Lease(key, RWH, new RecordingSink()), out _), Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(v.Volume.ShareModes.FileCount, Is.EqualTo(1), "the refused open leaves nothing behind");
    }

    [Test]
    public void LeaseV2_ConflictingLease_BreaksRwhToRhWithNextEpoch_AckGrantsRh()
    {
        using var v = new FsaTestVolume();
        var sink1 = new RecordingSink();
        var key1 = Guid.NewGuid();
        var first = OpenOk(v, "f", Lease(key1, RWH, sink1, version: 2, epoch: 0x10));
        Assert.That(first.Grant!.Epoch, Is.EqualTo(0x11), "a new lease is the client's epoch plus one");
        var waiter = new Waiter();
        Assert.That(Open(v, "f", Lease(Guid.NewGuid(), RWH, new RecordingSink(), waiter, version: 2), out _),
            Is.EqualTo(NtStatus.OplockBreakInProgress));
        Assert.That(sink1.Breaks, Is.EqualTo(new[] { (RWH, RH, true, (ushort)0x12) }));

        var table = v.Volume.ShareModes;
        Assert.That(table.AcknowledgeLease(Client, key1, RWH, out _), Is.EqualTo(NtStatus.RequestNotAccepted),
            "an acknowledgment above the offered state");
        Assert.That(table.AcknowledgeLease(Client, Guid.NewGuid(), RH, out _), Is.EqualTo(NtStatus.ObjectNameNotFound));
        Assert.That(table.AcknowledgeLease(Client, key1, RH, out var lease), Is.EqualTo(NtStatus.Success));
        Assert.That(lease!.State, Is.EqualTo(RH));
        Assert.That(waiter.Woken, Is.EqualTo(1));
        Assert.That(table.AcknowledgeLease(Client, key1, RH, out _), Is.EqualTo(NtStatus.Unsuccessful), "no break in progress");

        var second = OpenOk(v, "f", Lease(Guid.NewGuid(), RWH, new RecordingSink(), version: 2));
        Assert.That(second.Grant!.State, Is.EqualTo(RH), "no Write beside another lease");
    }

    [Test]
    public void Lease_ConflictDuringBreak_AckIsFollowedByTheNextStep()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var key = Guid.NewGuid();
        OpenOk(v, "f", Lease(key, RWH, sink));
        var w1 = new Waiter();
        var w2 = new Waiter();
        Assert.That(Open(v, "f", Oplock(None, new RecordingSink(), w1), out _), Is.EqualTo(NtStatus.OplockBreakInProgress));
        // An overwrite during the break lowers the target without a second notification.
        Assert.That(Open(v, "f", Oplock(None, new RecordingSink(), w2, overwrites: true), out _, disposition: CreateDisposition.Overwrite),
            Is.EqualTo(NtStatus.OplockBreakInProgress));
        Assert.That(sink.Breaks, Has.Count.EqualTo(1));

        var table = v.Volume.ShareModes;
        Assert.That(table.AcknowledgeLease(Client, key, RH, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(sink.Breaks[^1], Is.EqualTo((RH, R, true, (ushort)0)), "to Read first while Handle remains");
        Assert.That(w1.Woken + w2.Woken, Is.Zero, "still breaking");
        Assert.That(table.AcknowledgeLease(Client, key, R, out var lease), Is.EqualTo(NtStatus.Success));
        Assert.That(sink.Breaks[^1], Is.EqualTo((R, None, false, (ushort)0)), "then to none without acknowledgment");
        Assert.That(lease!.State, Is.EqualTo(None));
        Assert.That((w1.Woken, w2.Woken), Is.EqualTo((1, 1)));
    }

    [Test]
    public void SharingViolation_BreaksHandleFirst_ThenStillViolates()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var holder = OpenOk(v, "f", Oplock(RWH, sink), share: FileShareAccess.Read);
        var waiter = new Waiter();
        Assert.That(Open(v, "f", Oplock(None, new RecordingSink(), waiter), out _, access: AccessMask.WriteData),
            Is.EqualTo(NtStatus.OplockBreakInProgress), "a batch oplock's holder may close its cached handle");
        Assert.That(sink.Breaks.Single().To, Is.EqualTo(R));
        v.Volume.ShareModes.AcknowledgeOplock(holder, R, out _);
        Assert.That(Open(v, "f", Oplock(None, new RecordingSink(), waiter), out _, access: AccessMask.WriteData),
            Is.EqualTo(NtStatus.SharingViolation), "the holder kept its handle open");
    }

    [Test]
    public void StatOpen_BreaksNothing()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var holder = OpenOk(v, "f", Oplock(RWH, sink));
        OpenOk(v, "f", Oplock(None, new RecordingSink()), access: AccessMask.ReadAttributes);
        Assert.That(sink.Breaks, Is.Empty);
        Assert.That(holder.Grant!.State, Is.EqualTo(RWH));
    }

    [Test]
    public void BreakTimeout_TakesTheSilentHolderToNone_AndWakesTheWaiter()
    {
        using var v = new FsaTestVolume();
        var table = v.Volume.ShareModes;
        table.BreakTimeout = TimeSpan.FromMilliseconds(50);
        var key = Guid.NewGuid();
        OpenOk(v, "f", Lease(key, RWH, new RecordingSink()));
        using var woken = new ManualResetEventSlim();
        var request = new CachingRequest { Sink = new RecordingSink(), OnBreaksDone = woken.Set };
        Assert.That(Open(v, "f", request, out _), Is.EqualTo(NtStatus.OplockBreakInProgress));
        Assert.That(woken.Wait(TimeSpan.FromSeconds(10)), Is.True, "the timer ends the break");
        Assert.That(table.AcknowledgeLease(Client, key, RH, out var lease), Is.EqualTo(NtStatus.Unsuccessful));
        Assert.That(lease!.State, Is.EqualTo(None));
    }

    [Test]
    public void Close_OfTheBreakingHolder_WakesTheWaiter()
    {
        using var v = new FsaTestVolume();
        var holder = OpenOk(v, "f", Oplock(RWH, new RecordingSink()));
        var waiter = new Waiter();
        Assert.That(Open(v, "f", Oplock(None, new RecordingSink(), waiter), out _), Is.EqualTo(NtStatus.OplockBreakInProgress));
        v.Volume.Close(holder);
        Assert.That(waiter.Woken, Is.EqualTo(1));
    }

    [Test]
    public void Rename_BreaksOtherLeasesHandle_AndWaits()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var key = Guid.NewGuid();
        OpenOk(v, "f", Lease(key, RH, sink));
        var renamer = OpenOk(v, "f", Lease(Guid.NewGuid(), RH, new RecordingSink()), access: AccessMask.Delete | AccessMask.ReadData);
        var waiter = new Waiter();
        Assert.That(OplockBreaker.BreakHandle(renamer, waiter.Wake), Is.True);
        Assert.That(sink.Breaks.Single(), Is.EqualTo((RH, R, true, (ushort)0)));
        v.Volume.ShareModes.AcknowledgeLease(Client, key, R, out _);
        Assert.That(waiter.Woken, Is.EqualTo(1));
        Assert.That(OplockBreaker.BreakHandle(renamer, waiter.Wake), Is.False, "nothing left to break");
    }
}
