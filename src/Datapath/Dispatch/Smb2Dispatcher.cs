using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Handlers;
using FastSmb.Datapath.Handlers.Files;
using FastSmb.Datapath.Handlers.Files.Ioctl;
using FastSmb.Datapath.Identity;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// Turns one received message into its response frame ([MS-SMB2] 3.3.5.2): SMB1 multi-protocol negotiate,
/// message-id/credit checks, the request-size table, session and signature checks, tree lookup, routing by
/// command, compounding, credit grants and response signing. Stateless itself (per-connection state is in
/// <see cref="Smb2Connection"/>), so one instance serves every connection.
/// </summary>
public sealed partial class Smb2Dispatcher
{
    private readonly Smb2CommandHandler?[] _handlers = new Smb2CommandHandler?[(int)Smb2Command.OplockBreak + 1];
    private readonly IControlPlane _control;
    private readonly SessionRegistry _sessions;

    public Smb2Dispatcher(IControlPlane control, SessionRegistry sessions)
    {
        _control = control;
        _sessions = sessions;
        _handlers[(int)Smb2Command.Negotiate] = control.Negotiate;
        _handlers[(int)Smb2Command.SessionSetup] = control.SessionSetup;
        _handlers[(int)Smb2Command.Logoff] = control.Logoff;
        _handlers[(int)Smb2Command.TreeConnect] = control.TreeConnect;
        _handlers[(int)Smb2Command.TreeDisconnect] = control.TreeDisconnect;
        _handlers[(int)Smb2Command.Echo] = EchoHandler.Handle;
        // The commands both kinds of share serve go to the pipe or the file handlers by the tree connect's type;
        // the rest are file-only (on IPC$ they find no file open and fail as Windows does).
        var pipes = new PipeHandlers(control.Pipes);
        _handlers[(int)Smb2Command.Create] = ByTreeType(pipes.Create, CreateHandler.Handle);
        _handlers[(int)Smb2Command.Close] = ByTreeType(pipes.Close, CloseHandler.Handle);
        _handlers[(int)Smb2Command.Read] = ByTreeType(pipes.Read, ReadHandler.Handle);
        _handlers[(int)Smb2Command.Write] = ByTreeType(pipes.Write, WriteHandler.Handle);
        _handlers[(int)Smb2Command.Ioctl] = ByTreeType(pipes.Ioctl, FileIoctlHandler.Handle);
        _handlers[(int)Smb2Command.Ioctl] = NetworkInterfaceInfoHandler.Before(_handlers[(int)Smb2Command.Ioctl]!, control);
        _handlers[(int)Smb2Command.Flush] = FlushHandler.Handle;
        _handlers[(int)Smb2Command.QueryDirectory] = QueryDirectoryHandler.Handle;
        _handlers[(int)Smb2Command.QueryInfo] = QueryInfoHandler.Handle;
        _handlers[(int)Smb2Command.SetInfo] = SetInfoHandler.Handle;
        _handlers[(int)Smb2Command.Lock] = LockHandler.Handle;
        _handlers[(int)Smb2Command.ChangeNotify] = ChangeNotifyHandler.Handle;
        _handlers[(int)Smb2Command.OplockBreak] = Handlers.Files.Oplocks.OplockBreakHandler.Handle;
    }

    /// <summary>The one place a request is routed by share type: IPC$ pipes, or files through the FSA.</summary>
    private static Smb2CommandHandler ByTreeType(Smb2CommandHandler pipe, Smb2CommandHandler file) =>
        (ref Smb2Request request, ResponseBuffer response) =>
            request.Tree!.IsPipe ? pipe(ref request, response) : file(ref request, response);

    public SessionRegistry Sessions => _sessions;

    /// <summary>
    /// Processes one message. Writes the response frame into <paramref name="response"/> (possibly nothing, e.g.
    /// for CANCEL), and calls <see cref="Smb2Connection.RequestDisconnect"/> when the spec says to drop the
    /// connection; then nothing is written and the owner disconnects.
    /// </summary>
    public void Process(Smb2Connection connection, ReadOnlySpan<byte> message, ResponseBuffer response)
    {
        response.Reset();
        connection.EncryptedBy = null;
        if (TransformHeader.IsTransform(message))
        {
            if (!TransformLayer.TryOpen(connection, _sessions, message, out message)) return;
        }
        else if (Smb1NegotiateRequest.IsSmb1(message))
        {
            ProcessSmb1Negotiate(connection, message, response);
            return;
        }
        if (!Smb2Header.TryParse(message, out var first))
        {
            connection.RequestDisconnect("malformed SMB2 header");
            return;
        }
        var start = new CompoundState();
        ProcessChain(connection, first, ref start, response);
        // A dropped connection gets no reply: the message being built has only a reserved, unwritten header
        // (stale bytes of a pooled buffer, possibly another connection's data), and earlier responses of its
        // chain would point with NextCommand at nothing.
        if (connection.DisconnectRequested)
        {
            response.Reset();
            return;
        }
        TransformLayer.SealIfEncrypted(connection, response);
    }

