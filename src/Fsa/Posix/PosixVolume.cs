namespace FastSmb.Fsa.Posix;

/// <summary>
/// <see cref="IFsaVolume"/> over a directory of a Linux file system. Every path goes through the
/// <see cref="PathResolver"/> (confined beneath the root, case-insensitive); share modes and delete-pending live in
/// the volume's <see cref="ShareModeTable"/>; errno becomes NTSTATUS through <see cref="ErrnoMap"/>.
/// Calls run with the credentials of the thread that makes them: the dispatcher enters the session user's Unix identity
/// (Datapath/Identity/IdentityScope: setfsuid/setfsgid/setgroups on that thread) around every disk-share request.
/// Thread-safe: shared by every tree connect to the directory.
/// </summary>
public sealed partial class PosixVolume : IFsaVolume, IDisposable
{
    private const uint FileMode = 0x1A4 /* 0644 */, DirectoryMode = 0x1ED /* 0755 */;

    private readonly PathResolver _paths;
    private readonly FileDescriptor _root;

    private PosixVolume(string rootPath, FileDescriptor root, bool useOpenat2, in Libc.Statx rootStat)
    {
        RootPath = rootPath;
        _root = root;
        _paths = new PathResolver(root, useOpenat2);
        ChangeNotifier.KernelSourceFactory = CreateKernelWatches;
        ShareModes.KernelLeaseTaker = TakeKernelLease;
        VolumeInfo = new FsVolumeInfo("NTFS", FsaPath.MaxComponentLength, SerialNumberOf(rootStat.Key), 0,
            Path.GetFileName(rootPath));
    }

