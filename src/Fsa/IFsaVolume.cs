namespace FastSmb.Fsa;

/// <summary>
/// One exported directory tree with [MS-FSA] semantics: opens with dispositions, share modes, delete-on-close and
/// delete-pending, I/O, metadata, rename, enumeration. Knows nothing of SMB; every outcome is an
/// <see cref="NtStatus"/>. Implementations are thread-safe: every connection reaching the share calls them, each on
/// its own opens.
/// </summary>
public interface IFsaVolume
{
    /// <summary>[MS-FSA] 2.1.5.1 Server Requests an Open of a File.</summary>
    NtStatus Open(in FsaOpenRequest request, out FsaOpen? open, out CreateAction action);

    /// <summary>[MS-FSA] 2.1.5.4 Server Requests Closing an Open: the last close of a delete-pending file deletes it.</summary>
    NtStatus Close(FsaOpen open);

    /// <summary>[MS-FSA] 2.1.5.4: what a close does to the file's times (an open that wrote sets the last-write time),
    /// done before the close's post-query so that its response shows them; <see cref="Close"/> does it too.</summary>
    NtStatus ApplyCloseTimes(FsaOpen open);

    /// <summary>[MS-FSA] 2.1.5.2 Read: fewer bytes than asked at the end of the file, 0 at or past it.</summary>
    NtStatus Read(FsaOpen open, long offset, Span<byte> destination, out int bytesRead);

    /// <summary>[MS-FSA] 2.1.5.3 Write.</summary>
    NtStatus Write(FsaOpen open, long offset, ReadOnlySpan<byte> data, bool writeThrough, out int bytesWritten);

    /// <summary>[MS-FSA] 2.1.5.7 Flush.</summary>
    NtStatus Flush(FsaOpen open);

    NtStatus QueryMetadata(FsaOpen open, out FileMetadata metadata);

    /// <summary>[MS-FSA] 2.1.5.14.2 FileBasicInformation: a time of 0 (or -1/-2) leaves that time as it is.</summary>
    NtStatus SetBasicInfo(FsaOpen open, long creationTime, long lastAccessTime, long lastWriteTime, long changeTime,
        FileAttributeFlags attributes);

    /// <summary>[MS-FSA] 2.1.5.12.1 FileFullEaInformation: every extended attribute of the file, in a stable order
    /// (an empty list when it has none). STATUS_EAS_NOT_SUPPORTED where the file system keeps none.</summary>
    NtStatus QueryEas(FsaOpen open, out IReadOnlyList<FsaEa> eas);

    /// <summary>[MS-FSA] 2.1.5.14.4 FileFullEaInformation: sets each EA, removing those with an empty value.</summary>
    NtStatus SetEas(FsaOpen open, IReadOnlyList<FsaEa> eas);

    /// <summary>[MS-FSA] 2.1.5.12 FileStreamInformation: the default stream (files only), then the named ones.</summary>
    NtStatus QueryStreams(FsaOpen open, out IReadOnlyList<FsaStreamInfo> streams);

    /// <summary>[MS-FSA] 2.1.5.14.5 FileEndOfFileInformation.</summary>
    NtStatus SetEndOfFile(FsaOpen open, long endOfFile);

    /// <summary>[MS-FSA] 2.1.5.14.1 FileAllocationInformation: below the end of file it truncates.</summary>
    NtStatus SetAllocationSize(FsaOpen open, long allocationSize);

    /// <summary>[MS-FSA] 2.1.5.14.3 FileDispositionInformation.</summary>
    NtStatus SetDisposition(FsaOpen open, bool deletePending);

    /// <summary>[MS-FSA] 2.1.5.14.11 FileRenameInformation: <paramref name="newPath"/> is relative to the root.</summary>
    NtStatus Rename(FsaOpen open, string newPath, bool replaceIfExists);

    /// <summary>[MS-FSA] 2.1.5.14.6 FileLinkInformation: a new name <paramref name="newPath"/> (relative to the root)
    /// for the open's file.</summary>
    NtStatus CreateHardLink(FsaOpen open, string newPath, bool replaceIfExists) => NtStatus.NotSupported;

    /// <summary>Before a rename into another directory: breaks the Handle caching of the leases on the destination's
    /// directory; true when the rename must wait, and then <paramref name="onDone"/> runs once they are acknowledged.</summary>
    bool BreakRenameDestinationParent(FsaOpen open, string newPath, Action? onDone) => false;

    /// <summary>
    /// [MS-FSA] 2.1.5.6 QueryDirectory: starts (or, with <paramref name="restart"/> or a new pattern, restarts) the
    /// enumeration of the directory <paramref name="directory"/> in <see cref="FsaOpen.Enumeration"/>.
    /// STATUS_NO_SUCH_FILE when nothing matches.
    /// </summary>
    NtStatus StartEnumeration(FsaOpen directory, string pattern);

    /// <summary>[MS-FSA] 2.1.5.13 Server Requests a Query of Security Information: the file's whole descriptor (the
    /// caller selects the parts and checks the open's access).</summary>
    NtStatus QuerySecurity(FsaOpen open, out Protocol.Security.Descriptors.SecurityDescriptor descriptor);

    /// <summary>[MS-FSA] 2.1.5.16 Server Requests Setting of Security Information.</summary>
    NtStatus SetSecurity(FsaOpen open, uint securityInformation, Protocol.Security.Descriptors.SecurityDescriptor descriptor,
        Security.AccessToken? token);

    NtStatus QuerySize(out FsSizeInfo info);

    /// <summary>[MS-FSA] 2.1.5.7/2.1.5.8 byte-range locks of the volume's files.</summary>
    Locks.ByteRangeLocks ByteRangeLocks { get; }

    /// <summary>[MS-FSA] 2.1.5.11 / 2.1.4.1 the change-notify watches of the volume's directories.</summary>
    Notify.ChangeNotifier ChangeNotifier { get; }

    FsVolumeInfo VolumeInfo { get; }

    /// <summary>The opens, share modes, oplocks and leases of the volume's files.</summary>
    ShareModeTable ShareModes { get; }
}
