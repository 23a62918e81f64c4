using FastSmb.Fsa;
using FastSmb.Protocol.Fscc;

namespace FastSmb.Datapath.Handlers.Files.Oplocks;

/// <summary>
/// The breaks a SET_INFO causes before it changes the file ([MS-FSA] 2.1.5.14.1/2.1.5.14.5: allocation and end of
/// file break the other holders to none, as a WRITE does; 2.1.5.14.3/2.1.5.14.11: a disposition or a rename takes
/// their Handle caching). Stateless.
/// </summary>
internal static class SetInfoBreaks
{
    public static void Before(FsaOpen file, FileInformationClass informationClass)
    {
        switch (informationClass)
        {
            case FileInformationClass.FileEndOfFileInformation:
            case FileInformationClass.FileAllocationInformation:
                OplockBreaker.BreakToNone(file);
                break;
            case FileInformationClass.FileRenameInformation:
            case FileInformationClass.FileDispositionInformation:
            case FileInformationClass.FileDispositionInformationEx:
                OplockBreaker.BreakHandle(file);
                break;
        }
    }
}
