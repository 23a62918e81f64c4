using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.12 SMB2 READ from a file: the data goes from the file straight into the response buffer
/// (pread), or, on a core loop, through its io_uring into a registered buffer the response is sent from
/// (<see cref="CoreLoops.RingRead"/>). Fewer bytes than MinimumCount, or none at all at the end of the file, is
/// STATUS_END_OF_FILE. Stateless.
/// </summary>
internal static class ReadHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!ReadRequest.TryParse(request.Message, out var read)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, read.FileId, out _, out var file);
        if (status != NtStatus.Success) return status;
        // [MS-SMB2] 3.3.5.12: a Length above Connection.MaxReadSize is invalid.
        if (read.Length > request.Connection.MaxReadSize || read.Offset > long.MaxValue)
            return NtStatus.InvalidParameter;
        if (read.Channel != 0) return RdmaTransfer.Read(ref request, response, in read, file);
        // On a core loop: from the page cache at once, else on its ring, answered when the read completes.
        if (CoreLoops.RingRead.TryStart(ref request, in read, file, response, out status)) return status;

        int length = (int)read.Length;
        var body = response.GetBodySpan(ReadResponse.FixedSize + Math.Max(length, 1));
        status = file.Volume.Read(file, (long)read.Offset, body.Slice(ReadResponse.FixedSize, length), out int count);
        if (status != NtStatus.Success) return status;
        return Answer(response, in read, file, count);
    }

    /// <summary>The response to a READ whose <paramref name="count"/> bytes are already in the response's body after
    /// the fixed part.</summary>
    internal static NtStatus Answer(ResponseBuffer response, in ReadRequest read, Fsa.FsaOpen file, int count)
    {
        int length = (int)read.Length;
        var body = response.GetBodySpan(ReadResponse.FixedSize + Math.Max(length, 1));
        if ((count == 0 && length > 0) || count < read.MinimumCount) return NtStatus.EndOfFile;
        // FilePositionInformation then reports the end of this read, as Samba does (smb2.read.position; Windows
        // moves it only for synchronous-I/O opens, which SMB2 has none of, and reports 0).
        file.Position = (long)read.Offset + count;
        ReadResponse.WriteHeader(body, (uint)count, 0);
        if (count == 0) body[ReadResponse.FixedSize] = 0; // StructureSize 17 counts one byte of Buffer
        response.Advance(ReadResponse.FixedSize + Math.Max(count, 1));
        return NtStatus.Success;
    }
}
