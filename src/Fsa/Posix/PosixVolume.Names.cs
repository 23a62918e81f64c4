namespace FastSmb.Fsa.Posix;

/// <summary>The name-space operations: rename, delete disposition and directory enumeration.</summary>
public sealed partial class PosixVolume
{
    public NtStatus SetDisposition(FsaOpen open, bool deletePending)
    {
        var o = (PosixOpen)open;
        // [MS-FSA] 2.1.5.14.3: the open must have been granted DELETE.
        if ((o.GrantedAccess & AccessMask.Delete) == 0) return NtStatus.AccessDenied;
        if (deletePending)
        {
            if (o.Node!.Path.Length == 0) return NtStatus.CannotDelete; // the share root
            // [MS-FSA] 2.1.5.14.3: "If File.FileAttributes.FILE_ATTRIBUTE_READONLY is TRUE ... STATUS_CANNOT_DELETE".
            if (!o.IsDirectory && (CurrentAttributes(o) & FileAttributeFlags.ReadOnly) != 0) return NtStatus.CannotDelete;
            if (o.IsDirectory && PathResolver.ReadNames(o.Fd).Count > 0) return NtStatus.DirectoryNotEmpty;
        }
        ShareModes.SetDeletePending(o, deletePending);
        return NtStatus.Success;
    }

    public NtStatus Rename(FsaOpen open, string newPath, bool replaceIfExists)
    {
        var o = (PosixOpen)open;
        // [MS-FSA] 2.1.5.14.11: renaming needs DELETE on the source.
        if ((o.GrantedAccess & AccessMask.Delete) == 0) return NtStatus.AccessDenied;
        if (newPath.StartsWith(':')) return RenameStream(o, newPath, replaceIfExists);
        // A stream open renamed to "file:stream" (a path, not ":stream"): Windows and Samba answer a sharing violation;
        // moving a stream's file by a stream open is not served.
        if (o.StreamName is not null) return newPath.Contains(':') ? NtStatus.SharingViolation : NtStatus.NotSupported;
        string source = o.Node!.Path;
        if (source.Length == 0) return NtStatus.AccessDenied;
        var status = FsaPath.TrySplit(newPath, out var components);
        if (status != NtStatus.Success) return status;
        if (components.Length == 0) return NtStatus.ObjectNameInvalid;
        if (IsDepotPath(components)) return NtStatus.AccessDenied;
        status = _paths.Resolve(components, out var target);
        if (status != NtStatus.Success) return status;

        // Windows opens the target's directory for the rename, asking to add an entry (FILE_ADD_FILE, or
        // FILE_ADD_SUBDIRECTORY for a directory) and sharing only read and write: an open of that directory that
        // holds DELETE, or that does not share write, makes the rename a sharing violation (smb2.rename's
        // share_delete_and_delete_access, no_share_delete_*).
        int statErrno = _paths.Stat(target.Parent, out var parentStat);
        if (statErrno != 0) return ErrnoMap.ToStatus(FsOperation.Rename, statErrno);
        status = ShareModes.CheckSharing(parentStat.Key, o.IsDirectory ? AccessMask.AppendData : AccessMask.WriteData,
            FileShareAccess.Read | FileShareAccess.Write);
        if (status != NtStatus.Success) return status;

        string leaf = components[^1];
        uint flags = Libc.RENAME_NOREPLACE;
        if (target.Exists)
        {
            if (target.Stat.Key == o.Key)
            {
                // The same file: a change of case only ("a.txt" to "A.TXT"), or no change at all.
                if (PathResolver.Join(target.Parent, leaf) == source) return NtStatus.Success;
                flags = 0;
            }
            else
            {
                if (!replaceIfExists) return NtStatus.ObjectNameCollision;
                // Windows refuses to replace a directory, or a file somebody has open.
                if (target.Stat.IsDirectory || ShareModes.HasOpens(target.Stat.Key)) return NtStatus.AccessDenied;
                leaf = target.Leaf; // replace the file that is there, whatever case the client used
                flags = 0;
            }
        }
        // A directory whose descendants are open cannot move: their opens would lose their names.
        if (o.IsDirectory && ShareModes.HasOpensBeneath(source)) return NtStatus.AccessDenied;

        var (sourceParent, sourceLeaf) = PathResolver.Split(source);
        status = AtParents(sourceParent, target.Parent, FsOperation.Rename, (from, to) =>
            Libc.Renameat2(from, sourceLeaf, to, leaf, flags) != 0 ? ErrnoMap.ToStatus(FsOperation.Rename, Libc.Errno)
                : NtStatus.Success);
        if (status != NtStatus.Success) return status;
        _paths.CaseFold.Invalidate(sourceParent);
        _paths.CaseFold.Invalidate(target.Parent);
        if (o.IsDirectory) _paths.CaseFold.InvalidateTree(source);
        ShareModes.Rename(o, PathResolver.Join(target.Parent, leaf));
        ReportRenamed(source, o.Node!.Path, o.IsDirectory, o);
        return NtStatus.Success;
    }

