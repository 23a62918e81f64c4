using System.Net;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Datapath.Connections;

/// <summary>
/// [MS-SMB2] 3.3.1.7 Per Connection: what NEGOTIATE decided and the sessions this connection created.
/// Owned by one <see cref="ConnectionOwner"/>: touched by one thread at a time, no locks.
/// </summary>
public sealed partial class Smb2Connection(EndPoint? remoteEndPoint, int maxCredits)
{
    private readonly List<Smb2Session> _sessions = new();

    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;
    public string ClientAddress => RemoteEndPoint?.ToString() ?? "";
    public CreditWindow Credits { get; } = new(maxCredits);

    /// <summary>None until NEGOTIATE; <see cref="Smb2Dialect.Wildcard"/> after an SMB1 multi-protocol negotiate.</summary>
    public Smb2Dialect Dialect { get; set; } = Smb2Dialect.None;
    public bool NegotiateDone => Dialect != Smb2Dialect.None && Dialect != Smb2Dialect.Wildcard;

    public Guid ClientGuid { get; set; }
    public Guid ServerGuid { get; set; }
    public uint ClientCapabilities { get; set; }
    public ushort ClientSecurityMode { get; set; }
    public uint ServerCapabilities { get; set; }
    public ushort ServerSecurityMode { get; set; }
    public ushort[] ClientDialects { get; set; } = [];
    public uint MaxTransactSize { get; set; }
    public uint MaxReadSize { get; set; }
    public uint MaxWriteSize { get; set; }

    /// <summary>3.1.1: the hash over NEGOTIATE request and response ([MS-SMB2] 3.3.1.7
    /// Connection.PreauthIntegrityHashValue); sessions start their own chain from it.</summary>
    public PreauthIntegrity PreauthIntegrity { get; } = new();

    /// <summary>The negotiated cipher ([MS-SMB2] 3.3.1.7 Connection.CipherId): AES-128-CCM for 3.0/3.0.2 when the client
    /// has SMB2_GLOBAL_CAP_ENCRYPTION, the ENCRYPTION_CAPABILITIES choice for 3.1.1, otherwise None.</summary>
    public Smb2CipherId CipherId { get; set; }

    /// <summary>3.1.1: the SIGNING_CAPABILITIES choice (AES-CMAC when none was negotiated).</summary>
    public SigningAlgorithm SigningAlgorithmId { get; set; } = SigningAlgorithm.AesCmac;

    /// <summary>
    /// The session whose key decrypted the message being processed, or null when it came in plain text
    /// ([MS-SMB2] 3.3.5.2.1.1). Set by the dispatcher for the duration of one message; its response is encrypted
    /// with the same session's key.
    /// </summary>
    public Smb2Session? EncryptedBy { get; set; }

    /// <summary>Set when a protocol violation means the owner must drop the connection after sending.</summary>
    public bool DisconnectRequested { get; private set; }
    public string? DisconnectReason { get; private set; }

    public void RequestDisconnect(string reason)
    {
        DisconnectRequested = true;
        DisconnectReason ??= reason;
    }

    /// <summary>[MS-SMB2] 3.3.1.7 Connection.AsyncCommandList: requests that got an interim response, by AsyncId.</summary>
    public Dictionary<ulong, Dispatch.AsyncOperation> AsyncOperations { get; } = new();

    private ulong _nextAsyncId;

    /// <summary>A fresh AsyncId: non-zero and unique on this connection ([MS-SMB2] 3.3.4.2).</summary>
    public ulong NewAsyncId() => ++_nextAsyncId;

    /// <summary>Frames completed out of turn (final responses of async operations), sent by the owner after the
    /// response in progress.</summary>
    public Queue<byte[]> Outbox { get; } = new();

    /// <summary>
    /// Queues work to run as this connection's owner (under its gate), then sends what it queued on the outbox: how
    /// another connection's thread completes an async operation of this one (a blocking lock granted by its unlock, a
    /// change notification its write caused). Set by the owner; null for a connection without one (unit tests).
    /// </summary>
    public Action<Action<Smb2Connection>>? Post { get; set; }

    /// <summary>
    /// The gate its owner holds while processing a message or completing work: the connection's own until a 3.x
    /// NEGOTIATE with multichannel puts it in its client's group (<see cref="ClientTable"/>), whose connections then
    /// share one gate, so the sessions they share (session binding) are touched by one thread at a time.
    /// </summary>
    public SemaphoreSlim Gate { get; internal set; } = new(1, 1);

    /// <summary>Whether <see cref="ClientTable.Join"/> put this connection in its client's group.</summary>
    internal bool JoinedClient { get; set; }

    /// <summary>Set by the owner when the connection is gone: no more sends on it.</summary>
    public bool IsClosed { get; set; }

    /// <summary>Asks the owner to send the outbox soon (through <see cref="Post"/>); for frames queued from another
    /// connection's processing.</summary>
    public void WakeOwner() => Post?.Invoke(static _ => { });

    public IReadOnlyList<Smb2Session> Sessions => _sessions;
    public void AddSession(Smb2Session session) => _sessions.Add(session);
    public void RemoveSession(Smb2Session session) => _sessions.Remove(session);
}
