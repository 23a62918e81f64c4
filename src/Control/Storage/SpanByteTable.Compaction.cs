using FASTER.core;

namespace FastSmb.Control.Storage;

internal sealed partial class SpanByteTable
{
    /// <summary>The log's current extent: records live between BeginAddress and TailAddress.</summary>
    public (long Begin, long SafeReadOnly, long Tail) LogAddresses =>
        (kv.Log.BeginAddress, kv.Log.SafeReadOnlyAddress, kv.Log.TailAddress);

    /// <summary>
    /// FASTER compaction ([FASTER] ClientSession.Compact): the live records below <paramref name="untilAddress"/> (which
    /// must not be above the read-only boundary: only immutable records are compacted) are copied to the tail, and
    /// BeginAddress moves up to it. The files below are not deleted here: the owner's next checkpoint records the new
    /// BeginAddress and only then truncates them, so a crash in between recovers from the previous checkpoint with its
    /// files intact. Scan compaction checks liveness against the records above the range, so a key updated or deleted
    /// since is not resurrected. Returns the new BeginAddress.
    /// </summary>
    public long Compact(long untilAddress)
    {
        var session = Rent();
        try
        {
            return session.Compact(untilAddress, CompactionType.Scan);
        }
        finally
        {
            Return(session);
        }
    }
}
