using FastSmb.Datapath.Connections;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// Writes the final response of an <see cref="AsyncOperation"/> ([MS-SMB2] 3.3.4.3/3.3.4.4: async header with the
/// AsyncId, CreditResponse 0, signed like any response of its session) and queues it on the connection's outbox,
/// which its owner sends after the response it is working on. Call only on the connection's owner.
/// </summary>
public static class AsyncResponder
{
    public delegate int BodyWriter(Span<byte> body);

    public static void Complete(Smb2Connection connection, AsyncOperation op, NtStatus status, BodyWriter? writeBody)
    {
        if (op.IsCompleted) return;
        op.IsCompleted = true;
        connection.AsyncOperations.Remove(op.AsyncId);

        using var buffer = new ResponseBuffer(4096);
        buffer.BeginMessage();
        int written = writeBody is null || status.IsError() && status != NtStatus.BufferOverflow
            ? ErrorResponse.Write(buffer.GetBodySpan(16), default)
            : writeBody(buffer.GetBodySpan(64 * 1024));
        buffer.Advance(written);
        var session = op.Session;
        var encryptor = op.EncryptedBy?.Encryptor;
        // Encrypted responses are not signed: the transform's tag protects them.
        // 3.x signs with the key of the channel the response goes out on.
        var algorithm = SigningAlgorithm.AesCmac;
        var signingKey = session is null ? [] : session.SigningKeyFor(connection, out algorithm);
        bool sign = encryptor is null && signingKey.Length > 0 && (op.RequestWasSigned || session!.SigningRequired);
        Smb2Header.WriteResponse(buffer.CurrentMessage, op.Command, status, 0, 0,
            sign ? Smb2HeaderFlags.Signed : Smb2HeaderFlags.None, op.MessageId, op.TreeId, op.SessionId, op.AsyncId);
        var rest = op.RestOfChain;
        if (rest is not null)
        {
            // The requests after it in its compound follow in the same frame ([MS-SMB2] 3.3.4.1.3: 8-byte aligned).
            buffer.PadMessageTo8();
            Smb2Header.SetNextCommand(buffer.CurrentMessage, (uint)buffer.MessageLength);
        }
        if (sign) Smb2Signer.Sign(buffer.CurrentMessage, algorithm, signingKey);
        if (rest is not null)
        {
            rest(connection, status, op.CompoundFileId, buffer);
            if (connection.DisconnectRequested) return;
        }
        if (encryptor is not null) encryptor.Seal(buffer.GetTransformFrame(), op.EncryptedBy!.SessionId);
        connection.Outbox.Enqueue(buffer.CompleteFrame().ToArray());
    }

    /// <summary>CANCEL ([MS-SMB2] 3.3.5.16): the operation ends with STATUS_CANCELLED.</summary>
    public static void Cancel(Smb2Connection connection, AsyncOperation op)
    {
        if (op.IsCompleted) return;
        if (op.TryCancel is { } tryCancel && !tryCancel()) return;
        op.OnCancel?.Invoke();
        Complete(connection, op, NtStatus.Cancelled, null);
    }
}
