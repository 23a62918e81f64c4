namespace FastSmb.Datapath;

/// <summary>The data path's log events; the host wires them to its logger (console for `fastsmb serve`).</summary>
public interface IServerLog
{
    void ConnectionAccepted(string client);
    void ConnectionClosed(string client);
    void ConnectionDropped(string client, string reason);
    void ConnectionFailed(string client, Exception error);
}
