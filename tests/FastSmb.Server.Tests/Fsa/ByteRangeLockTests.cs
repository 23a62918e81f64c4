using FastSmb.Fsa;
using FastSmb.Fsa.Locks;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-FSA] 2.1.5.7 ByteRangeLock, 2.1.5.8 Unlock and the lock checks of 2.1.5.2/2.1.5.3, over a temp directory.</summary>
public class ByteRangeLockTests
{
    // first lock (offset, length), second lock (offset, length), do they contend? Windows' zero-length rules: a
    // zero-length lock contends only with a range that holds its offset past its first byte.
    [TestCase(0ul, 4ul, 2ul, 4ul, true)]
    [TestCase(0ul, 4ul, 4ul, 4ul, false)]
    [TestCase(0ul, 4ul, 3ul, 1ul, true)]
    [TestCase(10ul, 0ul, 10ul, 0ul, false)]
    [TestCase(10ul, 0ul, 9ul, 1ul, false)]
    [TestCase(10ul, 0ul, 10ul, 1ul, false)]
    [TestCase(10ul, 0ul, 11ul, 1ul, false)]
    [TestCase(10ul, 0ul, 9ul, 2ul, true)]
    [TestCase(10ul, 0ul, 10ul, 2ul, false)]
    [TestCase(10ul, 0ul, 9ul, 3ul, true)]
    [TestCase(9ul, 2ul, 10ul, 0ul, true)]
    [TestCase(ulong.MaxValue, 1ul, ulong.MaxValue, 1ul, true)]
    [TestCase(ulong.MaxValue - 1, 1ul, ulong.MaxValue, 1ul, false)]
    public void Overlaps_Matrix(ulong offset1, ulong length1, ulong offset2, ulong length2, bool expected)
    {
        var a = new ByteRange(offset1, length1);
        var b = new ByteRange(offset2, length2);
        Assert.That(a.Overlaps(b), Is.EqualTo(expected));
        Assert.That(b.Overlaps(a), Is.EqualTo(expected), "symmetric");
    }

    [TestCase(ulong.MaxValue, 0ul, true)]
    [TestCase(ulong.MaxValue, 1ul, true)]
    [TestCase(ulong.MaxValue, 2ul, false)]
    [TestCase(1ul, ulong.MaxValue, true)]
    [TestCase(2ul, ulong.MaxValue, false)]
    [TestCase(ulong.MaxValue, ulong.MaxValue, false)]
    public void IsValid_64BitWrap(ulong offset, ulong length, bool valid) =>
        Assert.That(new ByteRange(offset, length).IsValid, Is.EqualTo(valid));

    private static NtStatus Lock(FsaOpen open, ulong offset, ulong length, bool exclusive) =>
        open.Volume.ByteRangeLocks.Lock(open, new ByteRange(offset, length), exclusive, null, out _);

    private static NtStatus Unlock(FsaOpen open, ulong offset, ulong length) =>
        open.Volume.ByteRangeLocks.Unlock(open, new ByteRange(offset, length));

    // lock 1 exclusive?, same open?, lock 2 exclusive? -> granted?
    [TestCase(false, true, false, true)]
    [TestCase(true, true, false, true)]   // a shared lock stacks on the same open's exclusive lock
    [TestCase(false, true, true, false)]  // an exclusive lock never stacks
    [TestCase(true, true, true, false)]
    [TestCase(false, false, false, true)]
    [TestCase(true, false, false, false)]
    [TestCase(false, false, true, false)]
    [TestCase(true, false, true, false)]
    public void Lock_ConflictMatrix(bool firstExclusive, bool sameOpen, bool secondExclusive, bool granted)
    {
        using var v = new FsaTestVolume();
        var a = v.OpenOk("f");
        var b = sameOpen ? a : v.OpenOk("f");
        Assert.That(Lock(a, 0, 10, firstExclusive), Is.EqualTo(NtStatus.Success));
        Assert.That(Lock(b, 5, 10, secondExclusive), Is.EqualTo(granted ? NtStatus.Success : NtStatus.LockNotGranted));
    }

