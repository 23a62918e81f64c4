using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Sessions;

public sealed partial class Open
{
    /// <summary>[MS-SMB2] 3.3.1.10 Open.IsDurable: the open outlives its connection (DHnQ or DH2Q granted).</summary>
    public bool IsDurable => Durable is not null;

    /// <summary>The entry of <see cref="DurableOpenTable"/> this open is, when durable.</summary>
    public DurableOpen? Durable { get; internal set; }

    /// <summary>
    /// [MS-SMB2] 3.3.5.9.7 / 3.3.5.9.12: the same file open, re-attached to <paramref name="tree"/> with a new
    /// volatile FileId. What the open holds at the FSA (share mode, oplock or lease, byte-range locks) stays with the
    /// FSA open; what the SMB open knows (lock sequences, channel sequence, durability) moves over.
    /// </summary>
    internal Open ReattachTo(TreeConnect tree, FileId fileId) => new(fileId, tree, Name, File!)
    {
        GrantedAccess = GrantedAccess,
        TracksLockSequences = TracksLockSequences,
        ChannelSequence = ChannelSequence,
        _lockSequences = _lockSequences,
        Durable = Durable,
    };
}
