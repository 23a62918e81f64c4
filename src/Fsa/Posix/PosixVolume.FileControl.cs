using System.Buffers;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// <see cref="IFsaFileControl"/> on Linux: the sparse attribute lives in the DOSATTRIB with the other attributes (as
/// Samba keeps it); holes are punched with fallocate(PUNCH_HOLE | KEEP_SIZE) and found with SEEK_DATA/SEEK_HOLE;
/// copies stay in the kernel with copy_file_range where it can, else go through a pooled buffer. Named streams go
/// through the volume's own Read and Write.
/// </summary>
public sealed partial class PosixVolume : IFsaFileControl
{
    /// <summary>The fallback copy buffer: a whole SMB2 copy chunk ([MS-SMB2] 3.3.3 ServerSideCopyMaxChunkSize), so a
    /// chunk is read completely before any of it is written.</summary>
    private const int CopyBufferSize = 1024 * 1024;

    public NtStatus SetSparse(FsaOpen open, bool sparse)
    {
        var o = (PosixOpen)open;
        // [MS-FSA] 2.1.5.10.36: a directory cannot be sparse; the open needs to be able to write data or attributes.
        if (o.IsDirectory) return NtStatus.InvalidParameter;
        if ((o.GrantedAccess & (AccessMask.WriteData | AccessMask.WriteAttributes | AccessMask.AppendData)) == 0)
            return NtStatus.AccessDenied;
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        var current = ToMetadata(st, ReadDos(o.Fd));
        bool isSparse = (current.Attributes & FileAttributeFlags.SparseFile) != 0;
        if (isSparse == sparse) return NtStatus.Success;
        var attributes = (current.Attributes & FileAttributeFlags.Settable) | (sparse ? FileAttributeFlags.SparseFile : 0);
        Span<byte> value = stackalloc byte[DosAttrib.EncodedSize];
        DosAttrib.Encode(value, attributes, current.CreationTime);
        errno = Xattrs.Set(o.Fd, DosAttrib.XattrName, value);
        if (errno == Libc.EOPNOTSUPP) return NtStatus.NotSupported;
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
        // A file that stops being sparse gets its holes allocated (NTFS does; Samba with "strict allocate").
        if (!sparse && o.StreamName is null && st.Size > 0) Libc.Fallocate(o.Fd, Libc.FALLOC_FL_KEEP_SIZE, 0, (long)st.Size);
        return NtStatus.Success;
    }

    public NtStatus ZeroData(FsaOpen open, long offset, long beyondFinalZero)
    {
        var o = (PosixOpen)open;
        if (o.IsDirectory) return NtStatus.InvalidParameter;
        // [MS-FSA] 2.1.5.10.39: negative offsets, or an offset past BeyondFinalZero, are invalid.
        if (offset < 0 || beyondFinalZero < 0 || offset > beyondFinalZero) return NtStatus.InvalidParameter;
        if ((o.GrantedAccess & AccessMask.WriteData) == 0) return NtStatus.AccessDenied;
        var status = QueryMetadata(open, out var metadata);
        if (status != NtStatus.Success) return status;
        long end = Math.Min(beyondFinalZero, metadata.EndOfFile);
        if (end <= offset) return NtStatus.Success;
        // Zeroing is a write: another open's lock on the range is STATUS_FILE_LOCK_CONFLICT ([MS-FSA] 2.1.5.3 via
        // 2.1.4.10), as Windows Server 2012+ and Samba answer (smbtorture smb2.ioctl.sparse_lock).
        status = Locks.ByteRangeLocks.CheckWrite(o, offset, end - offset);
        if (status != NtStatus.Success) return status;
        if (o.StreamName is not null) return WriteZeros(o, offset, end - offset);
        bool sparse = (metadata.Attributes & FileAttributeFlags.SparseFile) != 0;
        // A sparse file gives the blocks back; any other keeps them allocated, zeroed.
        int mode = (sparse ? Libc.FALLOC_FL_PUNCH_HOLE : Libc.FALLOC_FL_ZERO_RANGE) | Libc.FALLOC_FL_KEEP_SIZE;
        if (Libc.Fallocate(o.Fd, mode, offset, end - offset) == 0)
        {
            KeepFrozenTimes(o, written: true);
            return NtStatus.Success;
        }
        int errno = Libc.Errno;
        if (errno is not (Libc.EOPNOTSUPP or Libc.ENOSYS or Libc.EINVAL)) return ErrnoMap.ToStatus(FsOperation.Write, errno);
        // A file system without holes or zero ranges: write the zeros.
        return WriteZeros(o, offset, end - offset);
    }

