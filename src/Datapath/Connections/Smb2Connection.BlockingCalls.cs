using FastSmb.Datapath.Dispatch;

namespace FastSmb.Datapath.Connections;

public sealed partial class Smb2Connection
{
    /// <summary>The threads this connection's slow file system calls run on (<see cref="BlockingCall"/>); null runs
    /// them inline (a connection without an owner, in unit tests). Set by the owner.</summary>
    public BlockingCallPool? BlockingCalls { get; set; }
}
