using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// A request answered with an interim STATUS_PENDING that completes later ([MS-SMB2] 3.3.4.2): a pipe read
/// waiting for data today; blocking locks, change notify and lease-break waits later. Lives in its connection's
/// async table from the interim response until the final one. Owned by the connection's owner: created,
/// completed and cancelled only under it.
/// </summary>
public sealed class AsyncOperation
{
    internal AsyncOperation(ulong asyncId, Smb2Command command, ulong messageId, ulong sessionId, uint treeId,
        Smb2Session? session, bool signed)
    {
        AsyncId = asyncId;
        Command = command;
        MessageId = messageId;
        SessionId = sessionId;
        TreeId = treeId;
        Session = session;
        RequestWasSigned = signed;
    }

    public ulong AsyncId { get; }
    public Smb2Command Command { get; }
    public ulong MessageId { get; }
    public ulong SessionId { get; }
    public uint TreeId { get; }
    public Smb2Session? Session { get; }
    public bool RequestWasSigned { get; }

    /// <summary>The session whose key decrypted the request, if it came encrypted: the final response goes out
    /// encrypted under it too ([MS-SMB2] 3.3.4.1.4).</summary>
    public Smb2Session? EncryptedBy { get; init; }

    /// <summary>Set by the handler that pends: undoes its registration when CANCEL arrives or the connection ends.</summary>
    public Action? OnCancel { get; set; }

    /// <summary>Set by a handler whose work may be past stopping (a file system call already running): false from it
    /// means CANCEL changes nothing and the operation completes normally later, as Windows does for an I/O request it
    /// can no longer cancel.</summary>
    public Func<bool>? TryCancel { get; set; }

    public bool IsCompleted { get; internal set; }

    /// <summary>The FileId the operation ended up naming (a CREATE's new open): what the related requests after
    /// it in its compound inherit ([MS-SMB2] 3.3.5.2.7.2). Set by the handler before it completes.</summary>
    public FileId CompoundFileId { get; set; }

    /// <summary>The rest of the compound this operation was in the middle of (Smb2Dispatcher.Compound.cs): run
    /// into the frame of its final response, after it.</summary>
    internal ChainContinuation? RestOfChain { get; set; }
}

/// <summary>Answers the requests that followed an async CREATE in its compound, appending their responses to
/// <paramref name="response"/> once the CREATE ended with <paramref name="status"/>.</summary>
internal delegate void ChainContinuation(Smb2Connection connection, NtStatus status, FileId fileId,
    ResponseBuffer response);
