using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers;

/// <summary>
/// [MS-SMB2] 3.3.5.15.11 Handling a Network Interface Information Request: FSCTL_QUERY_NETWORK_INTERFACE_INFO names no
/// file, so it is answered in front of the file and pipe IOCTL handlers, on any tree. Stateless.
/// </summary>
public static class NetworkInterfaceInfoHandler
{
    /// <summary>Answers FSCTL_QUERY_NETWORK_INTERFACE_INFO and hands every other IOCTL to <paramref name="next"/>.</summary>
    public static Smb2CommandHandler Before(Smb2CommandHandler next, IControlPlane control) =>
        (ref Smb2Request request, ResponseBuffer response) =>
            IoctlRequest.TryParse(request.Message, out var ioctl) && ioctl.CtlCode == FsctlCodes.FSCTL_QUERY_NETWORK_INTERFACE_INFO
                ? Handle(ref request, ioctl, response, control)
                : next(ref request, response);

    private static NtStatus Handle(ref Smb2Request request, in IoctlRequest ioctl, ResponseBuffer response, IControlPlane control)
    {
        var connection = request.Connection;
        // Without multichannel there is nothing to discover: Samba answers as for an FSCTL it does not serve.
        if ((connection.ServerCapabilities & (uint)Smb2GlobalCapabilities.MultiChannel) == 0)
            return request.Tree!.IsPipe ? NtStatus.FsDriverRequired : NtStatus.InvalidDeviceRequest;
        // The FSCTL is not about a file: "FileId ... MUST be set to { 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF }"
        // (2.2.31), and it takes no input.
        if (!ioctl.IsFsctl || !ioctl.FileId.Equals(FileId.Any) || !ioctl.Input.IsEmpty)
            return NtStatus.InvalidParameter;
        var entries = control.QueryNetworkInterfaces();
        int size = NetworkInterfaceInfo.SizeOf(entries.Count);
        // 3.3.5.15: output larger than MaxOutputResponse is not truncated: STATUS_BUFFER_TOO_SMALL.
        if (size > ioctl.MaxOutputResponse) return NtStatus.BufferTooSmall;
        var body = response.GetBodySpan(IoctlResponse.FixedSize + size);
        int written = NetworkInterfaceInfo.Write(body[IoctlResponse.FixedSize..], entries.ToArray());
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, (uint)written);
        response.Advance(IoctlResponse.FixedSize + written);
        return NtStatus.Success;
    }
}
