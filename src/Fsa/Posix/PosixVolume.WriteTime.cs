namespace FastSmb.Fsa.Posix;

/// <summary>
/// The last-write time as SMB clients see it ([MS-FSA] 2.1.4.17, 2.1.5.4; see <see cref="WriteTimeState"/>): the
/// disk's mtime moves with every pwrite, but an open file shows the time its node holds, which changes once, a
/// while after the first write through an open, and again at that open's close. What the node shows is written to
/// the disk when it changes, so the file keeps it after the last close. Named streams have no write-time state of
/// their own.
/// </summary>
public sealed partial class PosixVolume
{
    /// <summary>Before a write through <paramref name="o"/>: the disk's mtime when the write may start the delayed
    /// update (the open's first), else 0.</summary>
    private static long WriteTimeBeforeWrite(PosixOpen o)
    {
        if (o.StreamName is not null || o.FrozenLastWriteTime != 0 || o.WriteTimeTriggered) return 0;
        return PathResolver.StatFd(o.Fd, out var st) == 0 ? FileTimes.FromUnix(st.MtimeSec, st.MtimeNsec) : 0;
    }

    /// <summary>After a write through <paramref name="o"/> that <see cref="WriteTimeBeforeWrite"/> prepared.</summary>
    private static void WriteTimeAfterWrite(PosixOpen o, long before)
    {
        if (o.StreamName is not null || o.FrozenLastWriteTime != 0 || o.Node is null) return;
        o.Node.WriteTime.Written(o, before, FileTimes.Now);
    }

    /// <summary>Replaces the disk's write (and change) time in <paramref name="metadata"/> by what the open file shows,
    /// making a delayed update that has come due.</summary>
    private static void ApplyShownWriteTime(PosixOpen o, ref FileMetadata metadata)
    {
        if (o.StreamName is not null || o.Node is null) return;
        long shown = o.Node.WriteTime.Shown(FileTimes.Now, out var due);
        if (due is PosixOpen writer) SetDiskWriteTime(writer, shown);
        if (shown != 0) metadata = metadata with { LastWriteTime = shown, ChangeTime = ShownChangeTime(metadata, shown) };
    }

    /// <summary>FLUSH, end-of-file and basic-information sets through <paramref name="o"/> make its pending update now.</summary>
    private static void UpdatePendingWriteTime(PosixOpen o)
    {
        if (o.StreamName is not null || o.Node is null) return;
        long now = o.Node.WriteTime.UpdateNow(o, FileTimes.Now);
        if (now != 0) SetDiskWriteTime(o, now);
    }

    /// <summary>[MS-FSA] 2.1.5.4: an open that wrote (and did not set the write time itself) sets it to the time of
    /// its close. Runs before the close's post-query and again, as a no-op, from <see cref="Close"/>.</summary>
    public NtStatus ApplyCloseTimes(FsaOpen open)
    {
        var o = (PosixOpen)open;
        if (o.StreamName is not null || o.Node is null) return NtStatus.Success;
        o.Node.WriteTime.Forget(o);
        if (!o.WriteTimeUpdateOnClose || o.FrozenLastWriteTime != 0) return NtStatus.Success;
        o.WriteTimeUpdateOnClose = false;
        long now = FileTimes.Now;
        SetDiskWriteTime(o, now);
        o.Node.WriteTime.Set(now, null);
        return NtStatus.Success;
    }

    /// <summary>Best effort: a descriptor that may not set times (not the owner's) leaves the disk's value, and the
    /// open file still shows the right one.</summary>
    private static unsafe void SetDiskWriteTime(PosixOpen o, long writeTime)
    {
        var times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { Nsec = Libc.UTIME_OMIT };
        times[1] = ToTimespec(writeTime);
        Libc.Futimens(o.Fd, times);
    }
}
