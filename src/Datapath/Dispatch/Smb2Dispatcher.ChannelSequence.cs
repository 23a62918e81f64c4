using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Dispatch;

public sealed partial class Smb2Dispatcher
{
    /// <summary>
    /// [MS-SMB2] 3.3.5.2.10 Verifying the Channel Sequence Number, for 3.x requests on an open. A client that loses a
    /// channel bumps ChannelSequence and replays on another; a newer number becomes Open.ChannelSequence, and a
    /// modifying request (WRITE, SET_INFO, IOCTL) still carrying an older one fails with STATUS_FILE_NOT_AVAILABLE, so
    /// a write delayed on the dead channel cannot overwrite what the replay wrote. A difference beyond 0x7FFF is read
    /// as the 16-bit counter having wrapped (Samba does the same). Requests here complete before the next one is
    /// read, so the outstanding-request counts of the spec are always zero and not kept.
    /// </summary>
    private static NtStatus CheckChannelSequence(ref Smb2Request request, Smb2Command command)
    {
        if (!request.Connection.Dialect.IsSmb3() || request.Tree is not { } tree) return NtStatus.Success;
        int fileIdOffset = FileIdOffset(command);
        var body = request.Message[Smb2Header.Size..];
        if (fileIdOffset < 0 || body.Length < fileIdOffset + 16) return NtStatus.Success;
        var fileId = request.ResolveFileId(FileId.Read(body[fileIdOffset..]));
        // An unknown FileId is the handler's to report (STATUS_FILE_CLOSED).
        if (!tree.TryGetOpen(fileId.Volatile, out var open) || open.FileId.Persistent != fileId.Persistent)
            return NtStatus.Success;
        open.SeenByClient();
        ushort sequence = request.Header.ChannelSequence;
        int difference = sequence - open.ChannelSequence;
        if (Math.Abs(difference) > short.MaxValue) difference = -difference;
        if (difference > 0)
            open.ChannelSequence = sequence;
        else if (difference < 0 && command is Smb2Command.Write or Smb2Command.SetInfo or Smb2Command.Ioctl)
            return NtStatus.FileNotAvailable;
        return NtStatus.Success;
    }

    /// <summary>Where a request body carries its FileId ([MS-SMB2] 2.2.x), or -1.</summary>
    private static int FileIdOffset(Smb2Command command) => command switch
    {
        Smb2Command.Close or Smb2Command.Flush or Smb2Command.Lock or Smb2Command.Ioctl or Smb2Command.QueryDirectory
            or Smb2Command.ChangeNotify => 8,
        Smb2Command.Read or Smb2Command.Write or Smb2Command.SetInfo => 16,
        Smb2Command.QueryInfo => 24,
        _ => -1,
    };
}