    private void ProcessSmb1Negotiate(Smb2Connection connection, ReadOnlySpan<byte> message, ResponseBuffer response)
    {
        // [MS-SMB2] 3.3.5.3.1: only the first message may be an SMB1 NEGOTIATE, and it must offer an SMB2 dialect.
        if (connection.Dialect != Smb2Dialect.None || !Smb1NegotiateRequest.TryParse(message, out var smb1)
            || !(smb1.OffersSmb2Wildcard || smb1.OffersSmb202) || !connection.Credits.TryConsume(0, 1))
        {
            connection.RequestDisconnect("unexpected SMB1 message");
            return;
        }
        response.BeginMessage();
        var status = _control.NegotiateFromSmb1(connection, smb1.OffersSmb2Wildcard, response);
        if (status.IsError())
        {
            connection.RequestDisconnect("SMB1 negotiate refused");
            response.Reset();
            return;
        }
        ushort grant = connection.Credits.Grant(1, 1);
        Smb2Header.WriteResponse(response.CurrentMessage, Smb2Command.Negotiate, status, 0, grant,
            Smb2HeaderFlags.None, 0, 0, 0);
    }

    private void ProcessChain(Smb2Connection connection, Smb2Header first, ref CompoundState previous,
        ResponseBuffer response)
    {
        ReadOnlySpan<byte> remaining = first.Message;
        while (true)
        {
            uint next = first.NextCommand;
            ReadOnlySpan<byte> command;
            bool more = next != 0;
            if (more)
            {
                // [MS-SMB2] 3.3.5.2.7: each compounded request starts on an 8-byte boundary within the message.
                if (next < Smb2Header.Size || (next & 7) != 0 || next >= (uint)remaining.Length)
                {
                    connection.RequestDisconnect("bad NextCommand");
                    return;
                }
                command = remaining[..(int)next];
            }
            else
            {
                command = remaining;
            }
            Smb2Header.TryParse(command, out var header);
            var parked = ProcessOne(connection, header, more, ref previous, response);
            if (!more || connection.DisconnectRequested) return;
            if (parked is not null)
            {
                // A CREATE waiting for breaks in the middle of the chain: the rest runs when it completes.
                if (!IsWellFormedChain(remaining[(int)next..]))
                {
                    connection.RequestDisconnect("malformed compounded header");
                    return;
                }
                ContinueChainAfter(parked, remaining[(int)next..], previous);
                return;
            }
            remaining = remaining[(int)next..];
            if (!Smb2Header.TryParse(remaining, out first))
            {
                connection.RequestDisconnect("malformed compounded header");
                return;
            }
        }
    }

    /// <summary>What a related compounded request inherits from the one before it ([MS-SMB2] 3.3.5.2.7.2).</summary>
    private struct CompoundState
    {
        public bool Any;
        public ulong SessionId;
        public uint TreeId;
        public FileId FileId;
        /// <summary>
        /// The status of a failed CREATE earlier in the related chain: the operations after it have no file to work
        /// on and fail with that same status ("the server SHOULD fail the current operation with the same error
        /// code returned by the previous operation"), as Windows and Samba do. Other failures do not propagate.
        /// </summary>
        public NtStatus CreateError;
    }

