namespace FastSmb.Datapath.Connections;

/// <summary>
/// The server's clients by ClientGuid, for multichannel: every 3.x connection of one client (same ClientGuid, server
/// offering SMB2_GLOBAL_CAP_MULTI_CHANNEL) shares one gate, so a session bound to several of them is touched by one
/// thread at a time, the single-owner rule of the connection loops (Samba likewise hands all connections of a
/// ClientGuid to one smbd at NEGOTIATE). Thread-safe: connections of any owner join and leave.
/// </summary>
public sealed class ClientTable
{
    private sealed class Client
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Connections;
    }

    private readonly Dictionary<Guid, Client> _clients = new();

    /// <summary>Moves <paramref name="connection"/> onto its client's gate. Call under the connection's own gate,
    /// right after NEGOTIATE (nothing else references the old gate then but the caller, who releases it).</summary>
    public void Join(Smb2Connection connection)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(connection.ClientGuid, out var client))
                _clients.Add(connection.ClientGuid, client = new Client());
            client.Connections++;
            connection.Gate = client.Gate;
            connection.JoinedClient = true;
        }
    }

    /// <summary>Forgets a closed connection; the client's entry goes with its last connection.</summary>
    public void Leave(Smb2Connection connection)
    {
        if (!connection.JoinedClient) return;
        lock (_clients)
        {
            connection.JoinedClient = false;
            if (_clients.TryGetValue(connection.ClientGuid, out var client) && --client.Connections == 0)
                _clients.Remove(connection.ClientGuid);
        }
    }

    public int Count { get { lock (_clients) return _clients.Count; } }
}
