using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// SMB 3.x encryption at the edge of the dispatcher: opens an incoming TRANSFORM message ([MS-SMB2] 3.3.5.2.1.1)
/// before the chain is processed, and seals the finished response frame with the same session's key
/// ([MS-SMB2] 3.3.4.1.4) after. Stateless; the plaintext of a request lives in a per-thread scratch buffer for the
/// duration of one synchronous <see cref="Smb2Dispatcher.Process"/> call, so opening allocates nothing in the
/// steady state.
/// </summary>
public static class TransformLayer
{
    [ThreadStatic] private static byte[]? t_plaintext;

    /// <summary>
    /// Decrypts a transform message. On success <paramref name="plaintext"/> is the SMB2 message (or chain) and
    /// <see cref="Smb2Connection.EncryptedBy"/> the session that sent it; on failure the connection is marked for
    /// disconnect, as 3.3.5.2.1.1 requires for every error here (no response is sent).
    /// </summary>
    public static bool TryOpen(Smb2Connection connection, SessionRegistry sessions, ReadOnlySpan<byte> message,
        out ReadOnlySpan<byte> plaintext)
    {
        plaintext = default;
        if (!connection.Dialect.IsSmb3())
            return Fail(connection, "TRANSFORM message before an SMB 3.x dialect was negotiated");
        if (!TransformHeader.TryParse(message, out var header))
            return Fail(connection, "malformed TRANSFORM header");
        // "If the SessionId ... is not found, the server MUST disconnect"; so for a session not bound to this
        // connection (a binding SESSION_SETUP comes signed, not encrypted).
        if (!sessions.TryGet(header.SessionId, out var session) || !session.IsBoundTo(connection)
            || session.Decryptor is null)
            return Fail(connection, "TRANSFORM message for an unknown session or one without keys");

        int size = header.EncryptedMessage.Length;
        var scratch = t_plaintext;
        if (scratch is null || scratch.Length < size)
            t_plaintext = scratch = new byte[Math.Max(size, 64 * 1024)];
        var output = scratch.AsSpan(0, size);
        if (!session.Decryptor.TryOpen(header, output))
            return Fail(connection, "TRANSFORM message failed to decrypt");
        // A decrypted message must be SMB2 (compressed payloads are not negotiated) and name the same session.
        if (!Smb2Header.TryParse(output, out var first) || first.SessionId != header.SessionId)
            return Fail(connection, "decrypted TRANSFORM payload is not an SMB2 message of its session");
        connection.EncryptedBy = session;
        plaintext = output;
        return true;
    }

    /// <summary>Encrypts the response frame in place when the request came encrypted.</summary>
    public static void SealIfEncrypted(Smb2Connection connection, ResponseBuffer response)
    {
        var session = connection.EncryptedBy;
        connection.EncryptedBy = null;
        if (session?.Encryptor is null || response.IsEmpty) return;
        session.Encryptor.Seal(response.GetTransformFrame(), session.SessionId);
    }

    private static bool Fail(Smb2Connection connection, string reason)
    {
        connection.RequestDisconnect(reason);
        return false;
    }
}
