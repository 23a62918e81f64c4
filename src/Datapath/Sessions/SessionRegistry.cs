using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FastSmb.Datapath.Sessions;

/// <summary>
/// Every live session of the server by SessionId. Shared by all connections (session binding on another
/// channel looks sessions up here), hence concurrent; a session itself is mutated only by its owner.
/// </summary>
public sealed partial class SessionRegistry(State.IServerStateStore? store = null)
{
    private readonly ConcurrentDictionary<ulong, Smb2Session> _sessions = new();

    /// <summary>The server's durable opens, written through to the state store (in memory unless the server passes
    /// a persistent one).</summary>
    public DurableOpenTable Durable { get; } = new(State.ServerIdentityStateStore.Wrap(store ?? new State.InMemoryServerStateStore()));

    /// <summary>Creates a session with a fresh, unpredictable, non-zero id (ids are not sequential so one
    /// client cannot guess another's).</summary>
    public Smb2Session Create(Connections.Smb2Connection connection)
    {
        while (true)
        {
            ulong id = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) & 0x0000FFFFFFFFFFFFUL;
            if (id == 0 || id == 0xFFFFFFFFFFFFUL) continue;
            var session = new Smb2Session(id, connection) { DurableOpens = Durable };
            if (_sessions.TryAdd(id, session)) return session;
        }
    }

    public bool TryGet(ulong sessionId, out Smb2Session session) => _sessions.TryGetValue(sessionId, out session!);

    public void Remove(Smb2Session session) => _sessions.TryRemove(new KeyValuePair<ulong, Smb2Session>(session.SessionId, session));

    public int Count => _sessions.Count;

    /// <summary>The clients by ClientGuid whose connections share a gate (multichannel).</summary>
    public Connections.ClientTable Clients { get; } = new();
}
