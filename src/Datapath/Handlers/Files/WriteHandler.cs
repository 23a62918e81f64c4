using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.13 SMB2 WRITE to a file, from the request buffer (pwrite); SMB2_WRITEFLAG_WRITE_THROUGH makes
/// the data durable before the response. Stateless.
/// </summary>
internal static class WriteHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!WriteRequest.TryParse(request.Message, out var write)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, write.FileId, out _, out var file);
        if (status != NtStatus.Success) return status;
        if (write.Length > request.Connection.MaxWriteSize || write.Offset > long.MaxValue)
            return NtStatus.InvalidParameter;
        if (request.Tree!.ReadOnly) return NtStatus.AccessDenied;
        var data = write.Data;
        if (write.Channel != 0 && (status = RdmaTransfer.PullWriteData(ref request, in write, out data)) != NtStatus.Success)
            return status;

        // A continuously available share writes every WRITE through (fdatasync before the answer), as Windows does on
        // CA shares: an acknowledged byte survives the server's crash.
        bool writeThrough = (write.Flags & WriteRequest.FlagWriteThrough) != 0 || request.Tree!.ContinuouslyAvailable;
        Fsa.OplockBreaker.BreakToNone(file); // [MS-FSA] 2.1.5.3: other readers' cached data goes stale
        status = file.Volume.Write(file, (long)write.Offset, data, writeThrough, out int count);
        if (status != NtStatus.Success) return status;
        file.Position = (long)write.Offset + count; // as after a READ
        response.Advance(WriteResponse.Write(response.GetBodySpan(WriteResponse.FixedSize), (uint)count));
        return NtStatus.Success;
    }
}

/// <summary>[MS-SMB2] 3.3.5.11 SMB2 FLUSH: fsync of the file, on a blocking-call thread (<see cref="BlockingCalls"/>):
/// one that takes long goes async. Stateless.</summary>
internal static class FlushHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!FlushRequest.TryParse(request.Message, out var flush)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, flush.FileId, out _, out var file);
        if (status != NtStatus.Success) return status;
        // The share's volume (the tree's), which is the open's in every server but one instrumented by its tests.
        var volume = request.Tree!.Volume ?? file.Volume;
        status = BlockingCalls.Run(ref request, () => volume.Flush(file), static body => FlushResponse.Write(body));
        if (status != NtStatus.Success) return status;
        response.Advance(FlushResponse.Write(response.GetBodySpan(FlushResponse.Size)));
        return NtStatus.Success;
    }
}