    /// <summary>
    /// [MS-FSCC] 2.5.9 VolumeSerialNumber: the same for the share across server restarts (clients cache files by it),
    /// so it comes from the root directory's identity on disk, its device and inode, through a fixed hash (FNV-1a)
    /// rather than anything that changes per process.
    /// </summary>
    internal static uint SerialNumberOf(FileKey root)
    {
        uint hash = 2166136261;
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, root.Device);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], root.Inode);
        foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
        return hash;
    }

    public string RootPath { get; }
    public ShareModeTable ShareModes { get; } = new();
    public Locks.ByteRangeLocks ByteRangeLocks { get; } = new();
    public FsVolumeInfo VolumeInfo { get; }

    /// <summary>Opens the volume rooted at <paramref name="rootPath"/> (an existing directory).
    /// <paramref name="useOpenat2"/> false forces the O_NOFOLLOW component walk (tests of the fallback).</summary>
    public static NtStatus TryOpen(string rootPath, out PosixVolume? volume, bool useOpenat2 = true)
    {
        volume = null;
        int fd = Libc.Open(Path.GetFullPath(rootPath), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) return ErrnoMap.ToStatus(FsOperation.Lookup, Libc.Errno);
        var root = new FileDescriptor(fd);
        int errno = PathResolver.StatFd(root, out var st);
        if (errno != 0)
        {
            root.Dispose();
            return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        }
        volume = new PosixVolume(Path.GetFullPath(rootPath), root, useOpenat2, st);
        return NtStatus.Success;
    }

    public NtStatus Open(in FsaOpenRequest request, out FsaOpen? open, out CreateAction action)
    {
        open = null;
        action = CreateAction.Opened;
        var options = request.Options;
        var disposition = request.Disposition;
        if ((uint)disposition > (uint)CreateDisposition.OverwriteIf) return NtStatus.InvalidParameter;
        bool wantDirectory = (options & CreateOptions.DirectoryFile) != 0;
        bool wantFile = (options & CreateOptions.NonDirectoryFile) != 0;
        if (wantDirectory && wantFile) return NtStatus.InvalidParameter;
        // [MS-FSA] 2.1.5.1: a directory can only be opened or created, never overwritten or superseded.
        if (wantDirectory && disposition is not (CreateDisposition.Create or CreateDisposition.Open or CreateDisposition.OpenIf))
            return NtStatus.InvalidParameter;

        var granted = AccessMasks.MapGeneric(request.DesiredAccess);
        if ((granted & AccessMask.MaximumAllowed) != 0)
            granted = (granted & ~AccessMask.MaximumAllowed) | AccessMask.FileAllAccess;
        if (request.ReadOnly)
        {
            if ((request.DesiredAccess & AccessMask.MaximumAllowed) != 0) granted &= ~AccessMask.Modifying;
            if ((granted & AccessMask.Modifying) != 0) return NtStatus.AccessDenied;
        }
        bool deleteOnClose = (options & CreateOptions.DeleteOnClose) != 0;
        if (deleteOnClose && (granted & AccessMask.Delete) == 0) return NtStatus.AccessDenied;
        // [MS-FSA] 2.1.5.1: a read-only file cannot be created delete-on-close.
        if (deleteOnClose && (request.Attributes & FileAttributeFlags.ReadOnly) != 0) return NtStatus.CannotDelete;

        var status = FsaPath.TrySplit(request.Path, out var components, out var streamName);
        if (status != NtStatus.Success) return status;
        if (IsDepotPath(components)) return NtStatus.ObjectNameNotFound;
        if ((options & CreateOptions.OpenReparsePoint) != 0 && streamName is null && components.Length > 0
            && TryOpenSymlinkItself(request, components, granted, deleteOnClose, out open, out action, out status))
            return status;
        status = _paths.Resolve(components, out var target);
        if (status != NtStatus.Success) return status;
        if (streamName is not null) return OpenStream(request, target, streamName, granted, deleteOnClose, out open, out action);

        FileDescriptor? fd;
        bool truncate = false;
        Protocol.Security.Descriptors.SecurityDescriptor? newDescriptor = null;
        if (target.Exists)
        {
            bool isDirectory = target.Stat.IsDirectory;
            // "dir::$DATA" names the data stream, which a directory does not have ([MS-FSA] 2.1.5.1).
            if (isDirectory && FsaPath.NamesDefaultStream(request.Path))
                return wantDirectory ? NtStatus.NotADirectory : NtStatus.FileIsADirectory;
            if (disposition == CreateDisposition.Create) return NtStatus.ObjectNameCollision;
            if (isDirectory && wantFile) return NtStatus.FileIsADirectory;
            if (!isDirectory && wantDirectory) return NtStatus.NotADirectory;
            if (!isDirectory && !target.Stat.IsRegular) return NtStatus.AccessDenied; // devices, FIFOs, sockets
            truncate = disposition is CreateDisposition.Overwrite or CreateDisposition.OverwriteIf or CreateDisposition.Supersede;
            if (isDirectory && truncate) return NtStatus.FileIsADirectory;
            if (truncate && request.ReadOnly) return NtStatus.AccessDenied;
            int flags = isDirectory ? Libc.O_RDONLY | Libc.O_DIRECTORY
                : (truncate || (granted & (AccessMask.WriteData | AccessMask.AppendData)) != 0 ? Libc.O_RDWR : Libc.O_RDONLY)
                  | Libc.O_NONBLOCK;
            int errno = _paths.Open(target.Path, flags, 0, out fd);
            if (errno == Libc.EACCES && IsMaximumWithoutWrite(request, flags, truncate))
            {
                // MAXIMUM_ALLOWED takes what the mode gives: read-only when writing is refused.
                errno = _paths.Open(target.Path, (flags & ~Libc.O_RDWR) | Libc.O_RDONLY, 0, out fd);
                granted &= ~(AccessMask.WriteData | AccessMask.AppendData);
            }
            if (errno == Libc.EAGAIN) return WaitForLeaseHolder(request);
            if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Open, errno);
            action = disposition == CreateDisposition.Supersede ? CreateAction.Superseded
                : truncate ? CreateAction.Overwritten : CreateAction.Opened;
        }
        else
        {
            if (disposition is CreateDisposition.Open or CreateDisposition.Overwrite) return NtStatus.ObjectNameNotFound;
            if (request.ReadOnly) return NtStatus.AccessDenied;
            if (request.Token is not null)
            {
                status = CheckCreateAccess(request, target.Parent, wantDirectory, out newDescriptor);
                if (status != NtStatus.Success) return status;
            }
            int errno;
            if (wantDirectory)
            {
                errno = _paths.Open(target.Parent, Libc.O_PATH | Libc.O_DIRECTORY, 0, out var parent);
                if (errno == 0)
                {
                    using (parent)
                        errno = Libc.Mkdirat(parent!, target.Leaf, request.DirectoryMode ?? DirectoryMode) == 0 ? 0 : Libc.Errno;
                }
                if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Create, errno);
                errno = _paths.Open(target.Path, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out fd);
            }
            else
            {
                errno = _paths.Open(target.Path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NONBLOCK, request.FileMode ?? FileMode, out fd);
            }
            if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Create, errno);
            _paths.CaseFold.Invalidate(target.Parent);
            action = CreateAction.Created;
        }

        // The descriptor is the truth from here on: what was stat'ed by name may have been replaced since.
        int statErrno = PathResolver.StatFd(fd!, out var st);
        if (statErrno != 0 || (!st.IsDirectory && !st.IsRegular))
        {
            fd!.Dispose();
            return statErrno != 0 ? ErrnoMap.ToStatus(FsOperation.Open, statErrno) : NtStatus.AccessDenied;
        }
        var maximal = AccessMask.FileAllAccess;
        if (action != CreateAction.Created && request.Token is not null)
        {
            status = CheckExistingAccess(request, fd!, st, target.Parent, target.Path.Length == 0, ref granted, out maximal);
            if (status != NtStatus.Success)
            {
                fd!.Dispose();
                return status;
            }
        }
        if (action != CreateAction.Created)
        {
            status = CheckExistingAttributes(fd!, st, request, truncate, ref granted);
            if (status != NtStatus.Success)
            {
                fd!.Dispose();
                return status;
            }
        }
        var posixOpen = new PosixOpen(this, fd!, granted, request.ShareAccess, st.IsDirectory)
        {
            DeleteOnClose = deleteOnClose,
            MaximalAccess = maximal,
            Caching = request.Caching,
            WriteThrough = (options & (CreateOptions.WriteThrough | CreateOptions.NoIntermediateBuffering)) != 0,
        };
        status = ShareModes.TryAdd(st.Key, target.Path, posixOpen);
        if (status != NtStatus.Success)
        {
            fd!.Dispose();
            return status;
        }
        if (truncate && Libc.Ftruncate(fd!, 0) != 0)
        {
            int errno = Libc.Errno;
            Close(posixOpen);
            return ErrnoMap.ToStatus(FsOperation.Truncate, errno);
        }
        if (action == CreateAction.Created || truncate)
        {
            // [MS-FSA] 2.1.5.1.1 / 2.1.5.1.2.2: a new, overwritten or superseded file takes the attributes asked for
            // (overwriting keeps the creation time) and the CREATE's EAs.
            var requested = request.Attributes;
            if (truncate) WriteDos(fd!, false, (requested & FileAttributeFlags.Settable) | FileAttributeFlags.Archive, ToMetadata(st, ReadDos(fd!)).CreationTime);
            else InitializeDos(fd!, st, requested);
            if (newDescriptor is not null && (status = StoreNewDescriptor(posixOpen, newDescriptor)) != NtStatus.Success)
            {
                Close(posixOpen);
                return status;
            }
            if (request.ExtendedAttributes is { Count: > 0 } eas)
            {
                status = ApplyEas(posixOpen, eas);
                if (status != NtStatus.Success)
                {
                    Close(posixOpen);
                    return status;
                }
            }
        }
        open = posixOpen;
        ReportOpened(posixOpen, action);
        return NtStatus.Success;
    }

    /// <summary>
    /// [MS-FSA] 2.1.5.1.2.1 and 2.1.5.1.2.2, the attribute checks on an existing file: a READONLY file grants no
    /// write access (MAXIMUM_ALLOWED just loses it) and cannot be opened delete-on-close; overwriting a HIDDEN or SYSTEM
    /// file needs the same attribute in the request.
    /// </summary>
    private static NtStatus CheckExistingAttributes(FileDescriptor fd, in Libc.Statx st, in FsaOpenRequest request,
        bool overwrite, ref AccessMask granted)
    {
        var attributes = ToMetadata(st, ReadDos(fd)).Attributes;
        if (overwrite)
        {
            const FileAttributeFlags hiddenSystem = FileAttributeFlags.Hidden | FileAttributeFlags.System;
            if ((attributes & hiddenSystem & ~request.Attributes) != 0) return NtStatus.AccessDenied;
        }
        if ((attributes & FileAttributeFlags.ReadOnly) == 0 || st.IsDirectory) return NtStatus.Success;
        if ((request.Options & CreateOptions.DeleteOnClose) != 0) return NtStatus.CannotDelete;
        const AccessMask writes = AccessMask.WriteData | AccessMask.AppendData;
        if ((request.DesiredAccess & AccessMask.MaximumAllowed) != 0
            && (AccessMasks.MapGeneric(request.DesiredAccess) & writes) == 0)
            granted &= ~writes;
        if ((granted & writes) != 0 || overwrite) return NtStatus.AccessDenied;
        return NtStatus.Success;
    }

    public NtStatus Close(FsaOpen open)
    {
        var o = (PosixOpen)open;
        ByteRangeLocks.ReleaseAll(o);
        ReportWritten(o);
        ApplyCloseTimes(o);
        bool delete = ShareModes.Remove(o, out string path, out string? orphanedFile);
        ReleaseKernelLease(o);
        if (o.StreamName is not null)
        {
            var deleted = delete ? DeleteStream(o) : NtStatus.Success;
            if (orphanedFile is not null) deleted = DeleteOrphanedFile(o, orphanedFile);
            o.Fd.Dispose();
            if (delete && deleted == NtStatus.Success) ReportRemoved(path, o);
            return deleted;
        }
        // The last name of the file is going: its depot streams go with it.
        if (delete && path.Length != 0 && PathResolver.StatFd(o.Fd, out var st) == 0 && st.Nlink <= 1)
        {
            DeleteDepot(st);
            RemoveAclDepot(st);
        }
        o.Fd.Dispose();
        if (!delete && o.IsDirectory && o.DeletePending) ChangeNotifier.ReportDeletePending(o);
        if (!delete || path.Length == 0) return NtStatus.Success;
        var (parent, leaf) = PathResolver.Split(path);
        _paths.CaseFold.Invalidate(parent);
        if (o.IsDirectory) _paths.CaseFold.InvalidateTree(path);
        int errno = _paths.Open(parent, Libc.O_PATH | Libc.O_DIRECTORY, 0, out var dir);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Delete, errno);
        using (dir)
        {
            if (Libc.Unlinkat(dir!, leaf, o.IsDirectory ? Libc.AT_REMOVEDIR : 0) != 0)
                return ErrnoMap.ToStatus(FsOperation.Delete, Libc.Errno);
        }
        ReportRemoved(path, o);
        return NtStatus.Success;
    }

    /// <summary>The file was deleted while this stream open kept it: now that the last stream closes, it goes.</summary>
    private NtStatus DeleteOrphanedFile(PosixOpen streamOpen, string path)
    {
        if (PathResolver.StatFd(streamOpen.Fd, out var st) == 0 && st.Nlink <= 1) DeleteDepot(st);
        _paths.CaseFold.Invalidate(PathResolver.Split(path).Parent);
        return UnlinkInRoot(path, 0) is 0 or Libc.ENOENT ? NtStatus.Success : NtStatus.Unsuccessful;
    }

    public unsafe NtStatus Read(FsaOpen open, long offset, Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        var o = (PosixOpen)open;
        if (o.IsDirectory) return NtStatus.InvalidDeviceRequest;
        if ((o.GrantedAccess & (AccessMask.ReadData | AccessMask.Execute)) == 0) return NtStatus.AccessDenied;
        if (offset < 0) return NtStatus.InvalidParameter;
        var lockStatus = Locks.ByteRangeLocks.CheckRead(o, offset, destination.Length);
        if (lockStatus != NtStatus.Success) return lockStatus;
        if (o.StreamName is not null) return ReadFromStream(o, offset, destination, out bytesRead);
        fixed (byte* p = destination)
        {
            while (bytesRead < destination.Length)
            {
                nint n = Libc.Pread(o.Fd, p + bytesRead, (nuint)(destination.Length - bytesRead), offset + bytesRead);
                if (n < 0) return ErrnoMap.ToStatus(FsOperation.Read, Libc.Errno);
                if (n == 0) break;
                bytesRead += (int)n;
            }
        }
        KeepFrozenTimes(o, written: false);
        return NtStatus.Success;
    }

    public unsafe NtStatus Write(FsaOpen open, long offset, ReadOnlySpan<byte> data, bool writeThrough, out int bytesWritten)
    {
        bytesWritten = 0;
        var o = (PosixOpen)open;
        if (o.IsDirectory) return NtStatus.InvalidDeviceRequest;
        if ((o.GrantedAccess & (AccessMask.WriteData | AccessMask.AppendData)) == 0) return NtStatus.AccessDenied;
        if (offset < 0) return NtStatus.InvalidParameter;
        var lockStatus = Locks.ByteRangeLocks.CheckWrite(o, offset, data.Length);
        if (lockStatus != NtStatus.Success) return lockStatus;
        if (o.StreamName is not null) return WriteToStream(o, offset, data, out bytesWritten);
        long writeTimeBefore = WriteTimeBeforeWrite(o);
        fixed (byte* p = data)
        {
            while (bytesWritten < data.Length)
            {
                nint n = Libc.Pwrite(o.Fd, p + bytesWritten, (nuint)(data.Length - bytesWritten), offset + bytesWritten);
                if (n <= 0) return ErrnoMap.ToStatus(FsOperation.Write, n < 0 ? Libc.Errno : Libc.ENOSPC);
                bytesWritten += (int)n;
            }
        }
        KeepFrozenTimes(o, written: true);
        o.Written = true;
        WriteTimeAfterWrite(o, writeTimeBefore);
        // Write-through: the data (and the size that reaches it) is on stable storage before the response.
        if ((writeThrough || o.WriteThrough) && Libc.Fdatasync(o.Fd) != 0) return ErrnoMap.ToStatus(FsOperation.Flush, Libc.Errno);
        return NtStatus.Success;
    }

    public NtStatus Flush(FsaOpen open)
    {
        var o = (PosixOpen)open;
        if (!o.IsDirectory && (o.GrantedAccess & (AccessMask.WriteData | AccessMask.AppendData)) == 0) return NtStatus.AccessDenied;
        UpdatePendingWriteTime(o);
        return Libc.Fsync(o.Fd) == 0 ? NtStatus.Success : ErrnoMap.ToStatus(FsOperation.Flush, Libc.Errno);
    }

    public NtStatus SetEndOfFile(FsaOpen open, long endOfFile)
    {
        var o = (PosixOpen)open;
        if (o.IsDirectory) return NtStatus.InvalidParameter;
        if ((o.GrantedAccess & AccessMask.WriteData) == 0) return NtStatus.AccessDenied;
        if (endOfFile < 0) return NtStatus.InvalidParameter;
        if (o.StreamName is not null) return SetStreamSize(o, endOfFile);
        if (Libc.Ftruncate(o.Fd, endOfFile) != 0) return ErrnoMap.ToStatus(FsOperation.Truncate, Libc.Errno);
        KeepFrozenTimes(o, written: true);
        UpdatePendingWriteTime(o);
        return ReportModified(o, Notify.NotifyFilter.Size | Notify.NotifyFilter.LastWrite);
    }

    public NtStatus SetAllocationSize(FsaOpen open, long allocationSize)
    {
        var o = (PosixOpen)open;
        if (o.IsDirectory) return NtStatus.InvalidParameter;
        if ((o.GrantedAccess & AccessMask.WriteData) == 0) return NtStatus.AccessDenied;
        if (allocationSize < 0) return NtStatus.InvalidParameter;
        var status = QueryMetadata(open, out var metadata);
        if (status != NtStatus.Success) return status;
        // [MS-FSA] 2.1.5.14.1: an allocation below the end of file truncates it; a larger one reserves the blocks
        // without moving the end of file (where the file system cannot, it stays a hint).
        if (allocationSize < metadata.EndOfFile) return SetEndOfFile(open, allocationSize);
        if (allocationSize > metadata.AllocationSize && Libc.Fallocate(o.Fd, Libc.FALLOC_FL_KEEP_SIZE, 0, allocationSize) != 0)
        {
            int errno = Libc.Errno;
            if (errno is not (Libc.EOPNOTSUPP or Libc.ENOSYS)) return ErrnoMap.ToStatus(FsOperation.Write, errno);
        }
        return NtStatus.Success;
    }

    public NtStatus QuerySize(out FsSizeInfo info)
    {
        info = default;
        if (Libc.Fstatvfs(_root, out var vfs) != 0) return ErrnoMap.ToStatus(FsOperation.VolumeInfo, Libc.Errno);
        uint bytesPerSector = 512;
        ulong unit = vfs.Frsize != 0 ? vfs.Frsize : vfs.Bsize;
        uint sectorsPerUnit = (uint)Math.Max(1, unit / bytesPerSector);
        info = new FsSizeInfo((long)vfs.Blocks, (long)vfs.Bavail, (long)vfs.Bfree, sectorsPerUnit, bytesPerSector);
        return NtStatus.Success;
    }

    public void Dispose() => _root.Dispose();
}
