using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Identity;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files.Oplocks;

/// <summary>
/// A CREATE (or a rename or delete SET_INFO) that has to wait for oplock or lease breaks ([MS-SMB2] 3.3.5.9: the
/// server waits for the oplock break acknowledgment): it goes async (interim STATUS_PENDING) and, when the FSA
/// says the breaks are over, runs again from the start as its connection's owner and completes with that outcome —
/// as Samba retries a deferred open. Built cheaply; the request bytes are kept only once it waits. Owned by its
/// connection's owner, except <see cref="Wake"/>, which any thread may call.
/// </summary>
internal sealed class PendingRequest(Smb2Connection connection, Smb2Session session, TreeConnect tree,
    PendingRequest.Handler handler)
{
    public delegate NtStatus Handler(ref Smb2Request request, ResponseBuffer response, PendingRequest pending);

    private byte[]? _message;
    private AsyncOperation? _operation;
    private bool _related;
    private FileId _compoundFileId;

    /// <summary>
    /// Called by the FSA when the breaks are over: posts the retry to the owner. When the channel the request came
    /// on is gone but its session lives on another ([MS-SMB2] 3.3.7.1), the request still completes, there, with
    /// no response to send: its open is the session's, which a replay of a DH2Q CREATE on the other channel then
    /// finds, as on Windows (smb2.replay.dhv2-pending2*-windows).
    /// </summary>
    public void Wake()
    {
        var target = connection.IsClosed ? session.AnyLiveConnection() : connection;
        target?.Post?.Invoke(Resume);
    }

    /// <summary>The request is a replay the CREATE handler took for a new request (its original waited on a sharing
    /// violation): it stays one when it runs again.</summary>
    public bool NotAReplay { get; set; }

    /// <summary>The first time the CREATE must wait: go async and keep the request for the retry.</summary>
    public NtStatus Park(ref Smb2Request request)
    {
        if (_operation is not null) return NtStatus.Pending; // a retry that waits again keeps its operation
        _message = request.Message.ToArray();
        // A related request's FileId.Any still means the previous request's open when it runs again.
        (_related, _compoundFileId) = (request.IsRelated, request.CompoundFileId);
        _operation = request.GoAsync();
        return NtStatus.Pending;
    }

    public bool IsRetry => _operation is not null;

    /// <summary>The async operation of a CREATE that waited (its final response may still wait for a commit).</summary>
    public AsyncOperation? Operation => _operation;

    private void Resume(Smb2Connection c)
    {
        var op = _operation;
        if (op is null || op.IsCompleted || _message is null) return;
        if (session.State != SessionState.Valid || !session.TryGetTree(tree.TreeId, out var current) || current != tree)
        {
            if (connection.IsClosed) op.IsCompleted = true;
            else AsyncResponder.Complete(c, op, NtStatus.NetworkNameDeleted, null);
            return;
        }
        Smb2Header.TryParse(_message, out var header);
        var request = new Smb2Request
        {
            Header = header,
            Connection = c,
            Session = session,
            Tree = tree,
            ResponseSessionId = op.SessionId,
            ResponseTreeId = op.TreeId,
            IsRelated = _related,
            CompoundFileId = _compoundFileId,
        };
        using var response = new ResponseBuffer(4096);
        response.BeginMessage();
        NtStatus status;
        using (IdentityScope.Enter(tree.UnixIdentity))
            status = handler(ref request, response, this);
        if (status == NtStatus.Pending) return; // another break to wait for
        if (connection.IsClosed)
        {
            op.IsCompleted = true; // its channel is gone: the outcome stays with the session, unanswered
            return;
        }
        int bodyLength = response.BodyLength;
        op.CompoundFileId = request.CompoundFileId;
        AsyncResponder.Complete(c, op, status, body =>
        {
            response.CurrentMessage.Slice(Smb2Header.Size, bodyLength).CopyTo(body);
            return bodyLength;
        });
    }
}
