using FastSmb.Datapath.Connections;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Datapath.Dispatch;

/// <summary>Multichannel in the dispatcher: client groups at NEGOTIATE and the session lookup of a binding SESSION_SETUP.</summary>
public sealed partial class Smb2Dispatcher
{
    /// <summary>
    /// After a successful 3.x NEGOTIATE that offered multichannel, the connection joins its client's group (by
    /// ClientGuid) and shares its gate: a session bound to several of its connections stays single-owner.
    /// </summary>
    private NtStatus JoinClientGroup(Smb2Connection connection, NtStatus status)
    {
        if (status == NtStatus.Success && connection.ClientGuid != Guid.Empty
            && (connection.ServerCapabilities & (uint)Smb2GlobalCapabilities.MultiChannel) != 0)
            _sessions.Clients.Join(connection);
        return status;
    }

    /// <summary>
    /// The session of a SESSION_SETUP. On a connection the session is bound to, the usual checks (3.3.5.2.9). For a
    /// session of another connection — session binding (3.3.5.5.2), or a client mistake — the session is looked up
    /// in the global table ([MS-SMB2] 3.3.5.2.4: "If the request is for binding the session, the server MUST look up
    /// the session in the GlobalSessionTable") and the signature verified with Session.SigningKey, so that the
    /// handler's answer (a binding error, or STATUS_USER_SESSION_DELETED) goes back signed as Windows signs it; the
    /// handler decides the rest.
    /// </summary>
    private NtStatus ResolveSessionSetup(ref Smb2Request request, ulong sessionId)
    {
        var connection = request.Connection;
        if (!_sessions.TryGet(sessionId, out var session))
        {
            request.SuppressSignResponse = true;
            return NtStatus.UserSessionDeleted;
        }
        if (session.IsBoundTo(connection))
            return ResolveSession(ref request, Smb2Command.SessionSetup, sessionId);
        // A TRANSFORM message for a session not bound here never gets this far (TransformLayer drops the connection).
        var header = request.Header;
        var key = session.SigningKeyFor(connection, out var algorithm);
        if (!header.IsSigned || key.Length == 0)
        {
            request.SuppressSignResponse = true;
        }
        else if (!Smb2Signer.Verify(header.Message, algorithm, key))
        {
            request.SuppressSignResponse = true;
            return NtStatus.AccessDenied;
        }
        request.Session = session;
        return NtStatus.Success;
    }
}