    /// <summary>Answers one request of a chain; returns the CREATE that went async in the middle of the chain
    /// (its interim ends this response frame), else null.</summary>
    private AsyncOperation? ProcessOne(Smb2Connection connection, Smb2Header header, bool more,
        ref CompoundState previous, ResponseBuffer response)
    {
        var command = header.Command;
        if (command == Smb2Command.Cancel)
        {
            // CANCEL consumes no credit and gets no response of its own ([MS-SMB2] 3.3.5.16); the request it names
            // ends with STATUS_CANCELLED.
            CancelTarget(connection, header);
            return null;
        }

        ushort charge = connection.Dialect.SupportsMultiCredit() ? header.CreditCharge : (ushort)1;
        if (!connection.Credits.TryConsume(header.MessageId, charge))
        {
            connection.RequestDisconnect($"MessageId {header.MessageId} outside the window or reused");
            return null;
        }

        var request = new Smb2Request { Header = header, Connection = connection };
        bool related = (header.Flags & Smb2HeaderFlags.RelatedOperations) != 0;
        ulong sessionId = header.SessionId;
        uint treeId = header.TreeId;
        if (!related) StartUnrelated(ref previous);
        if (related)
        {
            if (!previous.Any)
            {
                // The first request of a chain cannot be related ([MS-SMB2] 3.3.5.2.7.2).
                previous.CreateError = NtStatus.InvalidParameter;
            }
            sessionId = previous.SessionId;
            treeId = previous.TreeId;
            request.IsRelated = true;
            request.CompoundFileId = previous.FileId;
        }
        request.ResponseSessionId = sessionId;
        request.ResponseTreeId = treeId;

        response.BeginMessage();
        NtStatus status;
        if (related && previous.CreateError.IsError())
            status = previous.CreateError;
        else
            status = Route(ref request, command, sessionId, treeId, charge, response);

        if (connection.DisconnectRequested)
            return null;
        if (status == NtStatus.Pending && request.Async is { } op)
        {
            if (more && !MayWaitInChain(command))
            {
                status = RefuseAsyncInChain(connection, op, response);
            }
            else
            {
                // Only the last request of a chain, or one waiting for breaks, goes async; one in the middle ends
                // this frame with its interim (Smb2Dispatcher.Compound.cs).
                WriteInterim(connection, header, op, previous.Any || more, response);
                previous.Any = true;
                previous.SessionId = request.ResponseSessionId;
                previous.TreeId = request.ResponseTreeId;
                if (request.CompoundFileId != default) previous.FileId = request.CompoundFileId;
                return more ? op : null;
            }
        }
        // Errors, and warnings such as STATUS_NO_MORE_FILES, without a body of their own get the ERROR body.
        if (status != NtStatus.Success && response.BodyLength == 0)
            response.Advance(ErrorResponse.Write(response.GetBodySpan(16), default));

        ushort grant = connection.Credits.Grant(header.CreditRequest, charge);
        var flags = header.Flags & (Smb2HeaderFlags.RelatedOperations | Smb2HeaderFlags.PriorityMask);
        var session = request.Session;
        // [MS-SMB2] 3.3.4.1.1: a response that will be encrypted is not signed. 3.x signs with the channel's key.
        var signingAlgorithm = SigningAlgorithm.AesCmac;
        var signingKey = session is null ? [] : session.SigningKeyFor(connection, out signingAlgorithm);
        bool sign = signingKey.Length > 0 && !request.SuppressSignResponse
            && connection.EncryptedBy is null && (request.ForceSignResponse || header.IsSigned || session!.SigningRequired);
        if (sign) flags |= Smb2HeaderFlags.Signed;
        // A signed request for a session that is not (or no longer) on this connection: Windows and Samba echo the
        // signed flag on STATUS_USER_SESSION_DELETED without a signature (no key to sign with); clients that require
        // signing accept that status only so, and report ACCESS_DENIED otherwise.
        else if (status == NtStatus.UserSessionDeleted && header.IsSigned) flags |= Smb2HeaderFlags.Signed;
        Smb2Header.WriteResponse(response.CurrentMessage, command, status, charge, grant, flags, header.MessageId,
            request.ResponseTreeId, request.ResponseSessionId, processId: header.ProcessId);
        // [MS-SMB2] 3.3.4.1.3: every response of a compound is padded to 8 bytes, the last one too (as Windows
        // and Samba send it); a lone response is not.
        if (more || previous.Any) response.PadMessageTo8();
        if (more) Smb2Header.SetNextCommand(response.CurrentMessage, (uint)response.MessageLength);
        if (sign)
            Smb2Signer.Sign(response.CurrentMessage, signingAlgorithm, signingKey);
        // 3.1.1 preauth integrity: NEGOTIATE and non-final SESSION_SETUP responses are hashed as sent.
        request.HashResponseInto?.Update(response.CurrentMessage);

        previous.Any = true;
        previous.SessionId = request.ResponseSessionId;
        previous.TreeId = request.ResponseTreeId;
        if (command == Smb2Command.Create && status.IsError()) previous.CreateError = status;
        if (request.CompoundFileId != default) previous.FileId = request.CompoundFileId;
        return null;
    }

