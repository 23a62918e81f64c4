using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;

namespace FastSmb.Datapath.Handlers.Files.Ioctl;

/// <summary>
/// Server-side copy: [MS-SMB2] 3.3.5.15.1 FSCTL_SRV_REQUEST_RESUME_KEY names a source open, and 3.3.5.15.6
/// FSCTL_SRV_COPYCHUNK / FSCTL_SRV_COPYCHUNK_WRITE on the target open copy ranges of it, the data staying in the
/// server (the FSA's <see cref="IFsaFileControl.CopyRange"/>). Stateless; the keys live in <see cref="ResumeKeyTable"/>.
/// </summary>
internal static class CopyChunkControls
{
    /// <summary>[MS-SMB2] 3.3.3 ServerSideCopyMaxNumberofChunks, ServerSideCopyMaxChunkSize and
    /// ServerSideCopyMaxDataSize, with Windows' values (256, 1 MiB, 16 MiB).</summary>
    public const uint MaxChunks = 256, MaxChunkSize = 1024 * 1024, MaxDataSize = 16 * 1024 * 1024;

    public static NtStatus RequestResumeKey(Open open, in IoctlRequest ioctl, ResponseBuffer response)
    {
        // 3.3.5.15.1: room for the SRV_REQUEST_RESUME_KEY response or STATUS_INVALID_PARAMETER.
        if (ioctl.MaxOutputResponse < SrvRequestResumeKeyResponse.MinimumSize) return NtStatus.InvalidParameter;
        int size = (int)Math.Min(ioctl.MaxOutputResponse, SrvRequestResumeKeyResponse.Size);
        var body = response.GetBodySpan(IoctlResponse.FixedSize + SrvRequestResumeKeyResponse.Size);
        var output = body[IoctlResponse.FixedSize..];
        Span<byte> key = stackalloc byte[ResumeKeyTable.KeySize];
        ResumeKeyTable.GetKey(open, key);
        SrvRequestResumeKeyResponse.Write(output, key);
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, (uint)size);
        response.Advance(IoctlResponse.FixedSize + size);
        return NtStatus.Success;
    }

    public static NtStatus CopyChunk(Open target, in IoctlRequest ioctl, ResponseBuffer response)
    {
        // 3.3.5.15.6, in its order: the input must hold the SRV_COPYCHUNK_COPY it announces, and the output the response.
        if (!SrvCopyChunkCopy.TryParse(ioctl.Input, out var copy)) return NtStatus.InvalidParameter;
        if (ioctl.MaxOutputResponse < SrvCopyChunkResponse.Size) return NtStatus.InvalidParameter;
        // The target must be writable, and readable too for FSCTL_SRV_COPYCHUNK (not for _WRITE).
        var targetFile = target.File!;
        if ((targetFile.GrantedAccess & AccessMask.WriteData) == 0) return NtStatus.AccessDenied;
        if (ioctl.CtlCode == FsctlCodes.FSCTL_SRV_COPYCHUNK && (targetFile.GrantedAccess & AccessMask.ReadData) == 0)
            return NtStatus.AccessDenied;
        // Over the limits (or an empty chunk): STATUS_INVALID_PARAMETER with the limits in the response.
        uint count = copy.ChunkCount;
        ulong total = 0;
        bool withinLimits = count <= MaxChunks;
        for (int i = 0; withinLimits && i < (int)count; i++)
        {
            uint length = copy.Chunk(i).Length;
            total += length;
            withinLimits = length != 0 && length <= MaxChunkSize && total <= MaxDataSize;
        }
        if (!withinLimits) return Respond(ioctl, response, new SrvCopyChunkResponse(MaxChunks, MaxChunkSize, MaxDataSize),
            NtStatus.InvalidParameter);
        if (!ResumeKeyTable.TryFind(copy.SourceKey, out var source) || source.File is null) return NtStatus.ObjectNameNotFound;
        // The source is read as READ reads: FILE_READ_DATA or FILE_EXECUTE will do (Windows and Samba agree).
        if ((source.File.GrantedAccess & (AccessMask.ReadData | AccessMask.Execute)) == 0) return NtStatus.AccessDenied;
        if (FileIoctlHandler.Controls(targetFile) is not { } controls) return NtStatus.NotSupported;

        uint written = 0, bytes = 0;
        for (int i = 0; i < (int)count; i++)
        {
            var chunk = copy.Chunk(i);
            if (chunk.SourceOffset > long.MaxValue || chunk.TargetOffset > long.MaxValue)
                return Respond(ioctl, response, new SrvCopyChunkResponse(written, 0, bytes), NtStatus.InvalidParameter);
            var status = controls.CopyRange(source.File, (long)chunk.SourceOffset, targetFile, (long)chunk.TargetOffset,
                chunk.Length);
            // A chunk that fails is not counted; the ones before it stay copied and are reported.
            if (status != NtStatus.Success) return Respond(ioctl, response, new SrvCopyChunkResponse(written, 0, bytes), status);
            written++;
            bytes += chunk.Length;
        }
        return Respond(ioctl, response, new SrvCopyChunkResponse(written, 0, bytes), NtStatus.Success);
    }

    private static NtStatus Respond(in IoctlRequest ioctl, ResponseBuffer response, SrvCopyChunkResponse result, NtStatus status)
    {
        var body = response.GetBodySpan(IoctlResponse.FixedSize + SrvCopyChunkResponse.Size);
        result.Write(body[IoctlResponse.FixedSize..]);
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, SrvCopyChunkResponse.Size);
        response.Advance(IoctlResponse.FixedSize + SrvCopyChunkResponse.Size);
        return status;
    }
}
