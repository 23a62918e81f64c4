using FastSmb.Fsa.Oplocks;

namespace FastSmb.Fsa;

public abstract partial class FsaOpen
{
    /// <summary>What the CREATE asked for in oplocks or leases and where breaks go; null for an open that asked
    /// nothing (it still breaks others' grants, without waiting).</summary>
    public CachingRequest? Caching { get; internal init; }

    /// <summary>The oplock or lease this open holds (a lease may be shared with other opens); null for none.
    /// Read on the open's owner after the CREATE or an acknowledgment; written under the table lock.</summary>
    public CachingGrant? Grant { get; internal set; }
}

public sealed partial class FileNode
{
    /// <summary>The oplocks and leases held on this file ([MS-FSA] 2.1.1.4 File.Oplock / the lease table's
    /// entries for it). Guarded by the table lock.</summary>
    internal List<CachingGrant> Grants { get; } = new(1);

    /// <summary>Opens waiting for the breaks of <see cref="Grants"/> to finish.</summary>
    internal List<Action> BreakWaiters { get; } = new();

    internal ShareModeTable? Table { get; set; }
}
