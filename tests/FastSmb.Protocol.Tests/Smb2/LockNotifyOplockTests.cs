using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class FlushTests
{
    [Test]
    public void Request_RoundTrip()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Flush, b => FlushRequest.Write(b, new FileId(11, 12)));
        Assert.That(msg.Length, Is.EqualTo(64 + 24));
        Assert.That(FlushRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.FileId, Is.EqualTo(new FileId(11, 12)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Response_RoundTrip()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Flush, b => FlushResponse.Write(b));
        Assert.That(msg.Length, Is.EqualTo(68));
        Assert.That(FlushResponse.TryParse(msg, out _), Is.True);
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Smb2TestMessages.Request(Smb2Command.Flush, b => FlushRequest.Write(b, new FileId(1, 2))),
            m => FlushRequest.TryParse(m, out _));
        ParserRobustness.Check(Smb2TestMessages.Response(Smb2Command.Flush, b => FlushResponse.Write(b)), m => FlushResponse.TryParse(m, out _));
    }
}

public class CancelTests
{
    [Test]
    public void Request_RoundTrip()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Cancel, b => CancelRequest.Write(b));
        Assert.That(msg.Length, Is.EqualTo(68));
        Assert.That(CancelRequest.TryParse(msg, out _), Is.True);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
        ParserRobustness.Check(msg, m => CancelRequest.TryParse(m, out _));
    }
}

public class LockTests
{
    private static readonly LockElement[] TwoLocks =
    [
        new(0, 100, LockElement.FlagExclusiveLock | LockElement.FlagFailImmediately),
        new(1UL << 40, ulong.MaxValue, LockElement.FlagSharedLock),
    ];

    [Test]
    public void Request_RoundTrip_TwoElements()
    {
        uint seq = LockRequest.MakeLockSequence(5, 17);
        var msg = Smb2TestMessages.Request(Smb2Command.Lock, b => LockRequest.Write(b, seq, new FileId(1, 2), TwoLocks));
        Assert.That(msg.Length, Is.EqualTo(64 + 24 + 48));
        Assert.That(LockRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.LockCount, r.LockSequenceNumber, r.LockSequenceIndex, r.FileId), Is.EqualTo(((ushort)2, (byte)5, 17u, new FileId(1, 2))));
        Assert.That(r.GetLock(0), Is.EqualTo(TwoLocks[0]));
        Assert.That(r.GetLock(1), Is.EqualTo(TwoLocks[1]));
        Assert.That((r.GetLock(0).IsExclusive, r.GetLock(0).FailImmediately, r.GetLock(1).IsShared, r.GetLock(1).IsUnlock),
            Is.EqualTo((true, true, true, false)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Request_ZeroLockCount_Rejected()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Lock, b => LockRequest.Write(b, 0, new FileId(1, 2), TwoLocks.AsSpan(0, 1)));
        Smb2TestMessages.PutU16(msg, 2, 0);
        Assert.That(LockRequest.TryParse(msg, out _), Is.False);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False);
    }

    [Test]
    public void Request_CountBeyondMessage_Rejected()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Lock, b => LockRequest.Write(b, 0, new FileId(1, 2), TwoLocks));
        Smb2TestMessages.PutU16(msg, 2, 3);
        Assert.That(LockRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Response_RoundTrip()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Lock, b => LockResponse.Write(b));
        Assert.That(LockResponse.TryParse(msg, out _), Is.True);
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Smb2TestMessages.Request(Smb2Command.Lock, b => LockRequest.Write(b, 0, new FileId(1, 2), TwoLocks)),
            m => LockRequest.TryParse(m, out _));
        ParserRobustness.Check(Smb2TestMessages.Response(Smb2Command.Lock, b => LockResponse.Write(b)), m => LockResponse.TryParse(m, out _));
    }
}

public class ChangeNotifyTests
{
    [Test]
    public void Request_RoundTrip()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.ChangeNotify, b => ChangeNotifyRequest.Write(b, ChangeNotifyRequest.FlagWatchTree,
            4096, new FileId(9, 9), CompletionFilter.FileName | CompletionFilter.DirName));
        Assert.That(msg.Length, Is.EqualTo(64 + 32));
        Assert.That(ChangeNotifyRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.WatchTree, r.OutputBufferLength, r.FileId, r.CompletionFilter), Is.EqualTo((true, 4096u, new FileId(9, 9), 3u)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Response_RoundTrip()
    {
        byte[] notify = [0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, (byte)'a', 0, 0, 0];
        var msg = Smb2TestMessages.Response(Smb2Command.ChangeNotify, b => ChangeNotifyResponse.Write(b, notify));
        Assert.That(ChangeNotifyResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.OutputBuffer.ToArray(), Is.EqualTo(notify));
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Smb2TestMessages.Request(Smb2Command.ChangeNotify, b => ChangeNotifyRequest.Write(b, 0, 1, new FileId(1, 2), 1)),
            m => ChangeNotifyRequest.TryParse(m, out _));
        ParserRobustness.Check(Smb2TestMessages.Response(Smb2Command.ChangeNotify, b => ChangeNotifyResponse.Write(b, new byte[12])),
            m => ChangeNotifyResponse.TryParse(m, out _));
    }
}

