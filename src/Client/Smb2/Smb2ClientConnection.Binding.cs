using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Client.Smb2;

/// <summary>
/// The client's side of session binding ([MS-SMB2] 3.2.4.1.7, 3.2.5.3.3): this connection becomes another channel of
/// a session set up on <c>primary</c>. The binding exchange is signed with the session's signing key; once it
/// succeeds this connection signs with its own Channel.SigningKey and encrypts with the session's keys.
/// </summary>
public sealed partial class Smb2ClientConnection
{
    // The keys of the session set up on this connection: a channel bound later shares its cipher keys.
    private Smb2SessionKeys? _sessionKeys;
    private Smb2ClientConnection? _bindingTo;

    /// <summary>Whether this connection is a channel bound to another connection's session.</summary>
    public bool IsBoundChannel { get; private set; }

    /// <summary>Prepares a binding SESSION_SETUP: the session's id, and its key to sign the exchange with; 3.1.1 starts
    /// the binding's preauth hash from this connection's. A channel must have negotiated the session's dialect and
    /// ClientGuid; that is left to the server to check (tests send what a careless client would).</summary>
    public void BeginBinding(Smb2ClientConnection primary)
    {
        if (primary._sessionKeys is null) throw new InvalidOperationException("the primary connection has no session keys");
        _bindingTo = primary;
        SessionId = primary.SessionId;
        SigningKey = primary.SigningKey;
        SigningAlgorithm = primary.SigningAlgorithm;
        if (Dialect == Smb2Dialect.Smb311) SessionPreauth.CopyFrom(ConnectionPreauth);
    }

    /// <summary>Completes a binding: derives Channel.SigningKey from the binding's GSS key (3.2.5.3.3) and takes the
    /// session's encryption keys.</summary>
    public void CompleteBinding(ReadOnlySpan<byte> gssKey)
    {
        var primary = _bindingTo ?? throw new InvalidOperationException("no binding in progress");
        var keys = Smb2SessionKeys.Derive(Dialect, gssKey, Dialect == Smb2Dialect.Smb311 ? SessionPreauth.Value : default,
            NegotiatedSigningAlgorithm, Smb2CipherId.None);
        SigningKey = keys.SigningKey;
        SigningAlgorithm = keys.SigningAlgorithm;
        _sessionValid = true;
        IsBoundChannel = true;
        var session = primary._sessionKeys!;
        _encryptor?.Dispose();
        _decryptor?.Dispose();
        _encryptor = _decryptor = null;
        if (session.ClientToServerKey is not null && session.ServerToClientKey is not null && CipherId != Smb2CipherId.None)
        {
            _encryptor = new Smb2TransformCipher(CipherId, session.ClientToServerKey);
            _decryptor = new Smb2TransformCipher(CipherId, session.ServerToClientKey);
        }
        EncryptRequests = primary.EncryptRequests;
        SignRequests = primary.SignRequests;
        _bindingTo = null;
    }

    /// <summary>Gives up a binding that failed: the connection holds no session again.</summary>
    public void AbandonBinding()
    {
        _bindingTo = null;
        SessionId = 0;
        SigningKey = [];
    }
}
