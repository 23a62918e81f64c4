using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;

namespace FastSmb.Datapath.Handlers.Files.Ioctl;

/// <summary>
/// [MS-SMB2] 3.3.5.15 SMB2 IOCTL on a disk share: the request checks every IOCTL gets, then the control itself —
/// server-side copy (<see cref="CopyChunkControls"/>), sparse files (<see cref="SparseControls"/>), compression, reparse
/// points (<see cref="ReparsePointControls"/>), extent duplication, object ids (<see cref="ObjectIdControls"/>). A control no file system here knows is STATUS_INVALID_DEVICE_REQUEST, as NTFS answers.
/// Stateless.
/// </summary>
internal static class FileIoctlHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!IoctlRequest.TryParse(request.Message, out var ioctl)) return NtStatus.InvalidParameter;
        if (ioctl.CtlCode == FsctlCodes.FSCTL_VALIDATE_NEGOTIATE_INFO)
            return ValidateNegotiateHandler.Handle(ref request, ioctl, response);
        if (!ioctl.IsFsctl) return NtStatus.InvalidParameter;
        // 3.3.5.15: no buffer, in or out, may exceed Connection.MaxTransactSize.
        uint max = request.Connection.MaxTransactSize;
        if ((uint)ioctl.Input.Length > max || ioctl.MaxInputResponse > max || ioctl.MaxOutputResponse > max)
            return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, ioctl.FileId, out var open, out var file);
        if (status != NtStatus.Success) return status;
        return ioctl.CtlCode switch
        {
            FsctlCodes.FSCTL_SRV_REQUEST_RESUME_KEY => CopyChunkControls.RequestResumeKey(open, ioctl, response),
            FsctlCodes.FSCTL_SRV_COPYCHUNK or FsctlCodes.FSCTL_SRV_COPYCHUNK_WRITE => CopyChunkControls.CopyChunk(open, ioctl, response),
            FsctlCodes.FSCTL_SET_SPARSE => SparseControls.SetSparse(file, ioctl, response),
            FsctlCodes.FSCTL_SET_ZERO_DATA => SparseControls.SetZeroData(file, ioctl, response),
            FsctlCodes.FSCTL_QUERY_ALLOCATED_RANGES => SparseControls.QueryAllocatedRanges(file, ioctl, response),
            FsctlCodes.FSCTL_GET_COMPRESSION => GetCompression(file, ioctl, response),
            FsctlCodes.FSCTL_SET_COMPRESSION => SetCompression(file, ioctl, response),
            FsctlCodes.FSCTL_GET_REPARSE_POINT => ReparsePointControls.Get(file, ioctl, response),
            FsctlCodes.FSCTL_SET_REPARSE_POINT or FsctlCodes.FSCTL_DELETE_REPARSE_POINT => ReparsePointControls.SetOrDelete(file, ioctl),
            FsctlCodes.FSCTL_SRV_ENUMERATE_SNAPSHOTS => EnumerateSnapshots(ioctl, response),
            FsctlCodes.FSCTL_DUPLICATE_EXTENTS_TO_FILE => DuplicateExtents(ref request, file, ioctl, response),
            FsctlCodes.FSCTL_CREATE_OR_GET_OBJECT_ID => ObjectIdControls.CreateOrGet(file, ioctl, response),
            _ => NtStatus.InvalidDeviceRequest,
        };
    }

    /// <summary>Writes an IOCTL response with no output (the usual success of a control that only acts).</summary>
    internal static NtStatus Done(in IoctlRequest ioctl, ResponseBuffer response)
    {
        var body = response.GetBodySpan(IoctlResponse.FixedSize);
        response.Advance(IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, 0));
        return NtStatus.Success;
    }

    internal static IFsaFileControl? Controls(FsaOpen file) => file.Volume as IFsaFileControl;

    /// <summary>
    /// [MS-FSA] 2.1.5.10.8 FSCTL_GET_COMPRESSION: no file system here compresses (FILE_FILE_COMPRESSION is not in the
    /// volume's attributes), so every file is COMPRESSION_FORMAT_NONE, the answer Windows Server 2016 gives on ReFS.
    /// </summary>
    private static NtStatus GetCompression(FsaOpen file, in IoctlRequest ioctl, ResponseBuffer response)
    {
        if (ioctl.MaxOutputResponse < CompressionState.Size) return NtStatus.InvalidParameter;
        var body = response.GetBodySpan(IoctlResponse.FixedSize + CompressionState.Size);
        CompressionState.Write(body[IoctlResponse.FixedSize..], CompressionState.FormatNone);
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, CompressionState.Size);
        response.Advance(IoctlResponse.FixedSize + CompressionState.Size);
        return NtStatus.Success;
    }

    /// <summary>[MS-FSA] 2.1.5.10.37 FSCTL_SET_COMPRESSION without compression: NONE succeeds (there is nothing to
    /// undo), DEFAULT and LZNT1 are STATUS_NOT_SUPPORTED, any other format STATUS_INVALID_PARAMETER.</summary>
    private static NtStatus SetCompression(FsaOpen file, in IoctlRequest ioctl, ResponseBuffer response)
    {
        if (!CompressionState.TryParse(ioctl.Input, out ushort format)) return NtStatus.InvalidParameter;
        if ((file.GrantedAccess & (AccessMask.WriteData | AccessMask.WriteAttributes | AccessMask.AppendData)) == 0)
            return NtStatus.AccessDenied;
        return format switch
        {
            CompressionState.FormatNone => Done(ioctl, response),
            CompressionState.FormatDefault or CompressionState.FormatLznt1 => NtStatus.NotSupported,
            _ => NtStatus.InvalidParameter,
        };
    }

    /// <summary>[MS-SMB2] 3.3.5.15.1 Handling an Enumeration of Previous Versions Request: shares here keep no
    /// snapshots, so the answer is the empty SRV_SNAPSHOT_ARRAY (no versions, none returned).</summary>
    private static NtStatus EnumerateSnapshots(in IoctlRequest ioctl, ResponseBuffer response)
    {
        if (ioctl.MaxOutputResponse < SrvSnapshotArray.MinimumMaxOutput) return NtStatus.InvalidParameter;
        var body = response.GetBodySpan(IoctlResponse.FixedSize + SrvSnapshotArray.FixedSize);
        int length = SrvSnapshotArray.WriteEmpty(body[IoctlResponse.FixedSize..]);
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, (uint)length);
        response.Advance(IoctlResponse.FixedSize + length);
        return NtStatus.Success;
    }

    /// <summary>[MS-FSA] 2.1.5.10.7 FSCTL_DUPLICATE_EXTENTS_TO_FILE: the source is another open of the same tree
    /// connect, named by its FileId in the input ([MS-FSCC] 2.3.8 DUPLICATE_EXTENTS_DATA).</summary>
    private static NtStatus DuplicateExtents(ref Smb2Request request, FsaOpen target, in IoctlRequest ioctl,
        ResponseBuffer response)
    {
        if (!DuplicateExtentsData.TryParse(ioctl.Input, out var data)) return NtStatus.InvalidParameter;
        if (!request.Tree!.TryGetOpen(data.SourceFileId.Volatile, out var source) || source.File is null
            || source.FileId.Persistent != data.SourceFileId.Persistent)
            return NtStatus.InvalidHandle;
        if (Controls(target) is not { } controls) return NtStatus.NotSupported;
        var status = controls.DuplicateExtents(source.File, data.SourceFileOffset, target, data.TargetFileOffset, data.ByteCount);
        return status == NtStatus.Success ? Done(ioctl, response) : status;
    }
}
