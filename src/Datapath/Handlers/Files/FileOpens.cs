using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;
using WireMetadata = FastSmb.Protocol.Fscc.FileMetadata;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>What every file handler does first: find the open a request names, and turn FSA metadata into the
/// [MS-FSCC] writers' form. Stateless.</summary>
internal static class FileOpens
{
    /// <summary>The file open <paramref name="requested"/> names on the request's tree (related compounds
    /// honoured); STATUS_FILE_CLOSED if there is none ([MS-SMB2] 3.3.5.x "If the open is not found").</summary>
    public static NtStatus Find(ref Smb2Request request, FileId requested, out Open open, out FsaOpen file)
    {
        var fileId = request.ResolveFileId(requested);
        file = null!;
        if (!request.Tree!.TryGetOpen(fileId.Volatile, out open) || open.FileId.Persistent != fileId.Persistent
            || open.File is null)
            return NtStatus.FileClosed;
        request.CompoundFileId = fileId;
        file = open.File;
        return NtStatus.Success;
    }

    /// <summary>The metadata of an open file as the query classes report it: a link marked for delete no longer counts
    /// ([MS-FSA] 2.1.5.12.27 FileStandardInformation: NumberOfLinks is "the number of not-deleted links"); a named
    /// stream's delete-pending leaves its file's links alone.</summary>
    public static WireMetadata ToWire(in FileMetadata m, FsaOpen file)
    {
        var wire = ToWire(m, file.DeletePending);
        if (file.DeletePending && file.StreamName is null && wire.NumberOfLinks > 0) wire.NumberOfLinks--;
        return wire;
    }

    public static WireMetadata ToWire(in FileMetadata m, bool deletePending) => new()
    {
        CreationTime = m.CreationTime,
        LastAccessTime = m.LastAccessTime,
        LastWriteTime = m.LastWriteTime,
        ChangeTime = m.ChangeTime,
        AllocationSize = m.AllocationSize,
        EndOfFile = m.EndOfFile,
        FileAttributes = (uint)m.Attributes,
        FileId = m.FileId,
        NumberOfLinks = m.NumberOfLinks,
        EaSize = m.EaSize,
        ReparseTag = m.ReparseTag,
        DeletePending = deletePending,
        IsDirectory = m.IsDirectory,
    };
}
