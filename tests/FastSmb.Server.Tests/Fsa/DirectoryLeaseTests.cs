using FastSmb.Fsa;
using FastSmb.Fsa.Oplocks;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// Directory leases ([MS-SMB2] 3.3.5.9.11, [MS-FSA] 2.1.5.17 on a directory; Samba 4.22's smb2.dirlease): R/RH
/// grants on directories and their break to none by changes inside, unless made through the directory lease's own
/// key given as ParentLeaseKey. Over a temp directory with no SMB; the breaks are recorded by a sink.
/// </summary>
public class DirectoryLeaseTests
{
    private const CachingState R = CachingState.Read, RH = CachingState.ReadHandle, RWH = CachingState.ReadWriteHandle,
        None = CachingState.None;

    private static readonly Guid Client = Guid.NewGuid();
    private static readonly Guid DirKey = Guid.NewGuid();

    private sealed class RecordingSink : IOplockBreakSink
    {
        public List<(Guid Key, CachingState From, CachingState To, bool Ack)> Breaks { get; } = new();

        public void SendBreak(CachingGrant grant, CachingState current, CachingState breakTo, bool ackRequired) =>
            Breaks.Add((grant.LeaseKey, current, breakTo, ackRequired));
    }

    private static CachingRequest Lease(Guid key, CachingState state, RecordingSink sink, Guid parent = default) =>
        new()
        {
            IsLease = true, Requested = state, ClientGuid = Client, LeaseKey = key, ParentLeaseKey = parent,
            LeaseVersion = 2, Sink = sink,
        };

    private static FsaOpen OpenDir(FsaTestVolume v, string name, CachingRequest? caching, AccessMask access = AccessMask.ReadData)
    {
        var status = v.Volume.Open(new FsaOpenRequest(name, access, FileShareAccess.All, CreateDisposition.OpenIf,
            CreateOptions.DirectoryFile, FileAttributeFlags.Directory) { Caching = caching }, out var open, out _);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return open!;
    }

    private static FsaOpen OpenFile(FsaTestVolume v, string name, CachingRequest? caching,
        AccessMask access = FsaTestVolume.ReadWrite | AccessMask.Delete)
    {
        var status = v.Volume.Open(new FsaOpenRequest(name, access, FileShareAccess.All, CreateDisposition.OpenIf,
            CreateOptions.None, FileAttributeFlags.Normal) { Caching = caching }, out var open, out _);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return open!;
    }

    [TestCase(RWH, RH)]
    [TestCase(CachingState.ReadWrite, R)]
    [TestCase(RH, RH)]
    [TestCase(R, R)]
    public void Grant_Directory_GetsReadAndHandleOnlyNeverWrite(CachingState requested, CachingState expected)
    {
        using var v = new FsaTestVolume();
        var dir = OpenDir(v, "d", Lease(DirKey, requested, new RecordingSink()));
        Assert.That(dir.Grant!.State, Is.EqualTo(expected));
    }

    [Test]
    public void Grant_DirectoryOplock_GetsNothing()
    {
        using var v = new FsaTestVolume();
        var dir = OpenDir(v, "d", new CachingRequest { Requested = RWH, Sink = new RecordingSink() });
        Assert.That(dir.Grant, Is.Null);
    }

    [Test]
    public void CreateInside_WithoutParentKey_BreaksDirectoryLeaseToNone()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var dir = OpenDir(v, "d", Lease(DirKey, RH, sink));

        OpenFile(v, @"d\f", Lease(Guid.NewGuid(), RWH, new RecordingSink()));