    [Test]
    public void Lock_RangePastTwoToTheSixtyFour_InvalidLockRange()
    {
        using var v = new FsaTestVolume();
        var a = v.OpenOk("f");
        Assert.That(Lock(a, ulong.MaxValue, 2, true), Is.EqualTo(NtStatus.InvalidLockRange));
        Assert.That(Lock(a, ulong.MaxValue, 1, true), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public void Unlock_ExactRangeOnly_ExclusiveBeforeShared_ThenRangeNotLocked()
    {
        using var v = new FsaTestVolume();
        var a = v.OpenOk("f");
        var b = v.OpenOk("f");
        Assert.That(Lock(a, 10, 4, false), Is.EqualTo(NtStatus.Success));
        Assert.That(Lock(a, 12, 4, false), Is.EqualTo(NtStatus.Success));
        Assert.That(Unlock(a, 10, 6), Is.EqualTo(NtStatus.RangeNotLocked), "locks are not coalesced");
        Assert.That(Unlock(b, 10, 4), Is.EqualTo(NtStatus.RangeNotLocked), "another open's lock");

        Assert.That(Lock(a, 20, 10, true), Is.EqualTo(NtStatus.Success));
        Assert.That(Lock(a, 20, 10, false), Is.EqualTo(NtStatus.Success));
        Assert.That(Unlock(a, 20, 10), Is.EqualTo(NtStatus.Success));
        // The exclusive one went first: another open may now share the range.
        Assert.That(Lock(b, 20, 10, false), Is.EqualTo(NtStatus.Success));
        Assert.That(Unlock(a, 20, 10), Is.EqualTo(NtStatus.Success));
        Assert.That(Unlock(a, 20, 10), Is.EqualTo(NtStatus.RangeNotLocked));
    }

    [Test]
    public void Close_ReleasesTheOpensLocks()
    {
        using var v = new FsaTestVolume();
        var a = v.OpenOk("f");
        var b = v.OpenOk("f");
        Assert.That(Lock(a, 0, 8, false), Is.EqualTo(NtStatus.Success));
        Assert.That(Lock(b, 0, 1, false), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(a);
        var c = v.OpenOk("f");
        Assert.That(Lock(c, 7, 1, true), Is.EqualTo(NtStatus.Success));
        Assert.That(Lock(c, 0, 1, true), Is.EqualTo(NtStatus.LockNotGranted), "b's lock stays");
    }

    [Test]
    public void ReadWrite_EnforceOtherOpensLocks()
    {
        using var v = new FsaTestVolume();
        var a = v.OpenOk("f");
        var b = v.OpenOk("f");
        byte[] data = new byte[100];
        Assert.That(v.Volume.Write(a, 0, data, false, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(Lock(a, 0, 50, false), Is.EqualTo(NtStatus.Success));
        Assert.That(Lock(a, 50, 50, true), Is.EqualTo(NtStatus.Success));

        Assert.That(v.Volume.Read(a, 0, data, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.Write(a, 50, data.AsSpan(0, 10), false, out _), Is.EqualTo(NtStatus.Success), "own exclusive");
        Assert.That(v.Volume.Write(a, 10, data.AsSpan(0, 10), false, out _), Is.EqualTo(NtStatus.FileLockConflict),
            "a shared lock keeps even its own open from writing");
        Assert.That(v.Volume.Read(b, 0, data.AsSpan(0, 50), out _), Is.EqualTo(NtStatus.Success), "shared lets others read");
        Assert.That(v.Volume.Read(b, 40, data.AsSpan(0, 20), out _), Is.EqualTo(NtStatus.FileLockConflict));
        Assert.That(v.Volume.Write(b, 0, data.AsSpan(0, 1), false, out _), Is.EqualTo(NtStatus.FileLockConflict));
        Assert.That(v.Volume.Read(b, 50, Span<byte>.Empty, out _), Is.EqualTo(NtStatus.Success), "zero bytes touch no lock");

        Assert.That(Unlock(a, 50, 50), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.Read(b, 50, data.AsSpan(0, 50), out _), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public void Blocking_WaitersGrantedInArrivalOrder_WhenTheConflictGoes()
    {
        using var v = new FsaTestVolume();
        var holder = v.OpenOk("f");
        var first = v.OpenOk("f");
        var second = v.OpenOk("f");
        var third = v.OpenOk("f");
        var locks = v.Volume.ByteRangeLocks;
        var order = new List<FsaOpen>();
        Assert.That(Lock(holder, 0, 10, true), Is.EqualTo(NtStatus.Success));

        Assert.That(locks.Lock(first, new ByteRange(0, 10), true, p => order.Add(p.Owner), out var p1), Is.EqualTo(NtStatus.Pending));
        Assert.That(locks.Lock(second, new ByteRange(5, 1), true, p => order.Add(p.Owner), out _), Is.EqualTo(NtStatus.Pending));
        Assert.That(locks.Lock(third, new ByteRange(20, 1), true, p => order.Add(p.Owner), out _), Is.EqualTo(NtStatus.Success),
            "no conflict: granted at once");
        Assert.That(order, Is.Empty);

        Assert.That(Unlock(holder, 0, 10), Is.EqualTo(NtStatus.Success));
        Assert.That(order, Is.EqualTo(new[] { first }), "the first waiter gets the range; the second still conflicts with it");
        Assert.That(p1!.IsGranted, Is.True);
        Assert.That(Lock(holder, 0, 1, false), Is.EqualTo(NtStatus.LockNotGranted), "the waiter now holds the lock");

        v.Volume.Close(first);
        Assert.That(order, Is.EqualTo(new[] { first, second }), "closing releases the lock and wakes the next");
    }

    [Test]
    public void CancelWait_StillWaiting_WithdrawsIt_AfterGrant_ReturnsFalse()
    {
        using var v = new FsaTestVolume();
        var holder = v.OpenOk("f");
        var waiter = v.OpenOk("f");
        var locks = v.Volume.ByteRangeLocks;
        int granted = 0;
        Assert.That(Lock(holder, 0, 10, true), Is.EqualTo(NtStatus.Success));
        locks.Lock(waiter, new ByteRange(0, 10), false, _ => granted++, out var pending);
        Assert.That(locks.CancelWait(pending!), Is.True);
        Assert.That(Unlock(holder, 0, 10), Is.EqualTo(NtStatus.Success));
        Assert.That(granted, Is.Zero, "a withdrawn request is never granted");

        Assert.That(Lock(holder, 0, 10, true), Is.EqualTo(NtStatus.Success));
        locks.Lock(waiter, new ByteRange(0, 10), false, _ => granted++, out pending);
        Assert.That(Unlock(holder, 0, 10), Is.EqualTo(NtStatus.Success));
        Assert.That(granted, Is.EqualTo(1));
        Assert.That(locks.CancelWait(pending!), Is.False, "too late: the caller owns the lock and must unlock it");
    }

    [Test]
    public void LockRequested_RaisedBeforeEachLock_NotForUnlock()
    {
        using var v = new FsaTestVolume();
        var a = v.OpenOk("f");
        var seen = new List<FsaOpen>();
        v.Volume.ByteRangeLocks.LockRequested += seen.Add;
        Lock(a, 0, 1, false);
        Unlock(a, 0, 1);
        Assert.That(seen, Is.EqualTo(new[] { a }));
    }

    [Test]
    public void Lock_Directory_InvalidParameter()
    {
        using var v = new FsaTestVolume();
        var d = v.OpenOk("d", AccessMask.ReadData, CreateDisposition.Create, options: CreateOptions.DirectoryFile);
        Assert.That(Lock(d, 0, 1, true), Is.EqualTo(NtStatus.InvalidParameter));
    }
}