    /// <summary>
    /// The two-name operations (rename, hard link) act on an entry of one directory and a name in another: both
    /// directories are opened beneath the root (O_PATH) and <paramref name="call"/> makes the *at call on them. A
    /// directory that cannot be opened fails as <paramref name="operation"/>.
    /// </summary>
    private NtStatus AtParents(string fromParent, string toParent, FsOperation operation,
        Func<FileDescriptor, FileDescriptor, NtStatus> call)
    {
        int errno = _paths.Open(fromParent, Libc.O_PATH | Libc.O_DIRECTORY, 0, out var from);
        if (errno != 0) return ErrnoMap.ToStatus(operation, errno);
        using (from)
        {
            errno = _paths.Open(toParent, Libc.O_PATH | Libc.O_DIRECTORY, 0, out var to);
            if (errno != 0) return ErrnoMap.ToStatus(operation, errno);
            using (to) return call(from!, to!);
        }
    }

    public NtStatus StartEnumeration(FsaOpen directory, string pattern)
    {
        var o = (PosixOpen)directory;
        if (!o.IsDirectory) return NtStatus.InvalidParameter;
        // FILE_LIST_DIRECTORY is FILE_READ_DATA on a directory.
        if ((o.GrantedAccess & AccessMask.ReadData) == 0) return NtStatus.AccessDenied;
        if (pattern.Length == 0) pattern = "*";
        bool wildcards = WildcardMatcher.HasWildcards(pattern);
        var names = new List<string>();
        foreach (var name in (string[])[".", ".."])
            if (wildcards ? WildcardMatcher.IsMatch(name, pattern) : name == pattern) names.Add(name);
        foreach (var name in PathResolver.ReadNames(o.Fd))
        {
            if (!IsRepresentable(name)) continue;
            if (o.Node!.Path.Length == 0 && name == StreamDepotName) continue; // the stream depot is ours, not the client's
            if (wildcards ? WildcardMatcher.IsMatch(name, pattern) : string.Equals(name, pattern, StringComparison.OrdinalIgnoreCase))
                names.Add(name);
        }
        o.Enumeration = new PosixEnumeration(this, o, pattern, names);
        return names.Count == 0 ? NtStatus.NoSuchFile : NtStatus.Success;
    }

    /// <summary>Metadata of one entry of <paramref name="directory"/>; false hides it (gone, or a symlink that leads
    /// out of the share or nowhere).</summary>
    internal bool TryDescribeEntry(PosixOpen directory, string name, out FileMetadata metadata)
    {
        metadata = default;
        int errno;
        Libc.Statx st;
        bool link = false;
        if (name == ".")
        {
            errno = PathResolver.StatFd(directory.Fd, out st);
        }
        else if (name == "..")
        {
            // The root's parent is outside the share: the root stands in for it.
            string path = directory.Node!.Path;
            errno = path.Length == 0 ? PathResolver.StatFd(directory.Fd, out st) : _paths.Stat(PathResolver.Split(path).Parent, out st);
        }
        else
        {
            errno = Libc.StatxAt(directory.Fd, name, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS | Libc.STATX_BTIME, out st) == 0
                ? 0 : Libc.Errno;
            if (errno == 0 && st.IsSymlink)
            {
                link = true;
                errno = _paths.Stat(PathResolver.Join(directory.Node!.Path, name), out st);
            }
        }
        if (errno != 0 || !(st.IsDirectory || st.IsRegular)) return false;
        metadata = ToMetadata(st, ReadXattrMetadata(null, Xattrs.EntryPath(directory.Fd,
            name == ".." && directory.Node!.Path.Length != 0 ? ".." : name == ".." ? "." : name)));
        if (link) metadata = MarkAsLink(metadata);
        return true;
    }

    /// <summary>Names Windows cannot spell are left out of listings (Samba would mangle them; not yet).</summary>
    private static bool IsRepresentable(string name)
    {
        foreach (char c in name)
            if (c < 0x20 || c is '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' or '\uFFFD') return false;
        return true;
    }
}
