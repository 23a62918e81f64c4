using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Sessions;

public sealed partial class Open
{
    /// <summary>[MS-SMB2] 3.3.1.10 Open.IsDurable: the open outlives its connection (DHnQ or DH2Q granted).</summary>
    public bool IsDurable => Durable is not null;

    /// <summary>The entry of <see cref="DurableOpenTable"/> this open is, when durable.</summary>
    public DurableOpen? Durable { get; internal set; }

    /// <summary>A DH2Q open that was not made durable: its CreateGuid still names it for a replay ([MS-SMB2]
    /// 3.3.5.9.10), as long as it is open on its connection.</summary>
    internal (DurableOpenTable Table, Guid CreateGuid)? ReplayEntry { get; set; }

    /// <summary>
    /// Its CREATE may still be replayed (the DH2Q's CreateGuid answers this open): true from the grant until a request
    /// names the open by its FileId, which proves the client saw the CREATE response — then a replay of that CREATE is
    /// a new CREATE (Samba's replay cache, smbXsrv_open_clear_replay_cache; smb2.replay.replay6).
    /// </summary>
    internal bool ReplayCached { get; set; }

    /// <summary>A request named this open by its FileId.</summary>
    internal void SeenByClient()
    {
        if (ReplayCached) ReplayCached = false;
    }

    /// <summary>The open closes: it leaves the durable table, or the replay index.</summary>
    private void ForgetDurable()
    {
        if (Durable is { } durable) durable.Table.Remove(durable);
        if (ReplayEntry is { } entry) entry.Table.ForgetReplay(entry.CreateGuid, this);
    }

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
        ReplayCached = ReplayCached,
    };
}
