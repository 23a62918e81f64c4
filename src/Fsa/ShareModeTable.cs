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

    /// <summary>[MS-FSA] 2.1.1.4 File.LockList: the byte-range locks and waiting lock requests; null until the first
    /// lock, so I/O on a file nobody locked checks one field.</summary>
    internal Locks.FileLocks? Locks;

    /// <summary>The file's security descriptor as last read or set through one of its opens (null: not read yet);
    /// replaced whole, so readers on other connections see the old or the new one.</summary>
    internal Protocol.Security.Descriptors.SecurityDescriptor? Descriptor { get; set; }

    /// <summary>The last-write time the file shows while open (delayed and explicit updates).</summary>
    public WriteTimeState WriteTime { get; } = new();
}

/// <summary>
/// The opens of every file of a volume, by <see cref="FileKey"/>, with the [MS-FSA] 2.1.5.1.2.1 sharing check.
/// Shared by every connection that reaches the volume: one lock guards it (opens and closes only, never I/O).
/// </summary>
public sealed partial class ShareModeTable
{
    private readonly Dictionary<FileKey, FileNode> _files = new();
    private readonly Lock _lock = new();

    /// <summary>How many of the nodes are named streams: while none is open, DELETE opens skip the stream check.</summary>
    private int _streamNodes;

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
            if (StreamDeniesDelete(key, open.GrantedAccess)) return NtStatus.SharingViolation;
            // A stream of a file whose delete is pending cannot be opened either.
            if (key.Stream is not null && _files.TryGetValue(key with { Stream = null }, out var file) && file.DeletePending)
                return NtStatus.DeletePending;
            if (!_files.TryGetValue(key, out var node))
            {
                node = new FileNode(key, path);
                _files.Add(key, node);
                if (key.Stream is not null) _streamNodes++;
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
    public bool Remove(FsaOpen open, out string path) => Remove(open, out path, out _);

    /// <summary>
    /// <see cref="Remove(FsaOpen, out string)"/>, where a file deleted while its named streams are open stays
    /// delete-pending until the last of them closes ([MS-FSA] 2.1.5.4: the file goes with its last open, of any
    /// stream): <paramref name="orphanedFilePath"/> is then the file's path, which the caller deletes.
    /// </summary>
    public bool Remove(FsaOpen open, out string path, out string? orphanedFilePath)
    {
        lock (_lock)
        {
            orphanedFilePath = null;
            var node = open.Node!;
            path = node.Path;
            node.Opens.Remove(open);
            ReleaseCaching(node, open);
            if (open.DeleteOnClose)
            {
                node.DeletePending = true;
                DeleteRequestedBy(node, open);
            }
            if (node.Opens.Count > 0) return false;
            // The file's own last open, with streams still open: the node stays, delete-pending, until they close.
            if (node.Key.Stream is null && node.DeletePending && _streamNodes > 0 && HasStreamNodes(node.Key)) return false;
            _files.Remove(node.Key);
            if (node.Key.Stream is not null)
            {
                _streamNodes--;
                var fileKey = node.Key with { Stream = null };
                if (_files.TryGetValue(fileKey, out var file) && file.Opens.Count == 0 && file.DeletePending
                    && !HasStreamNodes(fileKey))
                {
                    _files.Remove(fileKey);
                    orphanedFilePath = file.Path;
                }
            }
            return node.DeletePending;
        }
    }

    /// <summary>
    /// A named stream renamed ([MS-FSA] 2.1.5.14.11.1): the stream's opens move to the node of its new name (the
    /// file's own node for the default stream). STATUS_SHARING_VIOLATION if that node exists.
    /// </summary>
    public NtStatus RekeyStream(FsaOpen open, FileKey newKey)
    {
        lock (_lock)
        {
            var node = open.Node!;
            if (node.Key == newKey) return NtStatus.Success;
            if (_files.ContainsKey(newKey)) return NtStatus.SharingViolation;
            var moved = new FileNode(newKey, node.Path) { DeletePending = node.DeletePending };
            _files.Remove(node.Key);
            _files.Add(newKey, moved);
            _streamNodes += (newKey.Stream is null ? 0 : 1) - (node.Key.Stream is null ? 0 : 1);
            foreach (var o in node.Opens)
            {
                moved.Opens.Add(o);
                o.Node = moved;
            }
            return NtStatus.Success;
        }
    }

    /// <summary>Whether a named stream of the file <paramref name="fileKey"/> is open. Caller holds the lock.</summary>
    private bool HasStreamNodes(FileKey fileKey)
    {
        foreach (var key in _files.Keys)
            if (key.Stream is not null && key.Device == fileKey.Device && key.Inode == fileKey.Inode) return true;
        return false;
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

    /// <summary>
    /// [MS-FSA] 2.1.5.1.2: opening a file with DELETE also needs every open of its named streams to share delete (a
    /// stream open without FILE_SHARE_DELETE keeps its file from being deleted or renamed). Caller holds the lock.
    /// </summary>
    private bool StreamDeniesDelete(FileKey key, AccessMask access)
    {
        if (_streamNodes == 0 || key.Stream is not null || (access & AccessMask.Delete) == 0) return false;
        foreach (var node in _files.Values)
        {
            if (node.Key.Stream is null || node.Key.Device != key.Device || node.Key.Inode != key.Inode) continue;
            foreach (var existing in node.Opens)
                if ((existing.ShareAccess & FileShareAccess.Delete) == 0) return true;
        }
        return false;
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
        lock (_lock)
        {
            open.Node!.DeletePending = pending;
            if (pending) DeleteRequestedBy(open.Node, open);
        }
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
