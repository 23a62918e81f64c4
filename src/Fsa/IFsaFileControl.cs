namespace FastSmb.Fsa;

/// <summary>A byte range of a file: where it starts and how long it is.</summary>
public readonly record struct FsaRange(long Offset, long Length);

/// <summary>
/// The file system controls of [MS-FSA] 2.1.5.10 that change or describe a file's data layout, and the server-side
/// copy that SMB2's FSCTL_SRV_COPYCHUNK asks of the object store. Every outcome is an <see cref="NtStatus"/>; access
/// checks against the open's granted access are made here, as for READ and WRITE. Implemented by volumes that
/// support them (<see cref="IFsaVolume"/> implementations may also implement this); thread-safe like the volume.
/// </summary>
public interface IFsaFileControl
{
    /// <summary>[MS-FSA] 2.1.5.10.36 FSCTL_SET_SPARSE: sets or clears FILE_ATTRIBUTE_SPARSE_FILE. Clearing it
    /// allocates the file's holes.</summary>
    NtStatus SetSparse(FsaOpen open, bool sparse);

    /// <summary>[MS-FSA] 2.1.5.10.39 FSCTL_SET_ZERO_DATA: zeroes [offset, beyondFinalZero) inside the end of file,
    /// deallocating it in a sparse file; the end of file never moves.</summary>
    NtStatus ZeroData(FsaOpen open, long offset, long beyondFinalZero);

    /// <summary>
    /// [MS-FSA] 2.1.5.10.22 FSCTL_QUERY_ALLOCATED_RANGES: the allocated ranges of [offset, offset + length) inside the
    /// end of file, in order, into <paramref name="ranges"/>; <paramref name="truncated"/> when more did not fit. A file
    /// that is not sparse is one allocated range.
    /// </summary>
    NtStatus QueryAllocatedRanges(FsaOpen open, long offset, long length, Span<FsaRange> ranges, out int count,
        out bool truncated);

    /// <summary>
    /// Copies <paramref name="length"/> bytes from <paramref name="source"/> at <paramref name="sourceOffset"/> to
    /// <paramref name="target"/> at <paramref name="targetOffset"/> (the data move of [MS-SMB2] 3.3.5.15.6), as if
    /// read whole and then written, so overlapping ranges of one file copy correctly. STATUS_INVALID_VIEW_SIZE when
    /// the source range runs past the source's end of file. The opens may be streams, and of different volumes.
    /// </summary>
    NtStatus CopyRange(FsaOpen source, long sourceOffset, FsaOpen target, long targetOffset, long length);

    /// <summary>[MS-FSA] 2.1.5.10.7 FSCTL_DUPLICATE_EXTENTS_TO_FILE: shares the source range's blocks with the
    /// target (a reflink); STATUS_NOT_SUPPORTED where the file system cannot.</summary>
    NtStatus DuplicateExtents(FsaOpen source, long sourceOffset, FsaOpen target, long targetOffset, long length);
}
