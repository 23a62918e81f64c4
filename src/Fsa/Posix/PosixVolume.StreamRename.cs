namespace FastSmb.Fsa.Posix;

/// <summary>
/// [MS-FSA] 2.1.5.14.11.1 Algorithm for Performing Stream Rename: FileRenameInformation with a name that starts with
/// ':' renames the open's stream within its file. A named stream may take another name (replacing a stream of that
/// name when ReplaceIfExists is set and nobody has it open) or become the file's default data stream (when that is
/// empty, or ReplaceIfExists is set, and the file has no other open); the default stream does not become a named one.
/// </summary>
public sealed partial class PosixVolume
{
    private NtStatus RenameStream(PosixOpen o, string newName, bool replaceIfExists)
    {
        // ":name", ":name:$DATA" or "::$DATA": the same rules as a stream in a CREATE path.
        var status = FsaPath.TrySplit("f" + newName, out _, out var target);
        if (status != NtStatus.Success) return status;
        if (o.StreamName is null) return target is null ? NtStatus.Success : NtStatus.NotSupported;
        if (target == o.StreamName) return NtStatus.Success;
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Rename, errno);
        if (target is null) return RenameStreamToDefault(o, st, replaceIfExists);

        bool caseOnly = target.Equals(o.StreamName, StringComparison.OrdinalIgnoreCase);
        string? existing = caseOnly ? null : FindStream(o.Fd, st, target, out _);
        if (existing is not null)
        {
            if (!replaceIfExists) return NtStatus.ObjectNameCollision;
            if (ShareModes.HasOpens(st.Key with { Stream = existing.ToUpperInvariant() })) return NtStatus.SharingViolation;
            status = DeleteStream(StreamProbe(o, existing));
            if (status != NtStatus.Success) return status;
        }

        errno = ReadStream(o, out var data, out _);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Rename, errno);
        // The new name is created empty (as CREATE does), then given the data; then the old name goes. Stored names
        // are case-sensitive, so a change of case also makes a new name before dropping the old one.
        var renamed = StreamProbe(o, target);
        errno = Xattrs.Set(o.Fd, StreamXattrPrefix + target + StreamXattrSuffix, [0], Libc.XATTR_CREATE);
        if (errno is Libc.EOPNOTSUPP or Libc.ENOSPC or Libc.E2BIG) errno = WriteDepot(st, target, [], create: true);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Rename, errno);
        errno = StoreStream(renamed, data);
        if (errno != 0)
        {
            DeleteStream(renamed);
            return ErrnoMap.ToStatus(FsOperation.Rename, errno);
        }
        status = DeleteStream(o);
        if (status != NtStatus.Success) return status;
        o.StreamName = target;
        return ShareModes.RekeyStream(o, st.Key with { Stream = target.ToUpperInvariant() });
    }

    /// <summary>The named stream of <paramref name="o"/> becomes the file's data: its content replaces the default
    /// stream's, the stream goes, and the open is an open of the file from now on (with a descriptor that can write).</summary>
    private unsafe NtStatus RenameStreamToDefault(PosixOpen o, in Libc.Statx st, bool replaceIfExists)
    {
        if (st.IsDirectory) return NtStatus.InvalidParameter;
        if (!replaceIfExists && st.Size != 0) return NtStatus.ObjectNameCollision;
        if (ShareModes.HasOpens(st.Key)) return NtStatus.SharingViolation;
        int errno = ReadStream(o, out var data, out _);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Rename, errno);
        errno = _paths.Open(o.Node!.Path, Libc.O_RDWR | Libc.O_NONBLOCK, 0, out var fileFd);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Rename, errno);
        // The name may lead elsewhere by now: only the file this open holds may take the data.
        if (PathResolver.StatFd(fileFd!, out var now) != 0 || now.Key != st.Key)
        {
            fileFd!.Dispose();
            return NtStatus.SharingViolation;
        }
        errno = Libc.Ftruncate(fileFd!, 0) != 0 ? Libc.Errno : WriteAll(fileFd!, data);
        if (errno != 0)
        {
            fileFd!.Dispose();
            return ErrnoMap.ToStatus(FsOperation.Write, errno);
        }
        var status = DeleteStream(o);
        if (status != NtStatus.Success)
        {
            fileFd!.Dispose();
            return status;
        }
        status = ShareModes.RekeyStream(o, st.Key);
        if (status != NtStatus.Success)
        {
            fileFd!.Dispose();
            return status;
        }
        o.StreamName = null;
        o.ReplaceFd(fileFd!);
        return NtStatus.Success;

        static int WriteAll(FileDescriptor fd, byte[] bytes)
        {
            fixed (byte* p = bytes)
                for (int done = 0; done < bytes.Length;)
                {
                    nint n = Libc.Pwrite(fd, p + done, (nuint)(bytes.Length - done), done);
                    if (n <= 0) return n < 0 ? Libc.Errno : Libc.ENOSPC;
                    done += (int)n;
                }
            return 0;
        }
    }

    /// <summary>A stand-in open for stream I/O by name on <paramref name="o"/>'s file (no access of its own).</summary>
    private PosixOpen StreamProbe(PosixOpen o, string streamName) =>
        new(this, o.Fd, AccessMask.None, FileShareAccess.All, false) { StreamName = streamName };
}
