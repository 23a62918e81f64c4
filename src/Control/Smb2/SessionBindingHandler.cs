using FastSmb.Control.Auth;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Control.Smb2;

/// <summary>
/// [MS-SMB2] 3.3.5.5.2 session binding: a SESSION_SETUP with SMB2_SESSION_FLAG_BINDING makes this connection another
/// channel of an existing session. The checks run in the order Windows and Samba answer them (smbtorture's
/// smb2.session.bind_negative_* pin the statuses), then a new authentication runs on the channel; when it succeeds as
/// the session's user, the channel gets its own signing key from that authentication's session key (3.3.5.5.3;
/// 3.1.1: with the binding exchange's preauth hash) and shares the session's encryption keys, tree connects and
/// opens. A failed binding leaves the session as it was. Stateless (the exchange lives on the channel); thread-safe.
/// </summary>
public sealed class SessionBindingHandler(ISecurityContextFactory security, IControlLog log)
{
    /// <summary>Channels per session, as Windows Server 2012 R2 and later.</summary>
    public const int MaxChannels = 32;

    public NtStatus Handle(ref Smb2Request request, in SessionSetupRequest setup, ResponseBuffer response)
    {
        var connection = request.Connection;
        var session = request.Session;
        // Samba answers a binding without a session id as a malformed request; there is nothing to bind to.
        if (request.Header.SessionId == 0 || session is null) return NtStatus.InvalidParameter;

        // 3.1.1: a channel must sign as the session does. Windows answers a session on AES-GMAC over a connection
        // that chose another algorithm with REQUEST_OUT_OF_SEQUENCE, and a GMAC connection for a non-GMAC session
        // with NOT_SUPPORTED.
        var primary = session.Connection;
        if (session.SigningAlgorithm == SigningAlgorithm.AesGmac && SigningOf(connection) != SigningAlgorithm.AesGmac)
            return NtStatus.RequestOutOfSequence;
        if (SigningOf(connection) == SigningAlgorithm.AesGmac && session.SigningAlgorithm != SigningAlgorithm.AesGmac)
            return NtStatus.NotSupported;
        // "If Connection.Dialect belongs to the SMB 3.x dialect family, IsMultiChannelCapable is TRUE, and the
        // SMB2_SESSION_FLAG_BINDING bit is set": otherwise the binding is not accepted.
        if (!connection.Dialect.IsSmb3() || (connection.ServerCapabilities & (uint)Smb2GlobalCapabilities.MultiChannel) == 0)
            return NtStatus.RequestNotAccepted;
        // "If the SMB2_FLAGS_SIGNED bit is not set in the Flags field in the header, the server MUST fail the request
        // with error STATUS_INVALID_PARAMETER."
        if (!request.Header.IsSigned) return NtStatus.InvalidParameter;
        // "If Connection.Dialect is not the same as Session.Connection.Dialect, ... STATUS_INVALID_PARAMETER"; the
        // cipher must match too (the channel shares the session's keys).
        if (connection.Dialect != primary.Dialect || connection.CipherId != primary.CipherId)
            return NtStatus.InvalidParameter;
        // Another client (another ClientGuid) cannot bind: its connections are another owner's ("MAY fail";
        // Samba answers REQUEST_NOT_ACCEPTED rather than USER_SESSION_DELETED, which would make the client start over).
        if (connection.Gate != primary.Gate) return NtStatus.RequestNotAccepted;
        // "If Session.State is InProgress, ... STATUS_REQUEST_NOT_ACCEPTED"; "If Session.State is Expired, ...
        // STATUS_NETWORK_SESSION_EXPIRED".
        if (session.State == SessionState.InProgress) return NtStatus.RequestNotAccepted;
        if (session.State == SessionState.Expired || session.IsExpired(DateTime.UtcNow)) return NtStatus.NetworkSessionExpired;

        var channel = session.FindChannel(connection);
        if (channel is { IsBound: true }) return NtStatus.RequestNotAccepted; // already a channel of this session
        if (channel is null)
        {
            // "If Session.IsAnonymous or Session.IsGuest is TRUE, ... STATUS_NOT_SUPPORTED": no key to sign with.
            if (session.IsAnonymous || session.IsGuest) return NtStatus.NotSupported;
            // Windows Server binds at most 32 channels to a session and refuses the 33rd (smb2.multichannel.num_channels).
            if (session.Channels.Count >= MaxChannels) return NtStatus.InsufficientResources;
            channel = session.AddChannel(connection);
            connection.AddSession(session);
            // 3.1.1: the binding's own hash, from the binding connection's (Connection.PreauthSessionTable).
            if (connection.Dialect == Smb2Dialect.Smb311) channel.PreauthIntegrity.CopyFrom(connection.PreauthIntegrity);
        }
        bool preauth = connection.Dialect == Smb2Dialect.Smb311;
        if (preauth) channel.PreauthIntegrity.Update(request.Message);

        // The exchange lives on the channel between legs; the interim response is signed with Session.SigningKey
        // (the dispatcher's choice while the channel has no key) and extends the binding's hash.
        var pending = channel.PendingAuthentication;
        var status = GssLeg.Step(security, ref pending, setup.SecurityBuffer, ref request, response, signInterim: true,
            preauth ? channel.PreauthIntegrity : null, out var context, out var token);
        channel.PendingAuthentication = pending;
        if (status == NtStatus.MoreProcessingRequired) return status;
        if (status != NtStatus.Success || context.Identity is null)
        {
            Abandon(session, connection);
            log.LogonFailed(connection.ClientAddress, status);
            return status == NtStatus.Success ? NtStatus.LogonFailure : status;
        }
        var identity = context.Identity;
        if (identity.IsAnonymous || identity.IsGuest
            || !string.Equals(identity.UserName, session.UserName, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(identity.Domain, session.Domain, StringComparison.OrdinalIgnoreCase))
        {
            // 3.3.5.5.3: the binding must authenticate the session's own user; a different (or guest) one is denied
            // and the connection may try again.
            Abandon(session, connection);
            return NtStatus.AccessDenied;
        }

        // 3.3.5.5.3: Channel.SigningKey from this authentication's session key (3.1.1: over the binding's hash, with
        // the algorithm of this connection); the session's own keys, encryption included, stay as they are.
        var keys = Smb2SessionKeys.Derive(connection.Dialect, context.SessionKey, channel.PreauthIntegrity.Value,
            connection.SigningAlgorithmId, Smb2CipherId.None);
        channel.SigningAlgorithm = keys.SigningAlgorithm;
        channel.SigningKey = keys.SigningKey;
        // The final response is signed with the new channel's key, so the client can trust the binding.
        request.ForceSignResponse = true;
        log.LogonSucceeded(connection.ClientAddress, session.UserName, connection.Dialect);
        GssLeg.WriteResponse(response, 0, token);
        return NtStatus.Success;
    }

    /// <summary>The algorithm a 3.x connection signs with: 3.1.1's negotiated one, AES-CMAC for 3.0/3.0.2.</summary>
    private static SigningAlgorithm SigningOf(Datapath.Connections.Smb2Connection connection) =>
        connection.Dialect == Smb2Dialect.Smb311 ? connection.SigningAlgorithmId
        : connection.Dialect.IsSmb3() ? SigningAlgorithm.AesCmac : SigningAlgorithm.HmacSha256;

    private static void Abandon(Smb2Session session, Datapath.Connections.Smb2Connection connection)
    {
        session.RemoveChannel(connection);
        connection.RemoveSession(session);
    }
}
