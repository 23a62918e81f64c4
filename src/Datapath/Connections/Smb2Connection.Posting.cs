namespace FastSmb.Datapath.Connections;

public sealed partial class Smb2Connection
{
    /// <summary>
    /// Runs work as this connection's owner, later, from any thread (an oplock or lease break another connection
    /// caused, a waiting CREATE woken by an acknowledgment): set by the <see cref="ConnectionOwner"/> while it runs,
    /// null once it has stopped. Never blocks the caller.
    /// </summary>
    public Action<Action<Smb2Connection>>? PostToOwner { get; set; }
}
