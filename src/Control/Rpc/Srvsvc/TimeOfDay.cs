using FastSmb.Protocol.Rpc.Ndr;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>TIME_OF_DAY_INFO ([MS-SRVS] 2.2.4.105), what NetrRemoteTOD returns.</summary>
public static class TimeOfDay
{
    /// <summary>tod_tinterval: the clock tick in 0.0001 s units; 310 is what Windows reports (a 31 ms tick).</summary>
    public const uint TickInterval = 310;

    /// <summary>
    /// The twelve fields for <paramref name="utcNow"/>: hours to hundredths and the date are GMT, tod_timezone is
    /// the local zone's offset in minutes, positive west of Greenwich, and tod_msecs counts milliseconds from an
    /// arbitrary start (here <paramref name="uptimeMs"/>, truncated to 32 bits as on Windows).
    /// </summary>
    public static void Write(NdrWriter w, DateTimeOffset utcNow, TimeZoneInfo localZone, long uptimeMs)
    {
        var t = utcNow.UtcDateTime;
        w.WriteUInt32((uint)utcNow.ToUnixTimeSeconds()); // tod_elapsedt
        w.WriteUInt32((uint)uptimeMs);                    // tod_msecs
        w.WriteUInt32((uint)t.Hour);
        w.WriteUInt32((uint)t.Minute);
        w.WriteUInt32((uint)t.Second);
        w.WriteUInt32((uint)(t.Millisecond / 10));        // tod_hunds
        w.WriteInt32(-(int)localZone.GetUtcOffset(utcNow).TotalMinutes); // tod_timezone
        w.WriteUInt32(TickInterval);
        w.WriteUInt32((uint)t.Day);
        w.WriteUInt32((uint)t.Month);
        w.WriteUInt32((uint)t.Year);
        w.WriteUInt32((uint)t.DayOfWeek);                 // tod_weekday: 0 is Sunday
    }
}
