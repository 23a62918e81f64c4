namespace FastSmb.Fsa.Oplocks;

/// <summary>
/// One oplock ([MS-FSA] 2.1.1.10, on one open) or one lease ([MS-SMB2] 3.3.1.13 Lease, keyed by ClientGuid and
/// LeaseKey and shared by every open of the file with that key) and its break in progress. Guarded by the
/// <see cref="ShareModeTable"/> lock of its file; the values read by the SMB layer after a CREATE or an
/// acknowledgment are read on the owner of the open that just got them.
/// </summary>
public sealed class CachingGrant
{
    internal CachingGrant(FileNode node, bool isLease)
    {
        Node = node;
        IsLease = isLease;
    }

    public bool IsLease { get; }

    /// <summary>A lease on a directory (R or RH), broken by changes inside it.</summary>
    public bool IsDirectory { get; internal init; }
    public Guid ClientGuid { get; internal init; }
    public Guid LeaseKey { get; internal init; }
    public Guid ParentLeaseKey { get; internal set; }
    public int LeaseVersion { get; internal set; }

    /// <summary>[MS-SMB2] 3.3.1.13 Lease.Epoch (v2): moves on with every change of the state.</summary>
    public ushort Epoch { get; internal set; }

    /// <summary>The state the holder has now (during a break: until it acknowledges).</summary>
    public CachingState State { get; internal set; }

    /// <summary>[MS-SMB2] 3.3.1.13 Lease.Breaking / Open.OplockState == Breaking.</summary>
    public bool Breaking { get; internal set; }

    /// <summary>The state the last break notification offered (Lease.BreakToLeaseState).</summary>
    public CachingState BreakingTo { get; internal set; }

    /// <summary>What the server needs in the end: lower than <see cref="BreakingTo"/> when a second conflict came
    /// during the break; the acknowledgment is then followed by a further break.</summary>
    internal CachingState RequiredBreakTo { get; set; }

    internal FileNode Node { get; }
    internal List<FsaOpen> Opens { get; } = new(1);
    internal Timer? BreakTimer { get; set; }
    internal int BreakGeneration { get; set; }

    /// <summary>The SMB2 oplock level this grant is as an oplock ([MS-SMB2] 2.2.14 OplockLevel).</summary>
    public byte OplockLevel => ToOplockLevel(State);

    public static byte ToOplockLevel(CachingState state) =>
        (state & CachingState.Write) != 0 ? ((state & CachingState.Handle) != 0 ? (byte)0x09 : (byte)0x08)
        : (state & CachingState.Read) != 0 ? (byte)0x01 : (byte)0x00;

    /// <summary>[MS-SMB2] 2.2.13 RequestedOplockLevel as a state; None for anything else (0xFF is a lease).</summary>
    public static CachingState FromOplockLevel(byte level) => level switch
    {
        0x01 => CachingState.Read,
        0x08 => CachingState.ReadWrite,
        0x09 => CachingState.ReadWriteHandle,
        _ => CachingState.None,
    };

    internal IOplockBreakSink? Sink => Opens.Count > 0 ? Opens[0].Caching?.Sink : null;
}