    /// <summary>
    /// [MS-SMB2] 3.3.4.2 interim response: the request's header with STATUS_PENDING, the async form with the new
    /// AsyncId, the credits this request earns, an ERROR body, and no signature ("SHOULD NOT sign").
    /// </summary>
    private static void WriteInterim(Smb2Connection connection, Smb2Header header, AsyncOperation op,
        bool inCompound, ResponseBuffer response)
    {
        response.DiscardBody();
        response.Advance(ErrorResponse.Write(response.GetBodySpan(16), default));
        ushort charge = connection.Dialect.SupportsMultiCredit() ? header.CreditCharge : (ushort)1;
        ushort grant = connection.Credits.Grant(header.CreditRequest, charge);
        var flags = header.Flags & (Smb2HeaderFlags.RelatedOperations | Smb2HeaderFlags.PriorityMask);
        Smb2Header.WriteResponse(response.CurrentMessage, header.Command, NtStatus.Pending, charge, grant, flags,
            header.MessageId, 0, op.SessionId, op.AsyncId);
        // Always the last response of its frame: what followed it in the chain is answered after it completes.
        if (inCompound) response.PadMessageTo8();
    }

    /// <summary>Finds what a CANCEL names: by AsyncId in the async form, else by MessageId ([MS-SMB2] 3.3.5.16).</summary>
    private static void CancelTarget(Smb2Connection connection, Smb2Header header)
    {
        AsyncOperation? target = null;
        if (header.IsAsync)
        {
            connection.AsyncOperations.TryGetValue(header.AsyncId, out target);
        }
        else
        {
            foreach (var op in connection.AsyncOperations.Values)
                if (op.MessageId == header.MessageId) { target = op; break; }
        }
        // A CANCEL for another session's request is ignored, as for one that names nothing.
        if (target is not null && target.SessionId == header.SessionId)
            AsyncResponder.Cancel(connection, target);
    }

    private NtStatus Route(ref Smb2Request request, Smb2Command command, ulong sessionId, uint treeId, ushort charge,
        ResponseBuffer response)
    {
        var connection = request.Connection;
        if (!Smb2RequestSizes.TryValidate(request.Message, out var sizeError))
            return sizeError;

        if (command == Smb2Command.Negotiate)
        {
            // [MS-SMB2] 3.3.5.3.1: a second NEGOTIATE on a connection is a protocol error.
            if (connection.NegotiateDone)
            {
                connection.RequestDisconnect("second NEGOTIATE");
                return NtStatus.InvalidParameter;
            }
            return JoinClientGroup(connection, Invoke(ref request, command, response));
        }
        if (!connection.NegotiateDone)
        {
            connection.RequestDisconnect($"{command} before NEGOTIATE");
            return NtStatus.InvalidParameter;
        }
        if (!Smb2CreditCharge.IsSufficient(request.Message, command, connection.Dialect, charge))
            return NtStatus.InvalidParameter;

        // A SESSION_SETUP naming a session of another connection (session binding, or a mistake) finds it in the
        // global table, so that its errors are signed as Windows signs them (Smb2Dispatcher.Binding.cs).
        bool needsSession = !(command == Smb2Command.Echo && sessionId == 0)
            && !(command == Smb2Command.SessionSetup && sessionId == 0);
        if (needsSession)
        {
            var status = command == Smb2Command.SessionSetup
                ? ResolveSessionSetup(ref request, sessionId)
                : ResolveSession(ref request, command, sessionId);
            if (status != NtStatus.Success) return RelatedSessionError(in request, status);
        }

        if (NeedsTree(command))
        {
            if (request.Session is null || !request.Session.TryGetTree(treeId, out var tree))
                return NtStatus.NetworkNameDeleted;
            // [MS-SMB2] 3.3.5.2.11: a share that requires encryption refuses plain-text requests.
            if (tree.EncryptData && connection.EncryptedBy is null)
                return NtStatus.AccessDenied;
            request.Tree = tree;
            var sequence = CheckChannelSequence(ref request, command);
            if (sequence != NtStatus.Success) return sequence;
        }
        return Invoke(ref request, command, response);
    }

