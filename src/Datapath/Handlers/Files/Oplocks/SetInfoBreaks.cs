using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol.Fscc;

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
}
