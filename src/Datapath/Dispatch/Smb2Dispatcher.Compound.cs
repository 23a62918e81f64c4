using FastSmb.Datapath.Connections;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// Compound rules beyond the plain walk of a chain ([MS-SMB2] 3.3.5.2.7): what an unrelated request resets, the
/// answer to a related request whose inherited session is gone, and requests that go async inside a chain.
/// </summary>
public sealed partial class Smb2Dispatcher
{
    /// <summary>
    /// An unrelated request starts a new related chain ([MS-SMB2] 3.3.5.2.7.2): the file of an earlier request is
    /// no longer "the previous operation's", and an earlier CREATE's failure no longer propagates. Windows and Samba
    /// answer a related FileId of all ones after an unrelated request that found no open with STATUS_FILE_CLOSED
    /// (smbtorture smb2.compound.invalid3).
    /// </summary>
    private static void StartUnrelated(ref CompoundState previous)
    {
        previous.FileId = default;
        previous.CreateError = NtStatus.Success;
    }

    /// <summary>
    /// A related request inherits the previous request's SessionId ([MS-SMB2] 3.3.5.2.7.2); when that session is
    /// not found, Windows and Samba answer STATUS_INVALID_PARAMETER rather than STATUS_USER_SESSION_DELETED
    /// (smbtorture smb2.compound.invalid2). An expired session still says so.
    /// </summary>
    private static NtStatus RelatedSessionError(in Smb2Request request, NtStatus status) =>
        request.IsRelated && status == NtStatus.UserSessionDeleted ? NtStatus.InvalidParameter : status;

    /// <summary>
    /// The requests that may wait in the middle of a chain: those that wait for oplock or lease breaks
    /// (Handlers/Files/Oplocks/PendingRequest) — a CREATE ([MS-SMB2] 3.3.5.2.7 and its note: Windows lets only a
    /// CREATE that breaks oplocks go async there; Samba 4.17 likewise), and a rename or delete SET_INFO, which newer
    /// Samba also completes before the rest of its chain (smbtorture smb2.compound_async.rename_middle): failing it
    /// would break the CREATE + rename + CLOSE compounds Windows clients send.
    /// </summary>
    private static bool MayWaitInChain(Smb2Command command) => command is Smb2Command.Create or Smb2Command.SetInfo;

    /// <summary>
    /// A request that would go async before the last request of its chain (other than <see cref="MayWaitInChain"/>): Windows answers it
    /// STATUS_INTERNAL_ERROR and goes on with the chain ([MS-SMB2] 3.3.5.2.7 and its note on Windows behaviour;
    /// smbtorture smb2.compound.interim2), as Samba does. The operation is withdrawn without a response of its own.
    /// </summary>
    private static NtStatus RefuseAsyncInChain(Smb2Connection connection, AsyncOperation op, ResponseBuffer response)
    {
        op.OnCancel?.Invoke();
        op.IsCompleted = true;
        connection.AsyncOperations.Remove(op.AsyncId);
        response.DiscardBody();
        return NtStatus.InternalError;
    }

    /// <summary>
    /// Whether the rest of a chain that is kept for later has a header wherever NextCommand points, with the same
    /// checks <see cref="ProcessChain"/> makes as it walks a chain: a malformed one drops the connection now, while
    /// the message is being processed, rather than when the kept rest runs.
    /// </summary>
    private static bool IsWellFormedChain(ReadOnlySpan<byte> chain)
    {
        while (true)
        {
            if (!Smb2Header.TryParse(chain, out var header)) return false;
            uint next = header.NextCommand;
            if (next == 0) return true;
            if (next < Smb2Header.Size || (next & 7) != 0 || next >= (uint)chain.Length) return false;
            chain = chain[(int)next..];
        }
    }

    /// <summary>
    /// A CREATE (or SET_INFO) in the middle of a chain waits for oplock or lease breaks: the frame being built ends with its
    /// interim response, and the requests after it are kept and answered when it completes, in the frame of its
    /// final response — as Samba splits such a chain. The requests that follow thus see the FileId it opened (or
    /// its error, if they are related), and the connection goes on serving other requests meanwhile.
    /// </summary>
    private void ContinueChainAfter(AsyncOperation parked, ReadOnlySpan<byte> rest, CompoundState state)
    {
        var message = rest.ToArray();
        var encryptedBy = parked.EncryptedBy;
        parked.RestOfChain = (connection, status, fileId, response) =>
        {
            var previous = state;
            if (status.IsError()) previous.CreateError = status;
            else if (fileId != default) previous.FileId = fileId;
            if (!Smb2Header.TryParse(message, out var first))
            {
                connection.RequestDisconnect("malformed compounded header");
                return;
            }
            // The rest came in the same (possibly encrypted) message as the CREATE: checked and answered so.
            var saved = connection.EncryptedBy;
            connection.EncryptedBy = encryptedBy;
            try
            {
                ProcessChain(connection, first, ref previous, response);
            }
            finally
            {
                connection.EncryptedBy = saved;
            }
        };
    }
}
