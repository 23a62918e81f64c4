using FastSmb.Fsa.Oplocks;

namespace FastSmb.Fsa;

/// <summary>
/// Directory leases ([MS-SMB2] 3.3.1.4 / 3.3.5.9.11, [MS-FSA] 2.1.4.13 and 2.1.5.17 for a directory): R and RH leases
/// on directories, broken to none when a change inside the directory alters what its listing shows — an entry
/// created, deleted or renamed in or out, its size, times or attributes set, a written file closed. A change made
/// through an open whose lease names the directory's lease key as its ParentLeaseKey breaks nothing: that client
/// knows of it (Windows, and Samba 4.22's contend_dirleases). Nothing waits for these breaks.
/// </summary>
public sealed partial class ShareModeTable
{
    /// <summary>Directory leases held on this volume: while none is, a change costs one read of this field.</summary>
    private int _directoryLeases;

    /// <summary>Whether any directory lease is held (an unlocked read; a stale answer only skips or costs a lookup).</summary>
    public bool HasDirectoryLeases => Volatile.Read(ref _directoryLeases) != 0;

    /// <summary>
    /// The entry <paramref name="childPath"/> (volume-relative, '/'-separated) of a directory changed through
    /// <paramref name="actor"/> (null: the server itself, or a change made outside it): every lease on the directory
    /// that holds Read or Handle and is not the actor's parent lease breaks to none.
    /// </summary>
    public void BreakParentLeases(string childPath, FsaOpen? actor) => BreakParentLeases(childPath, ActorParentLeaseKey(actor));

    /// <summary>
    /// The last close of <paramref name="closing"/> deleted <paramref name="path"/>: the directory's leases break,
    /// but for the parent lease of the handle that set the delete, when that is also the closing handle's (Samba
    /// 4.22's close_remove_share_mode; smb2.dirlease.unlink_*): otherwise every lease on the directory breaks.
    /// </summary>
    public void BreakParentLeasesForDelete(string path, FsaOpen closing)
    {
        if (Volatile.Read(ref _directoryLeases) == 0) return;
        var key = ActorParentLeaseKey(closing);
        BreakParentLeases(path, closing.Node is { } node && node.DeleteParentLeaseKey == key ? key : Guid.Empty);
    }

    /// <summary>The open set the delete disposition (or closed with delete-on-close): its parent lease key is
    /// remembered for the deletion. Caller holds the lock.</summary>
    private static void DeleteRequestedBy(FileNode node, FsaOpen open) => node.DeleteParentLeaseKey = ActorParentLeaseKey(open);

    private void BreakParentLeases(string childPath, Guid parentKey)
    {
        if (Volatile.Read(ref _directoryLeases) == 0 || childPath.Length == 0) return;
        int slash = childPath.LastIndexOf('/');
        var parent = slash < 0 ? "" : childPath[..slash];
        lock (_lock)
        {
            foreach (var node in _files.Values)
            {
                if (node.Grants.Count == 0 || node.Key.Stream is not null || node.Path != parent) continue;
                foreach (var grant in node.Grants.ToArray())
                {
                    if (!grant.IsLease || !grant.IsDirectory || (parentKey != Guid.Empty && grant.LeaseKey == parentKey)) continue;
                    // A break in progress is lowered to none; otherwise Read or Handle caching breaks.
                    var current = grant.Breaking ? grant.RequiredBreakTo : grant.State;
                    if ((current & CachingState.ReadHandle) == 0) continue;
                    StartBreak(grant, CachingState.None);
                }
            }
        }
    }

    /// <summary>[MS-SMB2] 2.2.13.2.10: the ParentLeaseKey of the actor's lease (v2 with
    /// SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET); empty for an open without one, whose changes break every directory lease.</summary>
    private static Guid ActorParentLeaseKey(FsaOpen? actor)
    {
        if (actor is null) return Guid.Empty;
        if (actor.Grant is { IsLease: true } grant) return grant.ParentLeaseKey;
        return actor.Caching is { IsLease: true } request ? request.ParentLeaseKey : Guid.Empty;
    }

    /// <summary>Counts a directory lease that <see cref="GrantCaching"/> created. Caller holds the lock.</summary>
    private void DirectoryLeaseAdded(CachingGrant grant)
    {
        if (grant.IsDirectory) _directoryLeases++;
    }

    /// <summary>Forgets a directory lease whose last open closed. Caller holds the lock.</summary>
    private void DirectoryLeaseRemoved(CachingGrant grant)
    {
        if (grant.IsDirectory) _directoryLeases--;
    }

    /// <summary>Whether an open of the lease would keep a rename from adding an entry to its directory: the rename
    /// opens the directory as if for DELETE, sharing read and write (see PosixVolume.Rename), so only holders that
    /// have the directory open with DELETE, or without sharing it, must give up their cached handles.</summary>
    private static bool ConflictsWithRenameInto(CachingGrant grant)
    {
        foreach (var o in grant.Opens)
            if (Conflicts(o.GrantedAccess, o.ShareAccess, AccessMask.Delete, FileShareAccess.Read | FileShareAccess.Write))
                return true;
        return false;
    }

    /// <summary>
    /// A rename into the directory <paramref name="directory"/> (Samba 4.22's rename destination parent check,
    /// smb2.dirlease.rename_dst_parent): the other leases on it lose Handle caching, so that their holders close
    /// cached handles that would make the rename a sharing violation. True (and <paramref name="onDone"/> registered)
    /// when the rename must wait for the acknowledgments.
    /// </summary>
    public bool BreakDirectoryHandle(FileKey directory, FsaOpen actor, Action? onDone)
    {
        if (Volatile.Read(ref _directoryLeases) == 0) return false;
        lock (_lock)
        {
            if (!_files.TryGetValue(directory, out var node) || node.Grants.Count == 0) return false;
            bool wait = false;
            foreach (var grant in node.Grants.ToArray())
            {
                if (grant == actor.Grant || !grant.IsLease || !ConflictsWithRenameInto(grant)) continue;
                var current = grant.Breaking ? grant.RequiredBreakTo : grant.State;
                if ((current & CachingState.Handle) != 0) StartBreak(grant, current & ~CachingState.Handle);
                if (grant.Breaking) wait = true;
            }
            if (!wait || onDone is null) return false;
            node.BreakWaiters.Add(onDone);
            return true;
        }
    }
}

public sealed partial class FileNode
{
    /// <summary>The ParentLeaseKey of the open that last asked for this file's deletion (Samba's delete token).</summary>
    internal Guid DeleteParentLeaseKey { get; set; }
}
