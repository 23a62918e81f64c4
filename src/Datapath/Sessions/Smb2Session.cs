using FastSmb.Datapath.Connections;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Datapath.Sessions;

public enum SessionState { InProgress, Valid, Expired }

/// <summary>
/// [MS-SMB2] 3.3.1.8 Per Session. Created by SESSION_SETUP (control plane), used by the data path to check
/// signatures and find tree connects. Reached from every connection it has a channel on (Smb2Session.Channels.cs);
/// all of them share one gate (<see cref="Smb2Connection.Gate"/>, by ClientGuid), so one thread at a time mutates it.
/// </summary>
public sealed partial class Smb2Session(ulong sessionId, Smb2Connection connection)
{
    private readonly Dictionary<uint, TreeConnect> _trees = new();
    private uint _nextTreeId = 1;

    public ulong SessionId { get; } = sessionId;
    /// <summary>[MS-SMB2] 3.3.1.8 Session.Connection: the connection that created the session (its dialect and cipher
    /// are the session's). It may be gone while other channels live on.</summary>
    public Smb2Connection Connection { get; } = connection;
    public SessionState State { get; set; } = SessionState.InProgress;

    /// <summary>[MS-SMB2] 3.3.1.8 Session.ExpirationTime (UTC); null for never. Re-authentication renews it.</summary>
    public DateTime? ExpiresAt { get; set; }

    public bool IsExpired(DateTime utcNow) => ExpiresAt is { } at && utcNow >= at;

    /// <summary>The security exchange in progress (the control plane's ISecurityContext), kept between legs.</summary>
    public object? PendingAuthentication { get; set; }

    public string UserName { get; set; } = "";
    public string Domain { get; set; } = "";
    public bool IsAnonymous { get; set; }
    public bool IsGuest { get; set; }

    /// <summary>The Unix credentials the user's file calls run with, set by the control plane at logon; null when
    /// the user has none (a disk share then refuses the TREE_CONNECT, unless the server cannot switch at all).</summary>
    public Identity.UnixIdentity? UnixIdentity { get; set; }

    /// <summary>The first 16 bytes of the GSS session key ([MS-SMB2] 3.3.5.5.3 Session.SessionKey).</summary>
    public byte[] SessionKey { get; set; } = [];

    /// <summary>Empty until the session is valid and the dialect has a signing key.</summary>
    public byte[] SigningKey { get; set; } = [];
    public SigningAlgorithm SigningAlgorithm { get; set; }

    /// <summary>[MS-SMB2] 3.3.1.8 Session.SigningRequired: every request must be signed, every response is.</summary>
    public bool SigningRequired { get; set; }

    /// <summary>3.1.1: the hash over this session's SESSION_SETUP exchange, seeded from the connection's
    /// ([MS-SMB2] 3.3.1.8 Session.PreauthIntegrityHashValue); the context of its key derivations.</summary>
    public PreauthIntegrity PreauthIntegrity { get; } = new();

    /// <summary>Encrypts what the server sends (Session.EncryptionKey); null when the session has no cipher.</summary>
    public Smb2TransformCipher? Encryptor { get; private set; }

    /// <summary>Decrypts what the client sends (Session.DecryptionKey).</summary>
    public Smb2TransformCipher? Decryptor { get; private set; }

    /// <summary>[MS-SMB2] 3.3.1.8 Session.EncryptData: every request on the session must arrive encrypted.</summary>
    public bool EncryptData { get; set; }

    public void SetCiphers(Smb2TransformCipher encryptor, Smb2TransformCipher decryptor)
    {
        DisposeCiphers();
        Encryptor = encryptor;
        Decryptor = decryptor;
    }

    public void DisposeCiphers()
    {
        Encryptor?.Dispose();
        Decryptor?.Dispose();
        Encryptor = null;
        Decryptor = null;
    }

    public IReadOnlyCollection<TreeConnect> Trees => _trees.Values;