    private NtStatus ResolveSession(ref Smb2Request request, Smb2Command command, ulong sessionId)
    {
        // [MS-SMB2] 3.3.5.2.9 Verifying the Session.
        if (!_sessions.TryGet(sessionId, out var session) || !session.IsBoundTo(request.Connection))
        {
            request.SuppressSignResponse = true;
            return NtStatus.UserSessionDeleted;
        }
        request.Session = session;
        // "If Session.State is InProgress [or Expired], the server MUST continue to process the SMB2 LOGOFF, SMB2
        // CLOSE, and SMB2 LOCK commands"; SESSION_SETUP is what completes an InProgress session.
        if (session.State != SessionState.Valid
            && command is not (Smb2Command.SessionSetup or Smb2Command.Logoff or Smb2Command.Close or Smb2Command.Lock))
        {
            request.SuppressSignResponse = true;
            return session.State == SessionState.Expired ? NtStatus.NetworkSessionExpired : NtStatus.UserSessionDeleted;
        }

        // [MS-SMB2] 3.3.5.2.9: an encrypted request must use the session whose key encrypted it; a session that
        // requires encryption refuses plain text (but SESSION_SETUP, which re-authenticates, comes signed).
        var encryptedBy = request.Connection.EncryptedBy;
        if (encryptedBy is not null)
        {
            if (encryptedBy != session)
            {
                request.SuppressSignResponse = true;
                return NtStatus.AccessDenied;
            }
            return NtStatus.Success; // the AEAD tag already authenticated it: no signature to check
        }
        if (session.EncryptData && session.State == SessionState.Valid && command != Smb2Command.SessionSetup)
            return NtStatus.AccessDenied;

        // [MS-SMB2] 3.3.5.2.4 Verifying the Signature.
        var header = request.Header;
        var signingKey = session.SigningKeyFor(request.Connection, out var signingAlgorithm);
        if (signingKey.Length > 0)
        {
            if (header.IsSigned)
            {
                if (!Smb2Signer.Verify(header.Message, signingAlgorithm, signingKey))
                {
                    // A SESSION_SETUP signed with the wrong key (e.g. the session's instead of a bound channel's)
                    // gets its ACCESS_DENIED signed with the right one, as Windows and Samba answer it: a client
                    // that requires signing drops the connection on an unsigned answer.
                    request.SuppressSignResponse = command != Smb2Command.SessionSetup;
                    return NtStatus.AccessDenied;
                }
            }
            else if (session.SigningRequired && session.State == SessionState.Valid)
            {
                request.SuppressSignResponse = true;
                return NtStatus.AccessDenied;
            }
        }

        // [MS-SMB2] 3.3.5.2.9: past Session.ExpirationTime only re-authentication and the requests that release
        // resources go on; the rest get STATUS_NETWORK_SESSION_EXPIRED until the client logs on again.
        if (session.State == SessionState.Valid && session.IsExpired(DateTime.UtcNow)
            && command is not (Smb2Command.SessionSetup or Smb2Command.Logoff or Smb2Command.Close or Smb2Command.Lock))
        {
            return NtStatus.NetworkSessionExpired;
        }
        return NtStatus.Success;
    }

    private static bool NeedsTree(Smb2Command command) => command is not (Smb2Command.Negotiate
        or Smb2Command.SessionSetup or Smb2Command.Logoff or Smb2Command.TreeConnect or Smb2Command.Echo
        or Smb2Command.Cancel);

    private NtStatus Invoke(ref Smb2Request request, Smb2Command command, ResponseBuffer response)
    {
        var handler = (int)command < _handlers.Length ? _handlers[(int)command] : null;
        if (handler is null) return NtStatus.NotSupported;
        NtStatus status;
        // The one place a request takes its user's Unix credentials: every command on a disk tree (the file handlers,
        // and TREE_DISCONNECT, whose closes may delete files) runs its file calls as the tree's identity, and the
        // thread is the server's again when the handler returns or throws.
        using (IdentityScope.Enter(request.Tree is { IsPipe: false } tree ? tree.UnixIdentity : null))
            status = handler(ref request, response);
        if (status.IsError() && status != NtStatus.MoreProcessingRequired && response.BodyLength > 0
            && !KeepsBodyOnError(command, status))
        {
            response.DiscardBody();
        }
        return status;
    }

    /// <summary>Errors that still carry a command body ([MS-SMB2] 3.3.4.4).</summary>
    private static bool KeepsBodyOnError(Smb2Command command, NtStatus status) =>
        status == NtStatus.BufferOverflow
        || (command == Smb2Command.QueryInfo && status == NtStatus.BufferTooSmall) // ErrorData: the size needed
        // FSCTL_SRV_COPYCHUNK's SRV_COPYCHUNK_RESPONSE: the limits, or the chunks done before a chunk failed; Windows
        // Server 2012+ and Samba send it with STATUS_FILE_LOCK_CONFLICT too (smbtorture smb2.ioctl.copy_chunk_src_lock).
        || (command == Smb2Command.Ioctl
            && status is NtStatus.InvalidParameter or NtStatus.InvalidViewSize or NtStatus.FileLockConflict);
}
