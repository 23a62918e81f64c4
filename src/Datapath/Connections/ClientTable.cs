namespace FastSmb.Datapath.Connections;

/// <summary>
/// The server's clients by ClientGuid, for multichannel: every 3.x connection of one client (same ClientGuid, server
/// offering SMB2_GLOBAL_CAP_MULTI_CHANNEL) shares one gate, so a session bound to several of them is touched by one
/// thread at a time, the single-owner rule of the connection loops (Samba likewise hands all connections of a
/// ClientGuid to one smbd at NEGOTIATE). Thread-safe: connections of any owner join and leave.
/// </summary>
public sealed class ClientTable
{
    /// <summary>One client's connections, oldest first. Guarded by the table's lock.</summary>
    internal sealed class Group(Lock tableLock)
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly List<Smb2Connection> Members = new();
        public int Connections => Members.Count;

        /// <summary>The client's oldest connection that is still open: where Samba sends a lease break, whichever
        /// of the client's connections opened the file (smb2.lease.v2_complex1).</summary>
        public Smb2Connection? OldestLive()
        {
            lock (tableLock)
                foreach (var c in Members)
                    if (!c.IsClosed) return c;
            return null;
        }
    }

    private readonly Dictionary<Guid, Group> _clients = new();
    private readonly Lock _lock = new();

    /// <summary>Moves <paramref name="connection"/> onto its client's gate. Call under the connection's own gate,
    /// right after NEGOTIATE (nothing else references the old gate then but the caller, who releases it).</summary>
    public void Join(Smb2Connection connection)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(connection.ClientGuid, out var client))
                _clients.Add(connection.ClientGuid, client = new Group(_lock));
            client.Members.Add(connection);
            connection.Gate = client.Gate;
            connection.JoinedClient = true;
            connection.Client = client;
        }
    }

    /// <summary>Forgets a closed connection; the client's entry goes with its last connection.</summary>
    public void Leave(Smb2Connection connection)
    {
        if (!connection.JoinedClient) return;
        lock (_lock)
        {
            connection.JoinedClient = false;
            connection.Client = null;
            if (_clients.TryGetValue(connection.ClientGuid, out var client) && client.Members.Remove(connection)
                && client.Connections == 0)
                _clients.Remove(connection.ClientGuid);
        }
    }

    public int Count { get { lock (_lock) return _clients.Count; } }
}