    public TreeConnect AddTree(string shareName, bool isPipe, object share)
    {
        uint id = _nextTreeId++;
        var tree = new TreeConnect(id, this, shareName, isPipe, share);
        _trees.Add(id, tree);
        return tree;
    }

    public bool TryGetTree(uint treeId, out TreeConnect tree) => _trees.TryGetValue(treeId, out tree!);

    public bool RemoveTree(uint treeId, out TreeConnect tree) => _trees.Remove(treeId, out tree!);

    /// <summary>Closes every tree connect (and its opens); LOGOFF and disconnect call it, outside any request's
    /// identity. Each tree's closes run as the tree's user, as TREE_DISCONNECT's do (the dispatcher's scope): a
    /// delete-on-close or a close-time update acts with the user's rights, never the server's.</summary>
    public void CloseAll()
    {
        foreach (var tree in _trees.Values)
        {
            using (Identity.IdentityScope.Enter(tree.IsPipe ? null : tree.UnixIdentity))
                tree.CloseAll();
        }
        _trees.Clear();
    }
}

/// <summary>[MS-SMB2] 3.3.1.9 Per Tree Connect. Owned by its session's connection owner.</summary>
public sealed partial class TreeConnect(uint treeId, Smb2Session session, string shareName, bool isPipe, object share)
{
    private readonly Dictionary<ulong, Open> _opens = new();

    public uint TreeId { get; } = treeId;
    public Smb2Session Session { get; } = session;
    public string ShareName { get; } = shareName;
    public bool IsPipe { get; } = isPipe;

    /// <summary>The control plane's share object (its type is the control plane's business).</summary>
    public object Share { get; } = share;

    public uint MaximalAccess { get; set; }

    /// <summary>The share's files, for a disk share (null on IPC$). Shared with every tree connect to the share.</summary>
    public Fsa.IFsaVolume? Volume { get; set; }

    /// <summary>The share's "read only": no create, no write, no modifying access (<see cref="MaximalAccess"/>
    /// lacks the modifying rights too).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>[MS-SMB2] 3.3.1.9 TreeConnect.Share.EncryptData as granted: requests on this tree must be
    /// encrypted (set only when the connection can encrypt).</summary>
    public bool EncryptData { get; set; }

    /// <summary>What the file calls on this tree run as: the session's identity with the share's "force user" /
    /// "force group" applied at TREE_CONNECT. Null on IPC$, and where the server does not switch identities.</summary>
    public Identity.UnixIdentity? UnixIdentity { get; set; }

    /// <summary>The permission bits of files and directories created on this tree (the share's "create mask" and
    /// "directory mask" applied); null for the volume's defaults.</summary>
    public uint? FileCreateMode { get; set; }
    public uint? DirectoryCreateMode { get; set; }

    /// <summary>Who the file calls on this tree run as, for the NT ACL checks: the token of <see cref="UnixIdentity"/>
    /// (the server's own where it does not switch). Built at first use; the identity is fixed by then.</summary>
    public Fsa.Security.AccessToken AccessToken => _accessToken ??= Identity.AccessTokens.For(UnixIdentity, Session.IsAnonymous);
    private Fsa.Security.AccessToken? _accessToken;

    public void AddOpen(Open open) => _opens.Add(open.FileId.Volatile, open);
    public bool TryGetOpen(ulong volatileId, out Open open) => _opens.TryGetValue(volatileId, out open!);
    public bool RemoveOpen(ulong volatileId, out Open open) => _opens.Remove(volatileId, out open!);

    public void CloseAll()
    {
        // Opens with a lock request still waiting close last: the locks the others release may grant it first, as
        // Windows and Samba answer a blocking lock whose tree goes away.
        foreach (var open in _opens.Values) if (!open.HasPendingLocks) open.Dispose();
        foreach (var open in _opens.Values) if (open.HasPendingLocks) open.Dispose();
        _opens.Clear();
    }
}
