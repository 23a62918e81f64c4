namespace FastSmb.Fsa.Posix;

public sealed partial class PosixVolume
{
    internal const string StreamXattrPrefix = "user.DosStream.";

    private static NtStatus QueryStreamSize(PosixOpen o, ref FileMetadata metadata) => NtStatus.Success;

    public NtStatus QueryStreams(FsaOpen open, out IReadOnlyList<FsaStreamInfo> streams)
    {
        var status = QueryMetadata(open, out var metadata);
        streams = open.IsDirectory || status != NtStatus.Success ? [] : [new FsaStreamInfo("::$DATA", metadata.EndOfFile, metadata.AllocationSize)];
        return status;
    }
}
