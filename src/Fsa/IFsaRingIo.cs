namespace FastSmb.Fsa;

/// <summary>
/// What a volume offers callers that do its file I/O themselves (the core loops' io_uring): the checks of
/// <see cref="IFsaVolume.Read"/> ([MS-FSA] 2.1.5.2: access, byte-range locks) without the read, and the descriptor
/// to read from. A volume that cannot hand one out for an open (a stream kept in an xattr, times frozen by the open
/// that a read must put back) says so, and the caller uses <see cref="IFsaVolume.Read"/>.
/// </summary>
public interface IFsaRingIo
{
    /// <summary>
    /// Checks a read of <paramref name="length"/> bytes at <paramref name="offset"/> as <see cref="IFsaVolume.Read"/>
    /// would. On success <paramref name="fd"/> is the descriptor to read from with no further FSA work, or -1 when
    /// only <see cref="IFsaVolume.Read"/> may serve this open. The descriptor stays the open's: valid until it closes.
    /// </summary>
    NtStatus BeginRead(FsaOpen open, long offset, int length, out int fd);

    /// <summary>
    /// Reads what <see cref="BeginRead"/> allowed from <paramref name="fd"/> only if it needs no waiting for the disk
    /// (the page cache holds all of it): true with every byte of <paramref name="destination"/> filled. False when the
    /// read would block, came back short (the end of the file, or part not cached) or failed: the caller reads it on
    /// the ring instead.
    /// </summary>
    bool TryReadCached(int fd, long offset, Span<byte> destination);

    /// <summary>The status a failed read (an errno from the kernel) reports, as <see cref="IFsaVolume.Read"/> maps it.</summary>
    NtStatus ReadFailed(int errno);
}
