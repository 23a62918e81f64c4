namespace FastSmb.Fsa.Posix;

/// <summary>[MS-FSA] 2.1.5.14.6 FileLinkInformation: hard links, as link(2) in the share.</summary>
public sealed partial class PosixVolume
{
    /// <summary>
    /// Gives the open's file the further name <paramref name="newPath"/>. A directory cannot have one
    /// (STATUS_FILE_IS_A_DIRECTORY), nor a stream; an existing target is an OBJECT_NAME_COLLISION unless
    /// <paramref name="replaceIfExists"/>, and then it must be a file nobody has open (ACCESS_DENIED, as Windows).
    /// Watchers and directory leases of the new name's directory see the change; the source's directory lists
    /// nothing new (smb2.dirlease.hardlink).
    /// </summary>
    public NtStatus CreateHardLink(FsaOpen open, string newPath, bool replaceIfExists)
    {
        var o = (PosixOpen)open;
        if (o.IsDirectory) return NtStatus.FileIsADirectory;
        if (o.StreamName is not null || newPath.Contains(':')) return NtStatus.InvalidParameter;
        string source = o.Node!.Path;
        var status = FsaPath.TrySplit(newPath, out var components);
        if (status != NtStatus.Success) return status;
        if (components.Length == 0) return NtStatus.ObjectNameInvalid;
        if (IsDepotPath(components)) return NtStatus.AccessDenied;
        status = _paths.Resolve(components, out var target);
        if (status != NtStatus.Success) return status;
        string leaf = components[^1];
        if (target.Exists)
        {
            if (target.Stat.Key == o.Key) return NtStatus.Success; // already a name of this file
            if (!replaceIfExists) return NtStatus.ObjectNameCollision;
            if (target.Stat.IsDirectory || ShareModes.HasOpens(target.Stat.Key)) return NtStatus.AccessDenied;
            leaf = target.Leaf;
        }

        var (sourceParent, sourceLeaf) = PathResolver.Split(source);
        bool replace = target.Exists;
        status = AtParents(sourceParent, target.Parent, FsOperation.Create, (from, to) =>
        {
            if (replace && Libc.Unlinkat(to, leaf, 0) != 0) return ErrnoMap.ToStatus(FsOperation.Delete, Libc.Errno);
            return Libc.Linkat(from, sourceLeaf, to, leaf, 0) != 0 ? ErrnoMap.ToStatus(FsOperation.Create, Libc.Errno)
                : NtStatus.Success;
        });
        if (status != NtStatus.Success) return status;
        _paths.CaseFold.Invalidate(target.Parent);
        string linked = PathResolver.Join(target.Parent, leaf);
        ChangeNotifier.Report(linked, Notify.FileAction.Added, Notify.NotifyFilter.FileName);
        ShareModes.BreakParentLeases(linked, o);
        return NtStatus.Success;
    }
}