        Assert.That(sink.Breaks, Is.EqualTo(new[] { (DirKey, RH, None, true) }));
        Assert.That(dir.Grant!.Breaking, Is.True);
    }

    [Test]
    public void CreateInside_WithTheDirectorysKeyAsParent_BreaksNothing()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var dir = OpenDir(v, "d", Lease(DirKey, RH, sink));

        var file = OpenFile(v, @"d\f", Lease(Guid.NewGuid(), RWH, new RecordingSink(), parent: DirKey));
        Assert.That(v.Volume.SetEndOfFile(file, 10), Is.EqualTo(NtStatus.Success));

        Assert.That(sink.Breaks, Is.Empty);
        Assert.That(dir.Grant!.State, Is.EqualTo(RH));
    }

    [Test]
    public void ChangeInAnotherDirectory_BreaksNothing()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        OpenDir(v, "d", Lease(DirKey, RH, sink));
        OpenDir(v, "other", null);

        OpenFile(v, @"other\f", null);

        Assert.That(sink.Breaks, Is.Empty);
    }

    [Test]
    public void ReadLease_BreaksToNoneWithoutAcknowledgment()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var dir = OpenDir(v, "d", Lease(DirKey, R, sink));

        OpenFile(v, @"d\f", null);

        Assert.That(sink.Breaks, Is.EqualTo(new[] { (DirKey, R, None, false) }));
        Assert.That(dir.Grant!.State, Is.EqualTo(None));
    }

    [Test]
    public void WrittenFile_BreaksAtCloseNotAtWrite()
    {
        using var v = new FsaTestVolume();
        OpenDir(v, "d", null);
        v.Volume.Close(OpenFile(v, @"d\f", null));
        var sink = new RecordingSink();
        OpenDir(v, "d", Lease(DirKey, RH, sink));
        var file = OpenFile(v, @"d\f", null);

        Assert.That(v.Volume.Write(file, 0, "data"u8, false, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(sink.Breaks, Is.Empty, "Windows and Samba break the directory's lease when the file closes");
        v.Volume.Close(file);

        Assert.That(sink.Breaks, Is.EqualTo(new[] { (DirKey, RH, None, true) }));
    }

    [Test]
    public void DeleteOnLastClose_SetByTheParentLeaseHolder_KeepsThatLease_BreaksTheOthers()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var otherKey = Guid.NewGuid();
        OpenDir(v, "d", null);
        v.Volume.Close(OpenFile(v, @"d\f", null));
        OpenDir(v, "d", Lease(DirKey, RH, sink));
        OpenDir(v, "d", Lease(otherKey, RH, sink));
        var file = OpenFile(v, @"d\f", Lease(Guid.NewGuid(), R, new RecordingSink(), parent: DirKey));

        Assert.That(v.Volume.SetDisposition(file, true), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.Close(file), Is.EqualTo(NtStatus.Success));

        Assert.That(sink.Breaks, Is.EqualTo(new[] { (otherKey, RH, None, true) }));
    }

    [Test]
    public void DeleteOnLastClose_ByAnOpenWithAnotherParentKey_BreaksEveryLease()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        var otherKey = Guid.NewGuid();
        OpenDir(v, "d", null);
        v.Volume.Close(OpenFile(v, @"d\f", null));
        OpenDir(v, "d", Lease(DirKey, RH, sink));
        OpenDir(v, "d", Lease(otherKey, RH, sink));
        var setter = OpenFile(v, @"d\f", Lease(Guid.NewGuid(), R, new RecordingSink(), parent: DirKey));
        var last = OpenFile(v, @"d\f", Lease(Guid.NewGuid(), R, new RecordingSink(), parent: otherKey));

        Assert.That(v.Volume.SetDisposition(setter, true), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(setter);
        Assert.That(sink.Breaks, Is.Empty, "the file is still open: nothing is deleted yet");
        v.Volume.Close(last);

        Assert.That(sink.Breaks.Select(b => b.Key), Is.EquivalentTo(new[] { DirKey, otherKey }));
    }

    [Test]
    public void RenameIntoDirectory_HolderWithDeleteAccess_LosesHandleAndRenameWaits()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        OpenDir(v, "src", null);
        var dst = OpenDir(v, "dst", Lease(DirKey, RH, sink), AccessMask.Delete);
        var file = OpenFile(v, @"src\f", null);
        int woken = 0;

        Assert.That(v.Volume.BreakRenameDestinationParent(file, @"dst\f", () => woken++), Is.True);
        Assert.That(sink.Breaks, Is.EqualTo(new[] { (DirKey, RH, R, true) }));

        Assert.That(v.Volume.ShareModes.AcknowledgeLease(Client, DirKey, R, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(woken, Is.EqualTo(1));
        Assert.That(v.Volume.Rename(file, @"dst\f", false), Is.EqualTo(NtStatus.SharingViolation),
            "the holder kept its DELETE open");
        Assert.That(dst.Grant!.State, Is.EqualTo(R));
    }

    [Test]
    public void RenameIntoDirectory_HoldersWithoutDeleteAccess_KeepHandle_LeaseBreaksToNoneAfterTheRename()
    {
        using var v = new FsaTestVolume();
        var sink = new RecordingSink();
        OpenDir(v, "src", null);
        OpenDir(v, "dst", Lease(DirKey, RH, sink));
        var file = OpenFile(v, @"src\f", null);

        Assert.That(v.Volume.BreakRenameDestinationParent(file, @"dst\f", null), Is.False);
        Assert.That(sink.Breaks, Is.Empty);
        Assert.That(v.Volume.Rename(file, @"dst\f", false), Is.EqualTo(NtStatus.Success));
        Assert.That(sink.Breaks, Is.EqualTo(new[] { (DirKey, RH, None, true) }));
    }
}
