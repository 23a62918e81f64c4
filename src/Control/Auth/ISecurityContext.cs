using FastSmb.Protocol;

namespace FastSmb.Control.Auth;

/// <summary>Who a completed SESSION_SETUP authenticated.</summary>
public sealed record AuthenticatedIdentity(string UserName, string Domain, bool IsGuest, bool IsAnonymous);

/// <summary>
/// The server side of one GSS-API/SPNEGO exchange (one SESSION_SETUP sequence, [MS-SMB2] 3.3.5.5.3).
/// Created per exchange by <see cref="ISecurityContextFactory"/>; owned by the connection's thread.
/// </summary>
public interface ISecurityContext
{
    /// <summary>
    /// Consumes one security buffer from the client. Returns STATUS_MORE_PROCESSING_REQUIRED with a token to
    /// send back, STATUS_SUCCESS (possibly with a final token, e.g. SPNEGO accept-completed with mechListMIC),
    /// or an error (STATUS_LOGON_FAILURE for a wrong user or password, STATUS_INVALID_PARAMETER for a
    /// malformed token). Never throws on bad input.
    /// </summary>
    NtStatus Accept(ReadOnlySpan<byte> inputToken, out byte[]? outputToken);

    /// <summary>Set once <see cref="Accept"/> returned STATUS_SUCCESS.</summary>
    AuthenticatedIdentity? Identity { get; }

    /// <summary>
    /// The exported session key (16 bytes for NTLMSSP) once authenticated; empty for anonymous logons.
    /// SMB2 derives its signing/encryption keys from it ([MS-SMB2] 3.3.5.5.3).
    /// </summary>
    ReadOnlySpan<byte> SessionKey { get; }
}

/// <summary>Makes security contexts and provides the SPNEGO hint for the NEGOTIATE response.</summary>
public interface ISecurityContextFactory
{
    ISecurityContext Create();

    /// <summary>The GSS-API NegTokenInit2 sent in the NEGOTIATE response's security buffer ([MS-SPNG] 3.2.5.2).</summary>
    ReadOnlySpan<byte> NegotiateHint { get; }
}
