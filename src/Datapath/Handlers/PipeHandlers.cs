using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Pipes;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers;

/// <summary>
/// CREATE/CLOSE/READ/WRITE/IOCTL for opens on IPC$ named pipes ([MS-SMB2] 3.3.5.9, 3.3.5.10, 3.3.5.12, 3.3.5.13,
/// 3.3.5.15.1 FSCTL_PIPE_TRANSCEIVE); the dispatcher routes here only requests on an IPC$ tree connect.
/// Stateless: the opens live in their tree connect.
/// </summary>
public sealed class PipeHandlers(INamedPipeHost pipes)
{
    private const uint FileAttributeNormal = 0x80;
    private const uint FileOpened = 1;

    public NtStatus Create(ref Smb2Request request, ResponseBuffer response)
    {
        var tree = request.Tree!;
        if (!CreateRequest.TryParse(request.Message, out var create)) return NtStatus.InvalidParameter;

        // Pipe names arrive as "srvsvc" (SMB2 sends them relative to IPC$); tolerate a leading backslash.
        string name = create.Name.TrimStart('\\');
        if (name.Length == 0) return NtStatus.ObjectNameInvalid;
        var session = request.Session!;
        var caller = new PipeCaller(session.UserName, session.Domain, session.IsAnonymous, session.SessionKey,
            request.Connection.ClientAddress);
        var status = pipes.Open(name, caller, out var pipe);
        if (status != NtStatus.Success || pipe is null) return status == NtStatus.Success ? NtStatus.ObjectNameNotFound : status;

        var fileId = Open.NewFileId();
        tree.AddOpen(new Open(fileId, tree, name, pipe) { GrantedAccess = create.DesiredAccess });
        request.CompoundFileId = fileId;
        response.Advance(CreateResponse.Write(response.GetBodySpan(128), oplockLevel: 0, flags: 0, FileOpened,
            0, 0, 0, 0, allocationSize: 4096, endOfFile: 0, FileAttributeNormal, fileId, default));
        return NtStatus.Success;
    }

    public NtStatus Close(ref Smb2Request request, ResponseBuffer response)
    {
        if (!CloseRequest.TryParse(request.Message, out var close)) return NtStatus.InvalidParameter;
        var fileId = request.ResolveFileId(close.FileId);
        if (!request.Tree!.RemoveOpen(fileId.Volatile, out var open) || open.FileId.Persistent != fileId.Persistent)
            return NtStatus.FileClosed;
        // A read still waiting on the pipe ends with the handle, as an I/O request cancelled at cleanup.
        if (open.PendingRead is { } pending)
            AsyncResponder.Cancel(request.Connection, pending.Operation);
        open.Dispose();
        request.CompoundFileId = fileId;
        response.Advance(CloseResponse.Write(response.GetBodySpan(64), 0, 0, 0, 0, 0, 0, 0, 0));
        return NtStatus.Success;
    }

    public NtStatus Read(ref Smb2Request request, ResponseBuffer response)
    {
        if (!ReadRequest.TryParse(request.Message, out var read)) return NtStatus.InvalidParameter;
        var status = FindPipe(ref request, read.FileId, out var open);
        if (status != NtStatus.Success) return status;
        if (read.Length > request.Connection.MaxReadSize) return NtStatus.InvalidParameter;

        if (open.PendingRead is not null) return NtStatus.InvalidPipeState; // one waiting read per pipe
        var body = response.GetBodySpan(16 + (int)read.Length);
        status = open.Pipe!.Read(body.Slice(16, (int)read.Length), out int count);
        if (status == NtStatus.InvalidPipeState)
        {
            // Nothing to read yet: wait for the next WRITE on this pipe, as Windows and Samba do.
            var op = request.GoAsync();
            open.PendingRead = (op, read.Length);
            op.OnCancel = () => open.PendingRead = null;
            return NtStatus.Pending;
        }
        if (status.IsError()) return status;
        if (count == 0 && read.Length > 0) return NtStatus.EndOfFile;
        ReadResponse.WriteHeader(body, (uint)count, 0);
        response.Advance(16 + count);
        return status;
    }

    public NtStatus Write(ref Smb2Request request, ResponseBuffer response)
    {
        if (!WriteRequest.TryParse(request.Message, out var write)) return NtStatus.InvalidParameter;
        var status = FindPipe(ref request, write.FileId, out var open);
        if (status != NtStatus.Success) return status;
        status = open.Pipe!.Write(write.Data);
        if (status.IsError()) return status;
        CompletePendingRead(request.Connection, open);
        response.Advance(WriteResponse.Write(response.GetBodySpan(16), (uint)write.Data.Length));
        return NtStatus.Success;
    }

    public NtStatus Ioctl(ref Smb2Request request, ResponseBuffer response)
    {
        if (!IoctlRequest.TryParse(request.Message, out var ioctl)) return NtStatus.InvalidParameter;
        if (ioctl.CtlCode == FsctlCodes.FSCTL_VALIDATE_NEGOTIATE_INFO)
            return ValidateNegotiateHandler.Handle(ref request, ioctl, response);
        if (!request.Tree!.IsPipe) return NtStatus.InvalidDeviceRequest;
        if (ioctl.CtlCode != FsctlCodes.FSCTL_PIPE_TRANSCEIVE) return NtStatus.NotSupported;
        // [MS-SMB2] 3.3.5.15: FSCTLs must carry SMB2_0_IOCTL_IS_FSCTL.
        if (!ioctl.IsFsctl) return NtStatus.InvalidParameter;
        var status = FindPipe(ref request, ioctl.FileId, out var open);
        if (status != NtStatus.Success) return status;

        int max = (int)Math.Min(ioctl.MaxOutputResponse, request.Connection.MaxTransactSize);
        var body = response.GetBodySpan(IoctlResponse.FixedSize + max);
        status = open.Pipe!.Transceive(ioctl.Input, body.Slice(IoctlResponse.FixedSize, max), out int count);
        if (status.IsError()) return status;
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, open.FileId, (uint)count);
        response.Advance(IoctlResponse.FixedSize + count);
        return status;
    }

    /// <summary>Answers a READ that was waiting on this pipe, now that a write may have produced output.</summary>
    private static void CompletePendingRead(Connections.Smb2Connection connection, Open open)
    {
        if (open.PendingRead is not { } pending) return;
        var scratch = new byte[pending.Length];
        var status = open.Pipe!.Read(scratch, out int count);
        if (status == NtStatus.InvalidPipeState) return; // still nothing: keep waiting
        open.PendingRead = null;
        AsyncResponder.Complete(connection, pending.Operation, status, body =>
        {
            ReadResponse.WriteHeader(body, (uint)count, 0);
            scratch.AsSpan(0, count).CopyTo(body[16..]);
            return 16 + count;
        });
    }

    private static NtStatus FindPipe(ref Smb2Request request, FileId requested, out Open open)
    {
        var fileId = request.ResolveFileId(requested);
        if (!request.Tree!.TryGetOpen(fileId.Volatile, out open) || open.FileId.Persistent != fileId.Persistent)
            return NtStatus.FileClosed;
        request.CompoundFileId = fileId;
        return open.Pipe is null ? NtStatus.InvalidDeviceRequest : NtStatus.Success;
    }
}
