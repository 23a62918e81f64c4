using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files.Oplocks;

/// <summary>
/// The breaks a SET_INFO causes before it changes the file ([MS-FSA] 2.1.5.14.1/2.1.5.14.5: allocation and end of
/// file break the other holders to none, as a WRITE does; 2.1.5.14.3/2.1.5.14.11: a disposition or a rename takes
/// their Handle caching and waits for the acknowledgment, as Windows does — smb2.lease.rename_wait). Stateless.
/// </summary>
internal static class SetInfoBreaks
{
    /// <summary>True when the SET_INFO must wait (go async) for Handle breaks; <paramref name="pending"/> is then
    /// the request to park.</summary>
    public static bool MustWait(ref Smb2Request request, FsaOpen file, FileInformationClass informationClass,
        ref PendingRequest? pending, PendingRequest.Handler retry)
    {
        switch (informationClass)
        {
            case FileInformationClass.FileEndOfFileInformation:
            case FileInformationClass.FileAllocationInformation:
                OplockBreaker.BreakToNone(file);
                return false;
            case FileInformationClass.FileRenameInformation:
                var r = pending ?? new PendingRequest(request.Connection, request.Session!, request.Tree!, retry);
                if (!OplockBreaker.BreakHandle(file, r.Wake) && !BreakDestinationParent(ref request, file, r.Wake))
                    return false;
                pending = r;
                return true;
            case FileInformationClass.FileDispositionInformation:
            case FileInformationClass.FileDispositionInformationEx:
                var p = pending ?? new PendingRequest(request.Connection, request.Session!, request.Tree!, retry);
                if (!OplockBreaker.BreakHandle(file, p.Wake)) return false;
                pending = p;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The destination directory's Handle leases break before a rename into it (as Samba 4.22).</summary>
    private static bool BreakDestinationParent(ref Smb2Request request, FsaOpen file, Action onDone)
    {
        if (!SetInfoRequest.TryParse(request.Message, out var set)
            || !FileRenameInformation.TryParse(set.Buffer, out var rename) || rename.RootDirectory != 0) return false;
        string target = rename.FileName;
        if (target.StartsWith('\\')) target = target[1..];
        if (target.StartsWith(':')) return false;
        return file.Volume.BreakRenameDestinationParent(file, target, onDone);
    }
}
