using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Fsctl;

namespace FastSmb.Datapath.Handlers.Files.Ioctl;

/// <summary>
/// The reparse-point controls on a disk share. The only reparse points are symbolic links (<see cref="IFsaReparsePoints"/>):
/// GET returns a link's [MS-FSCC] 2.1.2.4 buffer when the open is of the link itself (FILE_OPEN_REPARSE_POINT). There
/// is no store of arbitrary reparse data, as in Samba 4.17: SET and DELETE answer STATUS_NOT_A_REPARSE_POINT, as its
/// smbd does, after refusing a malformed buffer as later Samba versions do. Stateless.
/// </summary>
internal static class ReparsePointControls
{
    /// <summary>[MS-FSA] 2.1.5.10.21 FSCTL_GET_REPARSE_POINT: an output too small for the header is
    /// STATUS_BUFFER_TOO_SMALL; one too small for the whole buffer gets what fits and STATUS_BUFFER_OVERFLOW.</summary>
    public static NtStatus Get(FsaOpen file, in IoctlRequest ioctl, ResponseBuffer response)
    {
        if (file.Volume is not IFsaReparsePoints points) return NtStatus.NotAReparsePoint;
        var status = points.GetSymlink(file, out var link);
        if (status != NtStatus.Success) return status;
        if (ioctl.MaxOutputResponse < ReparseDataBuffer.HeaderSize) return NtStatus.BufferTooSmall;
        // [MS-FSCC] 2.1.2.4: the print name is what a user sees; both are the target as the link holds it.
        int size = SymlinkReparseBuffer.SizeOf(link.Target, link.Target);
        var whole = new byte[size];
        if (!SymlinkReparseBuffer.TryWrite(whole, link.Target, link.Target, link.Relative ? SymlinkReparseBuffer.FlagRelative : 0, out _))
            return NtStatus.IoReparseDataInvalid;
        int length = (int)Math.Min((uint)size, ioctl.MaxOutputResponse);
        var body = response.GetBodySpan(IoctlResponse.FixedSize + length);
        whole.AsSpan(0, length).CopyTo(body[IoctlResponse.FixedSize..]);
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, (uint)length);
        response.Advance(IoctlResponse.FixedSize + length);
        return length < size ? NtStatus.BufferOverflow : NtStatus.Success;
    }

    /// <summary>FSCTL_SET_REPARSE_POINT / FSCTL_DELETE_REPARSE_POINT ([MS-FSA] 2.1.5.10.37 / 2.1.5.10.5).</summary>
    public static NtStatus SetOrDelete(FsaOpen file, in IoctlRequest ioctl)
    {
        if ((file.GrantedAccess & (AccessMask.WriteData | AccessMask.WriteAttributes)) == 0) return NtStatus.AccessDenied;
        if (!ReparseDataBuffer.TryParse(ioctl.Input, out _)) return NtStatus.IoReparseDataInvalid;
        return NtStatus.NotAReparsePoint;
    }
}