public class OplockBreakTests
{
    private static readonly byte[] Key = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    [Test]
    public void Oplock_NotificationAckResponse_RoundTrip()
    {
        var n = Smb2TestMessages.Response(Smb2Command.OplockBreak, b => OplockBreakNotification.Write(b, OplockLevel.II, new FileId(4, 5)));
        Assert.That(OplockBreakNotification.TryParse(n, out var nv), Is.True);
        Assert.That((nv.OplockLevel, nv.FileId), Is.EqualTo((OplockLevel.II, new FileId(4, 5))));

        var a = Smb2TestMessages.Request(Smb2Command.OplockBreak, b => OplockBreakAcknowledgment.Write(b, OplockLevel.None, new FileId(4, 5)));
        Assert.That(a.Length, Is.EqualTo(64 + 24));
        Assert.That(OplockBreakAcknowledgment.TryParse(a, out var av), Is.True);
        Assert.That((av.OplockLevel, av.FileId), Is.EqualTo((OplockLevel.None, new FileId(4, 5))));
        Assert.That(LeaseBreakAcknowledgment.TryParse(a, out _), Is.False);
        Assert.That(Smb2RequestSizes.TryValidate(a, out _), Is.True);

        var r = Smb2TestMessages.Response(Smb2Command.OplockBreak, b => OplockBreakResponse.Write(b, OplockLevel.None, new FileId(4, 5)));
        Assert.That(OplockBreakResponse.TryParse(r, out var rv), Is.True);
        Assert.That((rv.OplockLevel, rv.FileId), Is.EqualTo((OplockLevel.None, new FileId(4, 5))));
    }

    [Test]
    public void Lease_NotificationAckResponse_RoundTrip()
    {
        var n = Smb2TestMessages.Response(Smb2Command.OplockBreak, b => LeaseBreakNotification.Write(b, 3,
            LeaseBreakNotification.FlagAckRequired, Key, LeaseState.ReadCaching | LeaseState.WriteCaching, LeaseState.ReadCaching));
        Assert.That(n.Length, Is.EqualTo(64 + 44));
        Assert.That(LeaseBreakNotification.TryParse(n, out var nv), Is.True);
        Assert.That((nv.NewEpoch, nv.AckRequired, nv.CurrentLeaseState, nv.NewLeaseState), Is.EqualTo(((ushort)3, true, 5u, 1u)));
        Assert.That(nv.LeaseKey.ToArray(), Is.EqualTo(Key));

        var a = Smb2TestMessages.Request(Smb2Command.OplockBreak, b => LeaseBreakAcknowledgment.Write(b, Key, LeaseState.ReadCaching));
        Assert.That(a.Length, Is.EqualTo(64 + 36));
        Assert.That(LeaseBreakAcknowledgment.TryParse(a, out var av), Is.True);
        Assert.That((av.Flags, av.LeaseState, av.LeaseDuration), Is.EqualTo((0u, 1u, 0UL)));
        Assert.That(av.LeaseKey.ToArray(), Is.EqualTo(Key));
        Assert.That(OplockBreakAcknowledgment.TryParse(a, out _), Is.False);
        Assert.That(Smb2RequestSizes.TryValidate(a, out _), Is.True);

        var r = Smb2TestMessages.Response(Smb2Command.OplockBreak, b => LeaseBreakResponse.Write(b, Key, LeaseState.ReadCaching));
        Assert.That(LeaseBreakResponse.TryParse(r, out var rv), Is.True);
        Assert.That(rv.LeaseKey.ToArray(), Is.EqualTo(Key));
        Assert.That(rv.LeaseState, Is.EqualTo(1u));
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Smb2TestMessages.Request(Smb2Command.OplockBreak, b => OplockBreakAcknowledgment.Write(b, 0, new FileId(1, 2))),
            m => OplockBreakAcknowledgment.TryParse(m, out _));
        ParserRobustness.Check(Smb2TestMessages.Request(Smb2Command.OplockBreak, b => LeaseBreakAcknowledgment.Write(b, Key, 0)),
            m => LeaseBreakAcknowledgment.TryParse(m, out _));
        ParserRobustness.Check(Smb2TestMessages.Response(Smb2Command.OplockBreak, b => LeaseBreakNotification.Write(b, 1, 0, Key, 7, 1)),
            m => LeaseBreakNotification.TryParse(m, out _));
        ParserRobustness.Check(Smb2TestMessages.Response(Smb2Command.OplockBreak, b => OplockBreakNotification.Write(b, 1, new FileId(1, 2))),
            m => OplockBreakNotification.TryParse(m, out _));
    }
}
