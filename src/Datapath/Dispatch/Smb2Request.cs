using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// One SMB2 command being handled: its bytes (header first, ending where the next compounded command starts),
/// the connection, and the session and tree connect the dispatcher resolved. Handlers set the Response* fields
/// that go into the response header.
/// </summary>
public ref struct Smb2Request
{
    public Smb2Header Header;
    public Smb2Connection Connection;
    public Smb2Session? Session;
    public TreeConnect? Tree;

    /// <summary>The FileId of the previous command in a related compound ([MS-SMB2] 3.3.5.2.7.2): a request
    /// carrying <see cref="FileId.Any"/> in a related chain means "the file the previous command opened".</summary>
    public FileId CompoundFileId;
    public bool IsRelated;

    public ulong ResponseSessionId;
    public uint ResponseTreeId;

    /// <summary>Set by SESSION_SETUP when the final response must be signed with the new session's key
    /// ([MS-SMB2] 3.3.5.5.3), even though the request was not.</summary>
    public bool ForceSignResponse;

    /// <summary>Set by handlers that leave the response unsigned even on a signed session: an anonymous or
    /// guest SESSION_SETUP, or a session that no longer exists.</summary>
    public bool SuppressSignResponse;

    /// <summary>Set by <see cref="GoAsync"/>: the handler returns STATUS_PENDING and completes the operation later.</summary>
    public AsyncOperation? Async;

    /// <summary>Set by the dispatcher when this request may be answered later without an interim response (a lone,
    /// unencrypted request: Smb2Dispatcher.Deferred.cs).</summary>
    public bool MayDefer;

    /// <summary>Set by a handler that returns <see cref="NtStatus.Pending"/> with its work still running on the core
    /// loop's ring: the response goes out when that ends, with the header the dispatcher gives it now.</summary>
    public IDeferredResponse? Deferred;

    /// <summary>Set by NEGOTIATE and SESSION_SETUP on 3.1.1: the preauth integrity hash that the response, as
    /// finally written (header included), extends ([MS-SMB2] 3.3.5.4, 3.3.5.5).</summary>
    public PreauthIntegrity? HashResponseInto;

    public readonly ReadOnlySpan<byte> Message => Header.Message;

    /// <summary>
    /// Turns this request into an async operation: the dispatcher answers it with an interim STATUS_PENDING and the
    /// handler completes it later with <see cref="AsyncResponder.Complete"/>. The handler must return
    /// <see cref="NtStatus.Pending"/>.
    /// </summary>
    public AsyncOperation GoAsync()
    {
        var op = new AsyncOperation(Connection.NewAsyncId(), Header.Command, Header.MessageId, ResponseSessionId,
            ResponseTreeId, Session, Header.IsSigned) { EncryptedBy = Connection.EncryptedBy };
        Connection.AsyncOperations.Add(op.AsyncId, op);
        Async = op;
        return op;
    }

    /// <summary>Resolves the FileId a request names, honouring the related-compound rule.</summary>
    public readonly FileId ResolveFileId(FileId requested) =>
        IsRelated && requested.Equals(FileId.Any) ? CompoundFileId : requested;
}

/// <summary>
/// A command handler: writes the response body (after the reserved header) into <paramref name="response"/>
/// and returns the status for the header. An error status with no body committed gets the ERROR response
/// body ([MS-SMB2] 2.2.2) from the dispatcher.
/// </summary>
public delegate NtStatus Smb2CommandHandler(ref Smb2Request request, ResponseBuffer response);
