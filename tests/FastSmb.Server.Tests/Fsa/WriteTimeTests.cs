using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// The last-write time an open file shows ([MS-FSA] 2.1.4.17, 2.1.5.4; <see cref="WriteTimeState"/>): the delayed
/// update after a first write, made at once by FLUSH, end-of-file, basic information and close; explicit times seen
/// by every open; ChangeTime reported as the write time; times before 1970 and far after it.
/// <see cref="WriteTimeState"/> itself takes the clock as an argument, so its rules are tested without waiting.
/// </summary>
public class WriteTimeTests
{
    private const AccessMask Rw = AccessMask.ReadData | AccessMask.WriteData | AccessMask.ReadAttributes
        | AccessMask.WriteAttributes;
    private const long Second = 10_000_000;

    private sealed class TestOpen() : FsaOpen(null!, AccessMask.None, FileShareAccess.All, false);

    [Test]
    public void State_FirstWrite_ShowsTheOldTimeUntilTheDelayHasPassed()
    {
        var state = new WriteTimeState();
        var open = new TestOpen();
        state.Written(open, before: 1000 * Second, now: 2000 * Second);

        Assert.That(state.Shown(2000 * Second + WriteTimeState.UpdateDelay - 1, out var due), Is.EqualTo(1000 * Second));
        Assert.That(due, Is.Null);
        Assert.That(state.Shown(2000 * Second + WriteTimeState.UpdateDelay, out due), Is.EqualTo(2000 * Second + WriteTimeState.UpdateDelay));
        Assert.That(due, Is.SameAs(open), "the writer's descriptor carries the update to the disk");
        Assert.That(open.WriteTimeUpdateOnClose, Is.False, "the update happened: the close does not make another");
    }

    [Test]
    public void State_SecondWriteAfterTheUpdate_ChangesNothingUntilClose()
    {
        var state = new WriteTimeState();
        var open = new TestOpen();
        state.Written(open, 1000 * Second, 2000 * Second);
        long updated = state.Shown(2010 * Second, out _);

        state.Written(open, 0, 2020 * Second);

        Assert.That(state.Shown(2040 * Second, out var due), Is.EqualTo(updated));
        Assert.That(due, Is.Null);
        Assert.That(open.WriteTimeUpdateOnClose, Is.True, "the close sets the time");
    }

    [Test]
    public void State_UpdateNow_OnlyForThePendingOpen()
    {
        var state = new WriteTimeState();
        var writer = new TestOpen();
        var other = new TestOpen();
        state.Written(writer, 1000 * Second, 2000 * Second);

        Assert.That(state.UpdateNow(other, 2001 * Second), Is.Zero);
        Assert.That(state.UpdateNow(writer, 2001 * Second), Is.EqualTo(2001 * Second));
        Assert.That(state.Shown(2001 * Second, out _), Is.EqualTo(2001 * Second));
        Assert.That(state.UpdateNow(writer, 2002 * Second), Is.Zero, "nothing pending any more");
    }

    [Test]
    public void State_ExplicitTime_ShownToEveryOpenAndCancelsTheSettersPendingUpdate()
    {
        var state = new WriteTimeState();
        var open = new TestOpen();
        state.Written(open, 1000 * Second, 2000 * Second);

        state.Set(5000 * Second, open);

        Assert.That(state.Shown(9000 * Second, out var due), Is.EqualTo(5000 * Second));
        Assert.That(due, Is.Null);
    }

    [Test]
    public void Write_ThenQuery_ShowsTheTimeBeforeTheWrite_FlushUpdatesIt()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt", Rw, CreateDisposition.Create);
        var old = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc).ToFileTimeUtc();
        File.SetLastWriteTimeUtc(v.OnDisk("f.txt"), DateTime.FromFileTimeUtc(old));

        Assert.That(v.Volume.Write(open, 0, "data"u8, false, out _), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(open, out var afterWrite);
        Assert.That(afterWrite.LastWriteTime, Is.EqualTo(old), "the first write's update is delayed");
        Assert.That(File.GetLastWriteTimeUtc(v.OnDisk("f.txt")), Is.GreaterThan(DateTime.FromFileTimeUtc(old)),
            "while the disk's mtime moved");

        var other = v.OpenOk("f.txt", AccessMask.ReadAttributes, CreateDisposition.Open);
        v.Volume.QueryMetadata(other, out var seenByOther);
        Assert.That(seenByOther.LastWriteTime, Is.EqualTo(old), "every open of the file shows the same time");

        Assert.That(v.Volume.Flush(open), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(other, out var afterFlush);
        Assert.That(afterFlush.LastWriteTime, Is.GreaterThan(old));
        Assert.That(afterFlush.ChangeTime, Is.EqualTo(afterFlush.LastWriteTime));
        v.Volume.Close(other);
        v.Volume.Close(open);
    }

    [Test]
    public void Close_AfterWrite_SetsTheWriteTimeToTheClose()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt", Rw, CreateDisposition.Create);
        var old = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(v.OnDisk("f.txt"), old);
        v.Volume.Write(open, 0, "data"u8, false, out _);
        long beforeClose = FileTimes.Now;

        Assert.That(v.Volume.ApplyCloseTimes(open), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(open, out var atClose);
        v.Volume.Close(open);

        Assert.That(atClose.LastWriteTime, Is.GreaterThanOrEqualTo(beforeClose));
        Assert.That(File.GetLastWriteTimeUtc(v.OnDisk("f.txt")).ToFileTimeUtc(), Is.EqualTo(atClose.LastWriteTime),
            "the disk keeps what the close set");
    }

    [Test]
    public void SetBasicInfo_WriteTimeOnOneOpen_ShownByAnotherAndKeptAtItsClose()
    {
        using var v = new FsaTestVolume();
        var writer = v.OpenOk("f.txt", Rw, CreateDisposition.Create);
        v.Volume.Write(writer, 0, "data"u8, false, out _);
        v.Volume.SetEndOfFile(writer, 4);
        var setter = v.OpenOk("f.txt", AccessMask.WriteAttributes | AccessMask.ReadAttributes, CreateDisposition.Open);
        long tomorrow = FileTimes.Now + 86400 * Second;

        Assert.That(v.Volume.SetBasicInfo(setter, 0, 0, tomorrow, 0, 0), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(setter);
        v.Volume.ApplyCloseTimes(writer);
        v.Volume.QueryMetadata(writer, out var md);
        v.Volume.Close(writer);

        Assert.That(md.LastWriteTime, Is.EqualTo(tomorrow), "the writer's update happened at the end-of-file set");
    }

    [TestCase(-63158400L, TestName = "SetBasicInfo_TimeIn1968_ReadBack")]
    [TestCase(-1L, TestName = "SetBasicInfo_OneSecondBefore1970_ReadBack")]
    [TestCase(0L, TestName = "SetBasicInfo_Epoch_ReadBack")]
    [TestCase(10000000000L, TestName = "SetBasicInfo_Year2286_ReadBack")]
    public void SetBasicInfo_AllTimes_ReadBackWithChangeTimeAsWriteTime(long unixSeconds)
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt", Rw, CreateDisposition.Create);
        long t = FileTimes.FromUnix(unixSeconds, 0);

        Assert.That(v.Volume.SetBasicInfo(open, t, 0, t, t, 0), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(open, out var md);
        v.Volume.Close(open);

        Assert.That((md.CreationTime, md.LastWriteTime, md.ChangeTime), Is.EqualTo((t, t, t)));
    }
}
