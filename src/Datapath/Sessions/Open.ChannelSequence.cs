namespace FastSmb.Datapath.Sessions;

public sealed partial class Open
{
    /// <summary>[MS-SMB2] 3.3.1.10 Open.ChannelSequence: the newest channel sequence number a 3.x client used on this
    /// open; a WRITE, SET_INFO or IOCTL with an older one is a stale replay from a failed channel (3.3.5.2.10).</summary>
    public ushort ChannelSequence { get; set; }
}
