using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.21 SMB2 SET_INFO on a file or directory: basic information (times), end of file, allocation,
/// disposition (and its Ex form's delete bit), rename with or without replace, position, mode and full EA information. Security information through
/// FileSecurity. Hard links ([MS-FSA] 2.1.5.14.6); file system information is not supported yet. Stateless.
/// </summary>
internal static class SetInfoHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response) => Run(ref request, response, null);

    /// <summary>The SET_INFO, first time or (<paramref name="pending"/>) again after the breaks it waited for.</summary>
    private static NtStatus Run(ref Smb2Request request, ResponseBuffer response, Oplocks.PendingRequest? pending)
    {
        if (!SetInfoRequest.TryParse(request.Message, out var set)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, set.FileId, out _, out var file);
        if (status != NtStatus.Success) return status;
        if (set.InfoType == Smb2InfoType.File
            && Oplocks.SetInfoBreaks.MustWait(ref request, file, (FileInformationClass)set.FileInfoClass, ref pending, Run))
            return pending!.Park(ref request);
        status = set.InfoType switch
        {
            Smb2InfoType.File => SetFile(file, (FileInformationClass)set.FileInfoClass, set.Buffer),
            Smb2InfoType.Security => FileSecurity.Set(request.Tree!, file, set.AdditionalInformation, set.Buffer),
            _ => NtStatus.NotSupported,
        };
        if (status != NtStatus.Success) return status;
        response.Advance(SetInfoResponse.Write(response.GetBodySpan(SetInfoResponse.Size)));
        return NtStatus.Success;
    }

    private static NtStatus SetFile(FsaOpen file, FileInformationClass informationClass, ReadOnlySpan<byte> buffer)
    {
        var volume = file.Volume;
        switch (informationClass)
        {
            case FileInformationClass.FileBasicInformation:
                if (!FileBasicInformation.TryParse(buffer, out var basic)) return NtStatus.InfoLengthMismatch;
                return volume.SetBasicInfo(file, basic.CreationTime, basic.LastAccessTime, basic.LastWriteTime,
                    basic.ChangeTime, (FileAttributeFlags)basic.FileAttributes);
            case FileInformationClass.FileEndOfFileInformation:
                if (!FileEndOfFileInformation.TryParse(buffer, out var eof)) return NtStatus.InfoLengthMismatch;
                return volume.SetEndOfFile(file, eof.EndOfFile);
            case FileInformationClass.FileAllocationInformation:
                if (!FileAllocationInformation.TryParse(buffer, out var allocation)) return NtStatus.InfoLengthMismatch;
                return volume.SetAllocationSize(file, allocation.AllocationSize);
            case FileInformationClass.FileDispositionInformation:
                if (!FileDispositionInformation.TryParse(buffer, out var disposition)) return NtStatus.InfoLengthMismatch;
                return volume.SetDisposition(file, disposition.DeletePending);
            case FileInformationClass.FileDispositionInformationEx:
                if (!FileDispositionInformationEx.TryParse(buffer, out var dispositionEx)) return NtStatus.InfoLengthMismatch;
                if ((dispositionEx.Flags & ~FileDispositionInformationEx.Delete) != 0) return NtStatus.NotSupported;
                return volume.SetDisposition(file, (dispositionEx.Flags & FileDispositionInformationEx.Delete) != 0);
            case FileInformationClass.FileRenameInformation:
                if (!FileRenameInformation.TryParse(buffer, out var rename)) return NtStatus.InfoLengthMismatch;
                // "For network operations, this value MUST be zero"; a name starting with ':' renames a stream (the FSA's).
                if (rename.RootDirectory != 0) return NtStatus.InvalidParameter;
                string target = rename.FileName;
                if (target.StartsWith('\\')) target = target[1..]; // some clients send the path with a leading backslash
                return volume.Rename(file, target, rename.ReplaceIfExists);
            case FileInformationClass.FilePositionInformation:
                if (!FilePositionInformation.TryParse(buffer, out var position)) return NtStatus.InfoLengthMismatch;
                if (position.CurrentByteOffset < 0) return NtStatus.InvalidParameter;
                file.Position = position.CurrentByteOffset;
                return NtStatus.Success;
            case FileInformationClass.FileModeInformation:
                if (!FileModeInformation.TryParse(buffer, out var mode)) return NtStatus.InfoLengthMismatch;
                file.Mode = mode.Mode;
                return NtStatus.Success;
            case FileInformationClass.FileFullEaInformation:
                return FileEas.Set(file, buffer);
            case FileInformationClass.FileLinkInformation:
                if (!FileLinkInformation.TryParse(buffer, out var link)) return NtStatus.InfoLengthMismatch;
                if (link.RootDirectory != 0) return NtStatus.InvalidParameter;
                string linkName = link.FileName;
                if (linkName.StartsWith('\\')) linkName = linkName[1..];
                return volume.CreateHardLink(file, linkName, link.ReplaceIfExists);
            default:
                return NtStatus.InvalidInfoClass;
        }
    }
}
