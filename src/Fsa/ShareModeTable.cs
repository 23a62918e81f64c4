namespace FastSmb.Fsa;

/// <summary>A file's identity on its volume: device and inode, as every open of it, under any name, sees it; a named
/// stream of it adds the stream's name, upper-cased (stream names compare ignoring case), and has share modes of its own.</summary>
public readonly record struct FileKey(ulong Device, ulong Inode, string? Stream = null);

/// <summary>
/// [MS-FSA] 2.1.1.4 Per File, the part the share-mode table keeps: the opens of one file, its current name and
/// whether a delete is pending. Guarded by its <see cref="ShareModeTable"/>'s lock.
/// </summary>
public sealed partial class FileNode(FileKey key, string path)
{
    public FileKey Key { get; } = key;

    /// <summary>The on-disk path relative to the volume root, '/'-separated, "" for the root; a rename moves it.</summary>
    public string Path { get; internal set; } = path;

    /// <summary>[MS-FSA] 2.1.1.4 File.PendingDelete: set by a disposition or by the close of a delete-on-close
    /// open; new opens fail with STATUS_DELETE_PENDING and the last close deletes the file.</summary>
    public bool DeletePending { get; internal set; }

    internal List<FsaOpen> Opens { get; } = new(1);
}

/// <summary>
/// The opens of every file of a volume, by <see cref="FileKey"/>, with the [MS-FSA] 2.1.5.1.2.1 sharing check.
/// Shared by every connection that reaches the volume: one lock guards it (opens and closes only, never I/O).
/// </summary>
public sealed partial class ShareModeTable
{
    private readonly Dictionary<FileKey, FileNode> _files = new();
    private readonly Lock _lock = new();

    public int FileCount { get { lock (_lock) return _files.Count; } }

    /// <summary>
    /// Checks <paramref name="open"/> against the file's other opens and, if it may coexist with them, records it
    /// and links it to the file's node. STATUS_DELETE_PENDING if the file is being deleted,
    /// STATUS_SHARING_VIOLATION if the share modes conflict.
    /// </summary>
    public NtStatus TryAdd(FileKey key, string path, FsaOpen open)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(key, out var node))
            {
                node = new FileNode(key, path);
                _files.Add(key, node);
            }
            else
            {
                if (node.DeletePending) return NtStatus.DeletePending;
                bool violation = false;
                foreach (var existing in node.Opens)
                    if (Conflicts(existing.GrantedAccess, existing.ShareAccess, open.GrantedAccess, open.ShareAccess))
                    {
                        violation = true;
                        break;
                    }
                // [MS-SMB2] 3.3.5.9 / [MS-FSA] 2.1.4.12: break the others' oplocks and leases first, then check.
                var breakStatus = BreakForOpen(node, open, violation);
                if (breakStatus != NtStatus.Success) return breakStatus;
                if (violation) return NtStatus.SharingViolation;
            }
            var leaseStatus = CheckLeaseKey(node, open);
            if (leaseStatus != NtStatus.Success)
            {
                if (node.Opens.Count == 0) _files.Remove(key);
                return leaseStatus;
            }
            node.Opens.Add(open);
            open.Node = node;
            GrantCaching(node, open);
            return NtStatus.Success;
        }
    }

    /// <summary>
    /// Forgets <paramref name="open"/> ([MS-FSA] 2.1.5.4 Server Requests Closing an Open). A delete-on-close open
    /// makes the delete pending; returns true when this was the file's last open and it must now be deleted.
    /// </summary>
    public bool Remove(FsaOpen open, out string path)
    {
        lock (_lock)
        {
            var node = open.Node!;
            path = node.Path;
            node.Opens.Remove(open);
            ReleaseCaching(node, open);
            if (open.DeleteOnClose) node.DeletePending = true;
            if (node.Opens.Count > 0) return false;
            _files.Remove(node.Key);
            return node.DeletePending;
        }
    }

    /// <summary>
    /// Whether an open of the file <paramref name="key"/> with <paramref name="access"/> and <paramref name="share"/>
    /// could coexist with the file's opens, without recording one: STATUS_SHARING_VIOLATION if not.
    /// </summary>
    public NtStatus CheckSharing(FileKey key, AccessMask access, FileShareAccess share)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(key, out var node)) return NtStatus.Success;
            foreach (var existing in node.Opens)
                if (Conflicts(existing.GrantedAccess, existing.ShareAccess, access, share)) return NtStatus.SharingViolation;
            return NtStatus.Success;
        }
    }

    public bool HasOpens(FileKey key)
    {
        lock (_lock) return _files.TryGetValue(key, out var node) && node.Opens.Count > 0;
    }

    /// <summary>Whether any open file lies beneath the directory <paramref name="directoryPath"/>.</summary>
    public bool HasOpensBeneath(string directoryPath)
    {
        string prefix = directoryPath.Length == 0 ? "" : directoryPath + "/";
        lock (_lock)
        {
            foreach (var node in _files.Values)
                if (node.Path.StartsWith(prefix, StringComparison.Ordinal) && node.Path.Length > prefix.Length) return true;
            return false;
        }
    }

    public void SetDeletePending(FsaOpen open, bool pending)
    {
        lock (_lock) open.Node!.DeletePending = pending;
    }

    public void Rename(FsaOpen open, string newPath)
    {
        lock (_lock) open.Node!.Path = newPath;
    }

    /// <summary>
    /// [MS-FSA] 2.1.5.1.2.1 Algorithm to Check Sharing Access to a File: opens that touch neither data nor DELETE
    /// never conflict; otherwise each side's access must be allowed by the other side's share mode.
    /// </summary>
    public static bool Conflicts(AccessMask existingAccess, FileShareAccess existingShare, AccessMask access, FileShareAccess share)
    {
        if ((existingAccess & AccessMasks.DataAccess) == 0 || (access & AccessMasks.DataAccess) == 0) return false;
        const AccessMask read = AccessMask.ReadData | AccessMask.Execute;
        const AccessMask write = AccessMask.WriteData | AccessMask.AppendData;
        return Denies(existingShare, access, read, write) || Denies(share, existingAccess, read, write);

        static bool Denies(FileShareAccess share, AccessMask access, AccessMask read, AccessMask write) =>
            ((share & FileShareAccess.Read) == 0 && (access & read) != 0)
            || ((share & FileShareAccess.Write) == 0 && (access & write) != 0)
            || ((share & FileShareAccess.Delete) == 0 && (access & AccessMask.Delete) != 0);
    }
}
