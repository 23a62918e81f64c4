namespace FastSmb.Fsa.Posix;

/// <summary>The directory-lease side of renames (see ShareModeTable.DirectoryLeases.cs for the breaks).</summary>
public sealed partial class PosixVolume
{
    /// <summary>
    /// The directory a rename of <paramref name="open"/> to <paramref name="newPath"/> moves the file into: its
    /// leases lose Handle caching before the rename checks the directory's opens (Samba 4.22's
    /// smbd_smb2_setinfo_rename_dst_parent_check). A name that does not resolve breaks nothing: the rename fails.
    /// </summary>
    public bool BreakRenameDestinationParent(FsaOpen open, string newPath, Action? onDone)
    {
        if (!DirectoryLeasesHeld || open.StreamName is not null) return false;
        if (FsaPath.TrySplit(newPath, out var components) != NtStatus.Success || components.Length == 0) return false;
        if (_paths.Resolve(components, out var target) != NtStatus.Success) return false;
        if (_paths.Stat(target.Parent, out var parent) != 0) return false;
        return ShareModes.BreakDirectoryHandle(parent.Key, open, onDone);
    }

    private bool DirectoryLeasesHeld => ShareModes.HasDirectoryLeases;
}
