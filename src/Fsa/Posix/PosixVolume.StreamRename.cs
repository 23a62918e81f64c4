namespace FastSmb.Fsa.Posix;

/// <summary>
/// [MS-FSA] 2.1.5.14.11.1 Algorithm for Performing Stream Rename: FileRenameInformation with a name that starts with
/// ':' renames the open's stream within its file. A named stream may take another name (replacing a stream of that
/// name when ReplaceIfExists is set and nobody has it open); moving data between a named stream and the default one
/// is not served (Samba refuses it too).
/// </summary>
public sealed partial class PosixVolume
{
    private NtStatus RenameStream(PosixOpen o, string newName, bool replaceIfExists)
    {
        // ":name", ":name:$DATA" or "::$DATA": the same rules as a stream in a CREATE path.
        var status = FsaPath.TrySplit("f" + newName, out _, out var target);
        if (status != NtStatus.Success) return status;
        if (o.StreamName is null) return target is null ? NtStatus.Success : NtStatus.NotSupported;
        if (target is null) return NtStatus.NotSupported;
        if (target == o.StreamName) return NtStatus.Success;
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Rename, errno);

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
        // The new name is created empty (as CREATE does), then given the data; then the old name goes.
        var renamed = StreamProbe(o, target);
        // Stored names are case-sensitive, so a change of case also makes a new name before dropping the old one.
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

    /// <summary>A stand-in open for stream I/O by name on <paramref name="o"/>'s file (no access of its own).</summary>
    private PosixOpen StreamProbe(PosixOpen o, string streamName) =>
        new(this, o.Fd, AccessMask.None, FileShareAccess.All, false) { StreamName = streamName };
}
