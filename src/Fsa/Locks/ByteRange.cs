namespace FastSmb.Fsa.Locks;

/// <summary>
/// A byte range of a lock or of an I/O: <see cref="Offset"/> and <see cref="Length"/> as the client sent them. A
/// non-empty range covers Offset through <see cref="Last"/>; an empty one (a zero-length lock) covers no byte but still
/// sits at its offset.
/// </summary>
public readonly record struct ByteRange(ulong Offset, ulong Length)
{
    /// <summary>The last byte covered (Offset for an empty range).</summary>
    public ulong Last => Length == 0 ? Offset : Offset + (Length - 1);

    /// <summary>
    /// [MS-SMB2] 3.3.5.14 / [MS-FSA] 2.1.5.7: a range whose last byte lies beyond 2^64 - 1 is STATUS_INVALID_LOCK_RANGE
    /// (Windows: offset ~0 with length 1 is valid, with length 2 is not).
    /// </summary>
    public bool IsValid => Length == 0 || Length - 1 <= ulong.MaxValue - Offset;

    /// <summary>
    /// Whether two lock ranges contend, as Windows decides it: two non-empty ranges when they share a byte; an empty
    /// range at X against a non-empty one when X lies inside it past its first byte (a zero-length lock at a range's
    /// start, or two zero-length locks, never contend).
    /// </summary>
    public bool Overlaps(ByteRange other)
    {
        if (Length == 0 && other.Length == 0) return false;
        if (Length == 0) return other.Offset < Offset && Offset <= other.Last;
        if (other.Length == 0) return Offset < other.Offset && other.Offset <= Last;
        return Offset <= other.Last && other.Offset <= Last;
    }
}
