using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.18 SMB2 QUERY_DIRECTORY: entries of the directory open, in one of the [MS-FSCC] directory
/// classes, from where the last response stopped. The first request (or one with SMB2_RESTART_SCANS or
/// SMB2_REOPEN) starts the enumeration with its pattern; an entry that does not fit waits for the next request.
/// Nothing matching at the start is STATUS_NO_SUCH_FILE, nothing left is STATUS_NO_MORE_FILES. Stateless: the
/// cursor lives in the FSA open.
/// </summary>
internal static class QueryDirectoryHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!QueryDirectoryRequest.TryParse(request.Message, out var query)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, query.FileId, out _, out var file);
        if (status != NtStatus.Success) return status;
        var informationClass = query.FileInformationClass;
        if (!DirectoryEntryWriter.IsSupported(informationClass)) return NtStatus.InvalidInfoClass;
        if (!file.IsDirectory) return NtStatus.InvalidParameter;
        if (query.OutputBufferLength > request.Connection.MaxTransactSize) return NtStatus.InvalidParameter;

        bool starting = file.Enumeration is null || query.RestartScans || query.Reopen;
        if (starting)
        {
            status = file.Volume.StartEnumeration(file, query.FileName);
            if (status != NtStatus.Success) return status;
        }
        var enumeration = file.Enumeration!;

        int capacity = (int)query.OutputBufferLength;
        var body = response.GetBodySpan(QueryDirectoryResponse.FixedSize + capacity);
        var writer = new DirectoryEntryWriter(body.Slice(QueryDirectoryResponse.FixedSize, capacity), informationClass);
        bool more = false;
        // The classes with a ShortName field carry the name FileAlternateNameInformation reports for the same file.
        bool withShortName = informationClass is FileInformationClass.FileBothDirectoryInformation
            or FileInformationClass.FileIdBothDirectoryInformation;
        Span<char> shortName = stackalloc char[Fsa.ShortNames.MaxLength];
        while (enumeration.TryPeek(out var entry))
        {
            var wire = FileOpens.ToWire(entry.Metadata, false);
            int shortLength = withShortName ? Fsa.ShortNames.Format(entry.Name, shortName) : 0;
            if (!writer.TryAdd(wire, entry.Name, shortName[..shortLength]))
            {
                more = true;
                break;
            }
            enumeration.Advance();
            if (query.ReturnSingleEntry) break;
        }
        if (writer.Count == 0)
        {
            // [MS-FSA] 2.1.5.6.3: a buffer too small for even one entry.
            if (more) return NtStatus.InfoLengthMismatch;
            return starting ? NtStatus.NoSuchFile : NtStatus.NoMoreFiles;
        }
        QueryDirectoryResponse.WriteHeader(body, (uint)writer.Length);
        response.Advance(QueryDirectoryResponse.FixedSize + writer.Length);
        return NtStatus.Success;
    }
}
