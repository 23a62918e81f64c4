using FastSmb.Control.Auth;
using FastSmb.Control.Config;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Control.Smb2;

/// <summary>
/// [MS-SMB2] 3.3.5.5 SESSION_SETUP and 3.3.5.6 LOGOFF: runs the SPNEGO exchange across legs, creates the
/// session, derives its signing key, decides whether it must sign, and gives it the user's Unix identity
/// (<see cref="Identity.UnixIdentityResolver"/>, when the server switches identities). Stateless; the exchange in progress is
/// kept on the session. Thread-safe.
/// </summary>
public sealed class SessionSetupHandler(GlobalConfig config, ISecurityContextFactory security, SessionRegistry sessions,
    IControlLog log, TimeSpan? sessionLifetime = null, Identity.UnixIdentityResolver? identities = null)
{
    private readonly SessionBindingHandler _binding = new(security, log);

    public NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!SessionSetupRequest.TryParse(request.Message, out var setup)) return NtStatus.InvalidParameter;
        var connection = request.Connection;

        var session = request.Session;
        // [MS-SMB2] 3.3.5.5.2: binding this connection to a session as a new channel (SessionBindingHandler).
        if (setup.IsBinding) return _binding.Handle(ref request, setup, response);
        // Without the binding flag, a session of another connection is not this connection's to continue.
        if (session is not null && !session.IsBoundTo(connection)) return NtStatus.UserSessionDeleted;
        if (session is null)
        {
            session = sessions.Create(connection);
            connection.AddSession(session);
            request.Session = session;
            // [MS-SMB2] 3.3.5.5.1: a new 3.1.1 session's hash starts from the connection's.
            if (connection.Dialect == Smb2Dialect.Smb311) session.PreauthIntegrity.CopyFrom(connection.PreauthIntegrity);
        }
        request.ResponseSessionId = session.SessionId;
        // 3.3.5.5.3: every SESSION_SETUP request of the exchange extends the session's hash, as received.
        bool preauth = connection.Dialect == Smb2Dialect.Smb311 && session.State == SessionState.InProgress;
        if (preauth) session.PreauthIntegrity.Update(request.Message);

        // The exchange lives on the session between legs; interim responses are not signed (no key yet).
        var pending = session.PendingAuthentication;
        var status = GssLeg.Step(security, ref pending, setup.SecurityBuffer, ref request, response, signInterim: false,
            preauth ? session.PreauthIntegrity : null, out var context, out var token);
        session.PendingAuthentication = pending;
        if (status == NtStatus.MoreProcessingRequired) return status;
        if (status != NtStatus.Success || context.Identity is null)
        {
            log.LogonFailed(connection.ClientAddress, status);
            Expire(session, connection);
            request.SuppressSignResponse = true;
            return status == NtStatus.Success ? NtStatus.LogonFailure : status;
        }

        var identity = context.Identity;
        bool reauth = session.State == SessionState.Valid;
        if (reauth && !string.Equals(identity.UserName, session.UserName, StringComparison.OrdinalIgnoreCase))
        {
            // [MS-SMB2] 3.3.5.5.3: re-authentication must keep the same security principal.
            Expire(session, connection);
            request.SuppressSignResponse = true;
            return NtStatus.AccessDenied;
        }
        session.UserName = identity.UserName;
        session.Domain = identity.Domain;
        session.IsAnonymous = identity.IsAnonymous;
        session.IsGuest = identity.IsGuest;
        // The Unix credentials of the user's file calls, decided once per logon; null (no Unix identity) is refused
        // at TREE_CONNECT to a disk share, where the reason is logged.
        session.UnixIdentity = identities is not null
            && identities.TryResolve(identity.UserName, identity.IsAnonymous || identity.IsGuest, out var unix, out _)
            ? unix : null;
        ushort sessionFlags = 0;
        bool encryptionRequired = config.ServerEncryption == EncryptionPolicy.Required;
        if (encryptionRequired && !reauth
            && (identity.IsAnonymous || identity.IsGuest || connection.CipherId == Smb2CipherId.None))
        {
            // [MS-SMB2] 3.3.5.5.3: with global encryption required, a client that cannot encrypt (2.x, no common
            // cipher) and a session without a key (anonymous, guest) are refused.
            Expire(session, connection);
            request.SuppressSignResponse = true;
            return NtStatus.AccessDenied;
        }
        if (identity.IsAnonymous || identity.IsGuest)
        {
            // No key to sign with: anonymous and guest sessions are never signed ([MS-SMB2] 3.3.5.5.3).
            sessionFlags = (ushort)(identity.IsAnonymous ? Smb2SessionFlags.IsNull : Smb2SessionFlags.IsGuest);
            session.SessionKey = [];
            session.SigningKey = [];
            session.SigningRequired = false;
            request.SuppressSignResponse = true;
        }
        else if (reauth)
        {
            // Re-authentication keeps the session's keys ([MS-SMB2] 3.3.5.5.3); 3.x signs the final response with
            // them so the client can trust the exchange.
            request.ForceSignResponse = connection.Dialect.IsSmb3() || session.SigningRequired;
        }
        else
        {
            DeriveKeys(session, context.SessionKey, connection);
            if (session.Encryptor is not null && config.ServerEncryption is EncryptionPolicy.Required or EncryptionPolicy.Desired)
            {
                // SMB2_SESSION_FLAG_ENCRYPT_DATA asks the client to encrypt everything on the session; only
                // "required" refuses plain text afterwards (RejectUnencryptedAccess).
                sessionFlags |= (ushort)Smb2SessionFlags.EncryptData;
                session.EncryptData = encryptionRequired;
            }
            session.SigningRequired = config.ServerSigning == SigningPolicy.Mandatory
                || (setup.SecurityMode & Smb2SecurityMode.SigningRequired) != 0;
            // 3.x signs the final response so the client can trust the whole exchange; 2.x does when signing is required.
            request.ForceSignResponse = connection.Dialect.IsSmb3() || session.SigningRequired;
        }
        session.State = SessionState.Valid;
        session.ExpiresAt = DateTime.UtcNow + sessionLifetime;
        if (!reauth && setup.PreviousSessionId != 0 && setup.PreviousSessionId != session.SessionId)
            ExpirePrevious(setup.PreviousSessionId, session, connection);
        log.LogonSucceeded(connection.ClientAddress, session.UserName, connection.Dialect);
        GssLeg.WriteResponse(response, sessionFlags, token);
        return NtStatus.Success;
    }

    public NtStatus HandleLogoff(ref Smb2Request request, ResponseBuffer response)
    {
        var session = request.Session!;
        // The response is still signed with the session's key: the dispatcher holds the session object.
        Expire(session, request.Connection);
        response.Advance(LogoffResponse.Write(response.GetBodySpan(4)));
        return NtStatus.Success;
    }

    /// <summary>
    /// [MS-SMB2] 3.3.5.5.3: a client reconnecting names its previous session; once the new one is authenticated, a
    /// previous session of the same user ends as if logged off (its tree connects and opens close, a pending
    /// CHANGE_NOTIFY completes with STATUS_NOTIFY_CLEANUP). A session of another user, or none, is left alone, as
    /// Samba does. The session leaves the registry at once, so its requests get STATUS_USER_SESSION_DELETED from
    /// here on; the rest runs on its connection's owner (Smb2Connection.Post), never by waiting on another gate.
    /// </summary>
    private void ExpirePrevious(ulong previousSessionId, Smb2Session session, Datapath.Connections.Smb2Connection connection)
    {
        if (!sessions.TryGet(previousSessionId, out var previous) || previous.State != SessionState.Valid) return;
        if (session.IsAnonymous || session.IsGuest || previous.IsAnonymous || previous.IsGuest
            || !string.Equals(previous.UserName, session.UserName, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(previous.Domain, session.Domain, StringComparison.OrdinalIgnoreCase))
            return;
        sessions.Remove(previous);
        var owner = previous.Connection;
        if (owner.IsClosed)
        {
            // The creating connection is gone; another channel's owner holds the session now.
            foreach (var channel in previous.Channels)
                if (!channel.Connection.IsClosed) { owner = channel.Connection; break; }
        }
        if (owner.Gate == connection.Gate)
            Expire(previous, owner); // this connection, or a channel sharing its gate: already ours
        else
            owner.Post?.Invoke(c => Expire(previous, c));
    }

    private void Expire(Smb2Session session, Datapath.Connections.Smb2Connection connection)
    {
        if (session.State == SessionState.Expired) return;
        // Durable opens outlive the session, disconnected, for a reconnect from a new one (as Samba and Windows:
        // smb2.durable-open.reopen4 after LOGOFF, reopen1a/reopen2a after PreviousSessionId).
        session.DisconnectAll();
        sessions.Remove(session);
        connection.RemoveSession(session);
        // LOGOFF on one channel ends the session on all of them ([MS-SMB2] 3.3.5.6).
        foreach (var channel in session.Channels) channel.Connection.RemoveSession(session);
        session.State = SessionState.Expired;
    }

    /// <summary>[MS-SMB2] 3.3.5.5.3: Session.SessionKey, the signing key and, when a cipher was negotiated, the
    /// encryption (server to client) and decryption (client to server) keys.</summary>
    internal static void DeriveKeys(Smb2Session session, ReadOnlySpan<byte> gssKey, Datapath.Connections.Smb2Connection connection)
    {
        var keys = Smb2SessionKeys.Derive(connection.Dialect, gssKey, session.PreauthIntegrity.Value,
            connection.SigningAlgorithmId, connection.CipherId);
        session.SessionKey = keys.SessionKey;
        session.SigningKey = keys.SigningKey;
        session.SigningAlgorithm = keys.SigningAlgorithm;
        // The server encrypts what goes to the client and decrypts what comes from it.
        if (keys.ServerToClientKey is not null && keys.ClientToServerKey is not null)
            session.SetCiphers(new Smb2TransformCipher(connection.CipherId, keys.ServerToClientKey),
                new Smb2TransformCipher(connection.CipherId, keys.ClientToServerKey));
    }
}