    private NtStatus WriteZeros(PosixOpen o, long offset, long length)
    {
        byte[] zeros = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, CopyBufferSize));
        try
        {
            Array.Clear(zeros);
            while (length > 0)
            {
                int n = (int)Math.Min(length, zeros.Length);
                var status = Write(o, offset, zeros.AsSpan(0, n), writeThrough: false, out _);
                if (status != NtStatus.Success) return status;
                offset += n;
                length -= n;
            }
            return NtStatus.Success;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(zeros);
        }
    }

    public NtStatus QueryAllocatedRanges(FsaOpen open, long offset, long length, Span<FsaRange> ranges, out int count,
        out bool truncated)
    {
        count = 0;
        truncated = false;
        var o = (PosixOpen)open;
        if (o.IsDirectory) return NtStatus.InvalidParameter;
        // [MS-FSA] 2.1.5.10.22: negative values, or a range whose end overflows, are invalid.
        if (offset < 0 || length < 0 || offset > long.MaxValue - length) return NtStatus.InvalidParameter;
        if ((o.GrantedAccess & AccessMask.ReadData) == 0) return NtStatus.AccessDenied;
        var status = QueryMetadata(open, out var metadata);
        if (status != NtStatus.Success) return status;
        long end = Math.Min(offset + length, metadata.EndOfFile);
        if (end <= offset) return NtStatus.Success;
        if ((metadata.Attributes & FileAttributeFlags.SparseFile) == 0 || o.StreamName is not null)
            return AddRange(ranges, ref count, ref truncated, offset, end);

        long position = offset;
        while (position < end)
        {
            long data = Libc.Lseek(o.Fd, position, Libc.SEEK_DATA);
            if (data < 0)
            {
                int errno = Libc.Errno;
                if (errno == Libc.ENXIO) break; // nothing but a hole up to the end of file
                // No SEEK_DATA here: everything counts as allocated.
                return AddRange(ranges, ref count, ref truncated, position, end);
            }
            if (data >= end) break;
            long hole = Libc.Lseek(o.Fd, data, Libc.SEEK_HOLE);
            if (hole < 0 || hole > end) hole = end;
            AddRange(ranges, ref count, ref truncated, data, hole);
            if (truncated) break;
            position = hole;
        }
        return NtStatus.Success;
    }

    private static NtStatus AddRange(Span<FsaRange> ranges, ref int count, ref bool truncated, long start, long end)
    {
        if (count == ranges.Length)
        {
            truncated = true;
            return NtStatus.Success;
        }
        ranges[count++] = new FsaRange(start, end - start);
        return NtStatus.Success;
    }

    public unsafe NtStatus CopyRange(FsaOpen source, long sourceOffset, FsaOpen target, long targetOffset, long length)
    {
        var s = (PosixOpen)source;
        var t = (PosixOpen)target;
        if (s.IsDirectory || t.IsDirectory) return NtStatus.InvalidDeviceRequest;
        if (sourceOffset < 0 || targetOffset < 0 || length < 0 || sourceOffset > long.MaxValue - length
            || targetOffset > long.MaxValue - length)
            return NtStatus.InvalidParameter;
        if ((s.GrantedAccess & (AccessMask.ReadData | AccessMask.Execute)) == 0) return NtStatus.AccessDenied;
        if ((t.GrantedAccess & (AccessMask.WriteData | AccessMask.AppendData)) == 0) return NtStatus.AccessDenied;
        var status = s.Volume.QueryMetadata(s, out var sourceMetadata);
        if (status != NtStatus.Success) return status;
        if (sourceOffset + length > sourceMetadata.EndOfFile) return NtStatus.InvalidViewSize;
        if (length == 0) return NtStatus.Success;
        // The copy reads the source and writes the target as READ and WRITE do, so byte-range locks apply to both
        // ([MS-FSA] 2.1.5.2/2.1.5.3; Windows Server 2012+ and Samba answer STATUS_FILE_LOCK_CONFLICT, smbtorture
        // smb2.ioctl.copy_chunk_src_lock / copy_chunk_dest_lock).
        status = Locks.ByteRangeLocks.CheckRead(s, sourceOffset, length);
        if (status == NtStatus.Success) status = Locks.ByteRangeLocks.CheckWrite(t, targetOffset, length);
        if (status != NtStatus.Success) return status;

        bool sameFile = s.Node is not null && t.Node is not null && s.Key.Equals(t.Key);
        bool overlapping = sameFile && s.StreamName == t.StreamName
            && sourceOffset < targetOffset + length && targetOffset < sourceOffset + length;
        if (s.StreamName is null && t.StreamName is null && !overlapping)
        {
            long inOff = sourceOffset, outOff = targetOffset, left = length;
            while (left > 0)
            {
                nint n = Libc.CopyFileRange(s.Fd, &inOff, t.Fd, &outOff, (nuint)left, 0);
                if (n > 0)
                {
                    left -= n;
                    continue;
                }
                if (n == 0) return NtStatus.InvalidViewSize; // the source shrank under us
                int errno = Libc.Errno;
                if (errno is Libc.EXDEV or Libc.EINVAL or Libc.EOPNOTSUPP or Libc.ENOSYS or Libc.EBADF) break;
                return ErrnoMap.ToStatus(FsOperation.Write, errno);
            }
            if (left == 0)
            {
                KeepFrozenTimes(t, written: true);
                return NtStatus.Success;
            }
            // Copy what copy_file_range left through the buffer.
            long done = length - left;
            return CopyThroughBuffer(s, sourceOffset + done, t, targetOffset + done, left);
        }
        return CopyThroughBuffer(s, sourceOffset, t, targetOffset, length);
    }

    /// <summary>Reads each piece whole before writing it, so an overlapping copy within one file is right for
    /// every range up to the buffer's size (an SMB2 chunk is at most that).</summary>
    private static NtStatus CopyThroughBuffer(PosixOpen source, long sourceOffset, PosixOpen target, long targetOffset,
        long length)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, CopyBufferSize));
        try
        {
            while (length > 0)
            {
                int want = (int)Math.Min(length, buffer.Length);
                var status = source.Volume.Read(source, sourceOffset, buffer.AsSpan(0, want), out int read);
                if (status != NtStatus.Success) return status;
                if (read < want) return NtStatus.InvalidViewSize;
                status = target.Volume.Write(target, targetOffset, buffer.AsSpan(0, want), writeThrough: false, out _);
                if (status != NtStatus.Success) return status;
                sourceOffset += want;
                targetOffset += want;
                length -= want;
            }
            return NtStatus.Success;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public unsafe NtStatus DuplicateExtents(FsaOpen source, long sourceOffset, FsaOpen target, long targetOffset, long length)
    {
        var s = (PosixOpen)source;
        var t = (PosixOpen)target;
        if (s.IsDirectory || t.IsDirectory) return NtStatus.InvalidParameter;
        if (sourceOffset < 0 || targetOffset < 0 || length < 0) return NtStatus.InvalidParameter;
        if ((s.GrantedAccess & AccessMask.ReadData) == 0) return NtStatus.AccessDenied;
        if ((t.GrantedAccess & AccessMask.WriteData) == 0) return NtStatus.AccessDenied;
        if (s.StreamName is not null || t.StreamName is not null) return NtStatus.NotSupported;
        if (length == 0) return NtStatus.Success;
        var range = new Libc.FileCloneRange
        {
            SrcFd = s.Fd.DangerousGetHandle(),
            SrcOffset = (ulong)sourceOffset,
            SrcLength = (ulong)length,
            DestOffset = (ulong)targetOffset,
        };
        bool added = false;
        s.Fd.DangerousAddRef(ref added);
        try
        {
            if (Libc.IoctlCloneRange(t.Fd, Libc.FICLONERANGE, &range) == 0) return NtStatus.Success;
        }
        finally
        {
            if (added) s.Fd.DangerousRelease();
        }
        int errno = Libc.Errno;
        return errno is Libc.EOPNOTSUPP or Libc.ENOSYS or Libc.EXDEV or Libc.ENOTTY or Libc.EINVAL
            ? NtStatus.NotSupported : ErrnoMap.ToStatus(FsOperation.Write, errno);
    }
}
