namespace FastSmb.Datapath.Transport;

/// <summary>
/// A transport whose connection lives on one thread (a pinned core loop): work for the connection's owner is run
/// there, so the owner's state and the transport are touched from that thread.
/// </summary>
public interface IOwnerScheduler
{
    void Schedule(Action work);
}
