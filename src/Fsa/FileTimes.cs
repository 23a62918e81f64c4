namespace FastSmb.Fsa;

/// <summary>FILETIME ([MS-DTYP] 2.3.3: 100 ns intervals since 1601-01-01 UTC) from and to Unix times.</summary>
public static class FileTimes
{
    /// <summary>Seconds from 1601-01-01 to 1970-01-01.</summary>
    private const long EpochDifferenceSeconds = 11_644_473_600;

    public static long FromUnix(long seconds, long nanoseconds) =>
        (seconds + EpochDifferenceSeconds) * 10_000_000 + nanoseconds / 100;

    public static (long Seconds, long Nanoseconds) ToUnix(long fileTime)
    {
        long ticks = fileTime - EpochDifferenceSeconds * 10_000_000;
        long seconds = Math.DivRem(ticks, 10_000_000, out long rest);
        if (rest < 0) { seconds--; rest += 10_000_000; }
        return (seconds, rest * 100);
    }

    public static long Now => DateTime.UtcNow.ToFileTimeUtc();
}
