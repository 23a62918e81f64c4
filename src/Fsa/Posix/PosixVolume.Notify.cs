using FastSmb.Fsa.Notify;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// [MS-FSA] 2.1.4.1 directory change notification: each operation that changes a directory's entries reports it to
/// <see cref="ChangeNotifier"/> once it succeeded, with the filter bits Windows reports for it.
/// </summary>
public sealed partial class PosixVolume
{
    public ChangeNotifier ChangeNotifier { get; } = new();

    private static NotifyFilter NameFilter(bool isDirectory) => isDirectory ? NotifyFilter.DirName : NotifyFilter.FileName;

    /// <summary>[MS-FSA] 2.1.5.1: a created entry is FILE_ACTION_ADDED; an overwritten file changed size, time and
    /// attributes.</summary>
    private void ReportOpened(PosixOpen open, CreateAction action)
    {
        if (open.StreamName is not null) return;
        if (action is CreateAction.Created or CreateAction.Overwritten or CreateAction.Superseded)
            ShareModes.BreakParentLeases(open.Node!.Path, open);
        if (action == CreateAction.Created)
            ChangeNotifier.Report(open.Node!.Path, FileAction.Added, NameFilter(open.IsDirectory));
        else if (action is CreateAction.Overwritten or CreateAction.Superseded)
            ChangeNotifier.Report(open.Node!.Path, FileAction.Modified,
                NotifyFilter.Attributes | NotifyFilter.Size | NotifyFilter.LastWrite);
    }

    /// <summary>[MS-FSA] 2.1.5.4: the last close of a delete-pending file removed it.</summary>
    private void ReportRemoved(string path, PosixOpen open)
    {
        ShareModes.BreakParentLeasesForDelete(path, open);
        if (open.StreamName is not null)
            ChangeNotifier.Report(path + ":" + open.StreamName.TrimStart(':'), FileAction.RemovedStream, NotifyFilter.StreamName);
        else
            ChangeNotifier.Report(path, FileAction.Removed, NameFilter(open.IsDirectory));
    }

    /// <summary>[MS-FSA] 2.1.5.4: a file written through this open changed its last-write time and maybe its size
    /// (reported once, at close, rather than on every write).</summary>
    private void ReportWritten(PosixOpen open)
    {
        if (!open.Written) return;
        ShareModes.BreakParentLeases(open.Node!.Path, open);
        if (open.StreamName is not null)
            ChangeNotifier.Report(open.Node!.Path + ":" + open.StreamName.TrimStart(':'), FileAction.ModifiedStream,
                NotifyFilter.StreamSize | NotifyFilter.StreamWrite);
        else
            ChangeNotifier.Report(open.Node!.Path, FileAction.Modified, NotifyFilter.LastWrite | NotifyFilter.Size);
    }

    /// <summary>[MS-FSA] 2.1.5.14.11: a rename within one directory is OLD_NAME then NEW_NAME; across directories the
    /// old one sees REMOVED and the new one ADDED.</summary>
    private void ReportRenamed(string from, string to, bool isDirectory, PosixOpen actor)
    {
        ShareModes.BreakParentLeases(from, actor);
        if (PathResolver.Split(from).Item1 != PathResolver.Split(to).Item1) ShareModes.BreakParentLeases(to, actor);
        var filter = NameFilter(isDirectory);
        if (PathResolver.Split(from).Item1 == PathResolver.Split(to).Item1)
        {
            ChangeNotifier.Report(from, FileAction.RenamedOldName, filter);
            ChangeNotifier.Report(to, FileAction.RenamedNewName, filter);
        }
        else
        {
            ChangeNotifier.Report(from, FileAction.Removed, filter);
            ChangeNotifier.Report(to, FileAction.Added, filter);
        }
        // A renamed file's attributes change too (Windows sets ARCHIVE): watchers of attributes see it as MODIFIED
        // under its new name, as smb2.notify's mask and mask-change tests expect.
        if (!isDirectory) ChangeNotifier.Report(to, FileAction.Modified, NotifyFilter.Attributes);
    }

    /// <summary>[MS-FSA] 2.1.5.14.2: the times and attributes that were set, as FILE_ACTION_MODIFIED. Returns
    /// <paramref name="status"/>.</summary>
    private NtStatus ReportBasicInfo(PosixOpen open, NtStatus status, long creationTime, long lastAccessTime,
        long lastWriteTime, FileAttributeFlags attributes)
    {
        if (status != NtStatus.Success) return status;
        var filter = NotifyFilter.None;
        if (attributes != 0) filter |= NotifyFilter.Attributes;
        if (creationTime > 0) filter |= NotifyFilter.Creation;
        if (lastAccessTime > 0) filter |= NotifyFilter.LastAccess;
        if (lastWriteTime > 0) filter |= NotifyFilter.LastWrite;
        if (filter != NotifyFilter.None) ReportModified(open, filter);
        return status;
    }

    /// <summary>A change to the file's data or metadata (size, EAs, security, times) as FILE_ACTION_MODIFIED.
    /// Returns <paramref name="status"/>.</summary>
    internal NtStatus ReportModified(PosixOpen open, NotifyFilter filter, NtStatus status = NtStatus.Success)
    {
        if (status == NtStatus.Success && open.Node is { } node)
        {
            ChangeNotifier.Report(node.Path, FileAction.Modified, filter);
            // What a directory listing shows changed (security descriptors are not in it).
            if ((filter & ~NotifyFilter.Security) != 0) ShareModes.BreakParentLeases(node.Path, open);
        }
        return status;
    }
}
