using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.10 SMB2 CLOSE of a file or directory: with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB the response
/// carries the attributes as they are at the close; the FSA deletes a delete-pending file at its last close.
/// Stateless.
/// </summary>
internal static class CloseHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!CloseRequest.TryParse(request.Message, out var close)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, close.FileId, out var open, out var file);
        if (status != NtStatus.Success) return status;

        ushort flags = 0;
        var wire = default(Protocol.Fscc.FileMetadata);
        file.Volume.ApplyCloseTimes(file);
        if (close.PostQueryAttributes && file.Volume.QueryMetadata(file, out var metadata) == NtStatus.Success)
        {
            flags = CloseRequest.FlagPostQueryAttrib;
            wire = FileOpens.ToWire(metadata, false);
        }
        request.Tree!.RemoveOpen(open.FileId.Volatile, out _);
        open.Dispose();
        response.Advance(CloseResponse.Write(response.GetBodySpan(CloseResponse.Size), flags, wire.CreationTime,
            wire.LastAccessTime, wire.LastWriteTime, wire.ChangeTime, wire.AllocationSize, wire.EndOfFile,
            flags == 0 ? 0 : wire.WireAttributes));
        return NtStatus.Success;
    }
}
