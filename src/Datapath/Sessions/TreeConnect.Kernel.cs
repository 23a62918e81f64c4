namespace FastSmb.Datapath.Sessions;

public sealed partial class TreeConnect
{
    /// <summary>The share's "kernel change notify" (default no): CHANGE_NOTIFY on the tree also reports what other
    /// processes change in the share's directories (inotify).</summary>
    public bool KernelChangeNotify { get; set; }

    /// <summary>The share's "kernel oplocks" (default no): oplocks and leases granted on the tree hold a Linux lease.</summary>
    public bool KernelOplocks { get; set; }
}
