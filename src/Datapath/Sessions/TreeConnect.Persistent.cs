namespace FastSmb.Datapath.Sessions;

public sealed partial class TreeConnect
{
    /// <summary>[MS-SMB2] 3.3.1.6 Share.IsCA as this tree connect sees it: the share's "continuously available" on a
    /// 3.x connection (3.3.5.7). Opens on it may be persistent (3.3.5.9.10) and every WRITE is written through.</summary>
    public bool ContinuouslyAvailable { get; set; }
}
