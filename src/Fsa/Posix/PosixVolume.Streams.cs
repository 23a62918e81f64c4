using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// Named data streams ([MS-FSA] 2.1.1.4 Stream). A small stream lives in the xattr <c>user.DosStream.&lt;name&gt;:$DATA</c>
/// holding its data and one NUL byte, exactly as Samba's streams_xattr keeps it, so such streams survive a move
/// between the servers. ext4 gives all of a file's xattrs one 4 KiB block (shared with the DOSATTRIB and the NT ACL),
/// so a stream that grows past <see cref="XattrStreamLimit"/>, or that the file system refuses as an xattr, moves to a
/// file of its own in the share's stream depot, <c>.streams/&lt;inode&gt;-&lt;birth time&gt;/&lt;name&gt;</c>:
/// <list type="bullet">
/// <item>inside the share root rather than in a data directory elsewhere, so the depot is on the same file system
/// (the same quota, the same free space the client sees, and it travels with the share when the share is copied),
/// and every access to it goes through the same confined root descriptor; it is hidden from listings and
/// refused to clients by name;</item>
/// <item>keyed by inode, so a rename of the base file carries its streams without touching them; the birth time
/// in the key keeps a file that reuses a deleted file's inode from inheriting its streams.</item>
/// </list>
/// A stream open holds the base file's descriptor; stream I/O goes by name each time (streams are rare and
/// small). Shared and thread-safe like the volume; concurrent writers of one stream's xattr are last-writer-wins.
/// </summary>
public sealed partial class PosixVolume
{
    internal const string StreamXattrPrefix = "user.DosStream.";
    private const string StreamXattrSuffix = ":$DATA";

    /// <summary>The stream depot's directory in the share root.</summary>
    public const string StreamDepotName = ".streams";

    /// <summary>The largest stream kept in an xattr (its value is one byte longer).</summary>
    public const int XattrStreamLimit = 3 * 1024 - 1;

    private static bool IsDepotPath(string[] components) =>
        components.Length > 0 && components[0].Equals(StreamDepotName, StringComparison.OrdinalIgnoreCase);

    private NtStatus OpenStream(in FsaOpenRequest request, ResolvedPath target, string streamName, AccessMask granted,
        bool deleteOnClose, out FsaOpen? open, out CreateAction action)
    {
        open = null;
        action = CreateAction.Opened;
        var disposition = request.Disposition;
        if ((request.Options & CreateOptions.DirectoryFile) != 0) return NtStatus.NotADirectory;
        FileDescriptor? fd;
        int errno;
        if (!target.Exists)
        {
            // Creating "new:stream" creates the file first, as NTFS does.
            if (disposition is CreateDisposition.Open or CreateDisposition.Overwrite) return NtStatus.ObjectNameNotFound;
            if (request.ReadOnly) return NtStatus.AccessDenied;
            errno = _paths.Open(target.Path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NONBLOCK, FileMode, out fd);
            if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Create, errno);
            _paths.CaseFold.Invalidate(target.Parent);
            if (PathResolver.StatFd(fd!, out var created) == 0) InitializeDos(fd!, created, request.Attributes);
        }
        else
        {
            if (!target.Stat.IsDirectory && !target.Stat.IsRegular) return NtStatus.AccessDenied;
            errno = _paths.Open(target.Path, target.Stat.IsDirectory ? Libc.O_RDONLY | Libc.O_DIRECTORY
                : Libc.O_RDONLY | Libc.O_NONBLOCK, 0, out fd);
            if (errno == Libc.EAGAIN) errno = DuplicateLeasedDescriptor(target, out fd);
            if (errno == Libc.EAGAIN) return WaitForLeaseHolder(request);
            if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Open, errno);
        }
        int statErrno = PathResolver.StatFd(fd!, out var st);
        if (statErrno != 0)
        {
            fd!.Dispose();
            return ErrnoMap.ToStatus(FsOperation.Open, statErrno);
        }

        string? existing = FindStream(fd!, st, streamName, out _);
        bool truncate = false;
        if (existing is not null)
        {
            if (disposition == CreateDisposition.Create) return Fail(fd!, NtStatus.ObjectNameCollision);
            truncate = disposition is CreateDisposition.Overwrite or CreateDisposition.OverwriteIf or CreateDisposition.Supersede;
            if (truncate && request.ReadOnly) return Fail(fd!, NtStatus.AccessDenied);
            // The base file's READONLY holds for its streams; HIDDEN and SYSTEM only matter when the file is overwritten.
            var status = CheckExistingAttributes(fd!, st, request with { Attributes = request.Attributes | FileAttributeFlags.Hidden
                | FileAttributeFlags.System }, truncate, ref granted);
            if (status != NtStatus.Success) return Fail(fd!, status);
            streamName = existing;
            action = disposition == CreateDisposition.Supersede ? CreateAction.Superseded
                : truncate ? CreateAction.Overwritten : CreateAction.Opened;
        }
        else
        {
            if (disposition is CreateDisposition.Open or CreateDisposition.Overwrite) return Fail(fd!, NtStatus.ObjectNameNotFound);
            if (request.ReadOnly) return Fail(fd!, NtStatus.AccessDenied);
            errno = Xattrs.Set(fd!, StreamXattrPrefix + streamName + StreamXattrSuffix, [0], Libc.XATTR_CREATE);
            if (errno is Libc.EOPNOTSUPP or Libc.ENOSPC or Libc.E2BIG) errno = WriteDepot(st, streamName, [], create: true);
            if (errno != 0) return Fail(fd!, ErrnoMap.ToStatus(FsOperation.Create, errno));
            action = CreateAction.Created;
        }

        var key = st.Key with { Stream = streamName.ToUpperInvariant() };
        // A stream is data, even a directory's: the open is not a directory open.
        var streamOpen = new PosixOpen(this, fd!, granted, request.ShareAccess, isDirectory: false)
        {
            DeleteOnClose = deleteOnClose,
            StreamName = streamName,
            Caching = request.Caching,
        };
        var added = ShareModes.TryAdd(key, target.Path, streamOpen);
        if (added != NtStatus.Success) return Fail(fd!, added);
        if (truncate)
        {
            var status = SetStreamSize(streamOpen, 0);
            if (status != NtStatus.Success)
            {
                Close(streamOpen);
                return status;
            }
        }
        open = streamOpen;
        return NtStatus.Success;

        static NtStatus Fail(FileDescriptor fd, NtStatus status)
        {
            fd.Dispose();
            return status;
        }
    }

    /// <summary>The stored spelling of the stream named <paramref name="name"/> (ignoring case), or null;
    /// <paramref name="inXattr"/> tells where it lives.</summary>
    private string? FindStream(SafeHandle baseFd, in Libc.Statx st, string name, out bool inXattr)
    {
        foreach (var (stored, xattr) in StreamNames(baseFd, st))
        {
            if (stored.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                inXattr = xattr;
                return stored;
            }
        }
        inXattr = false;
        return null;
    }

    private List<(string Name, bool InXattr)> StreamNames(SafeHandle baseFd, in Libc.Statx st)
    {
        var names = new List<(string, bool)>();
        if (Xattrs.List(baseFd, out var xattrs) == 0)
        {
            foreach (var x in xattrs)
                if (x.StartsWith(StreamXattrPrefix, StringComparison.Ordinal) && x.EndsWith(StreamXattrSuffix, StringComparison.Ordinal)
                    && x.Length > StreamXattrPrefix.Length + StreamXattrSuffix.Length)
                    names.Add((x[StreamXattrPrefix.Length..^StreamXattrSuffix.Length], true));
        }
        if (_paths.Open(DepotPath(st), Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var depot) == 0)
        {
            using (depot)
                foreach (var n in PathResolver.ReadNames(depot!)) names.Add((n, false));
        }
        return names;
    }

    private static string DepotPath(in Libc.Statx st) => (st.Mask & Libc.STATX_BTIME) != 0
        ? $"{StreamDepotName}/{st.Ino}-{st.BtimeSec}.{st.BtimeNsec}" : $"{StreamDepotName}/{st.Ino}";

    /// <summary>A stream's whole content (streams in xattrs are small; depot streams are read the same way only
    /// when they move).</summary>
    private int ReadStream(PosixOpen o, out byte[] data, out bool inXattr)
    {
        data = [];
        inXattr = true;
        int errno = Xattrs.Get(o.Fd, StreamXattrPrefix + o.StreamName + StreamXattrSuffix, out var value);
        if (errno == 0)
        {
            data = value!.Length > 0 ? value[..^1] : value; // the NUL streams_xattr adds
            return 0;
        }
        if (errno is not (Libc.ENODATA or Libc.EOPNOTSUPP)) return errno;
        inXattr = false;
        errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return errno;
        errno = _paths.Open($"{DepotPath(st)}/{o.StreamName}", Libc.O_RDONLY, 0, out var fd);
        if (errno != 0) return errno;
        using (fd)
        {
            if (PathResolver.StatFd(fd!, out var sst) != 0) return Libc.Errno;
            data = new byte[sst.Size];
            errno = PreadAll(fd!, data, 0, out int n);
            if (n < data.Length) data = data[..n];
            return errno;
        }
    }

    private static unsafe int PreadAll(SafeHandle fd, Span<byte> dest, long offset, out int total)
    {
        total = 0;
        fixed (byte* p = dest)
        {
            while (total < dest.Length)
            {
                nint n = Libc.Pread(fd, p + total, (nuint)(dest.Length - total), offset + total);
                if (n < 0) return Libc.Errno;
                if (n == 0) break;
                total += (int)n;
            }
        }
        return 0;
    }

    /// <summary>Replaces a depot stream's content (creating the depot directories as needed).</summary>
    private int WriteDepot(in Libc.Statx st, string streamName, ReadOnlySpan<byte> data, bool create)
    {
        string dir = DepotPath(st);
        return WriteSideFile([StreamDepotName, dir], $"{dir}/{streamName}", data, exclusive: create);
    }

    /// <summary>Stores <paramref name="data"/> as the stream's whole content: in its xattr while it is small and the
    /// file system takes it, else in the depot (removing the xattr).</summary>
    private int StoreStream(PosixOpen o, ReadOnlySpan<byte> data)
    {
        string xattr = StreamXattrPrefix + o.StreamName + StreamXattrSuffix;
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return errno;
        if (data.Length <= XattrStreamLimit && FindStream(o.Fd, st, o.StreamName!, out bool inXattr) is not null && inXattr)
        {
            var value = new byte[data.Length + 1];
            data.CopyTo(value);
            errno = Xattrs.Set(o.Fd, xattr, value);
            if (errno is not (Libc.ENOSPC or Libc.E2BIG)) return errno;
        }
        errno = WriteDepot(st, o.StreamName!, data, create: false);
        if (errno != 0) return errno;
        errno = Xattrs.Remove(o.Fd, xattr);
        return errno == Libc.EOPNOTSUPP ? 0 : errno;
    }

    private NtStatus ReadFromStream(PosixOpen o, long offset, Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        int errno = ReadStream(o, out var data, out _);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Read, errno);
        if (offset >= data.Length) return NtStatus.Success;
        bytesRead = Math.Min(destination.Length, data.Length - (int)offset);
        data.AsSpan((int)offset, bytesRead).CopyTo(destination);
        return NtStatus.Success;
    }

    private NtStatus WriteToStream(PosixOpen o, long offset, ReadOnlySpan<byte> data, out int bytesWritten)
    {
        bytesWritten = 0;
        int errno = ReadStream(o, out var current, out _);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Write, errno);
        long end = offset + data.Length;
        if (end > int.MaxValue / 2) return NtStatus.DiskFull;
        var content = new byte[Math.Max(current.Length, (int)end)];
        current.CopyTo(content, 0);
        data.CopyTo(content.AsSpan((int)offset));
        errno = StoreStream(o, content);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Write, errno);
        bytesWritten = data.Length;
        return NtStatus.Success;
    }

    private NtStatus SetStreamSize(PosixOpen o, long size)
    {
        if (size > int.MaxValue / 2) return NtStatus.DiskFull;
        int errno = ReadStream(o, out var current, out _);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Truncate, errno);
        var content = new byte[size];
        current.AsSpan(0, Math.Min(current.Length, (int)size)).CopyTo(content);
        errno = StoreStream(o, content);
        return errno == 0 ? NtStatus.Success : ErrnoMap.ToStatus(FsOperation.Truncate, errno);
    }

    private NtStatus QueryStreamSize(PosixOpen o, ref FileMetadata metadata)
    {
        int errno = ReadStream(o, out var data, out _);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        // A stream is data: a directory's stream reports as a file would.
        metadata = metadata with
        {
            EndOfFile = data.Length,
            AllocationSize = (data.Length + 4095) & ~4095L,
            Attributes = metadata.Attributes & ~FileAttributeFlags.Directory,
        };
        return NtStatus.Success;
    }

    /// <summary>Deletes the stream of a delete-pending stream open at its last close.</summary>
    private NtStatus DeleteStream(PosixOpen o)
    {
        int errno = Xattrs.Remove(o.Fd, StreamXattrPrefix + o.StreamName + StreamXattrSuffix);
        if (errno is not (0 or Libc.EOPNOTSUPP)) return ErrnoMap.ToStatus(FsOperation.Delete, errno);
        if (PathResolver.StatFd(o.Fd, out var st) != 0) return NtStatus.Success;
        return UnlinkInRoot($"{DepotPath(st)}/{o.StreamName}", 0) is 0 or Libc.ENOENT
            ? NtStatus.Success : NtStatus.Unsuccessful;
    }

    /// <summary>The last name of a file is going: its depot directory goes with it (its xattrs go by themselves).</summary>
    private void DeleteDepot(in Libc.Statx st)
    {
        string dir = DepotPath(st);
        if (_paths.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var fd) != 0) return;
        using (fd)
            foreach (var name in PathResolver.ReadNames(fd!)) Libc.Unlinkat(fd!, name, 0);
        UnlinkInRoot(dir, Libc.AT_REMOVEDIR);
    }

    private int UnlinkInRoot(string path, int flags)
    {
        var (parent, leaf) = PathResolver.Split(path);
        int errno = _paths.Open(parent, Libc.O_PATH | Libc.O_DIRECTORY, 0, out var dir);
        if (errno != 0) return errno;
        using (dir)
            return Libc.Unlinkat(dir!, leaf, flags) == 0 ? 0 : Libc.Errno;
    }

    public NtStatus QueryStreams(FsaOpen open, out IReadOnlyList<FsaStreamInfo> streams)
    {
        streams = [];
        var o = (PosixOpen)open;
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        var list = new List<FsaStreamInfo>();
        if (!st.IsDirectory) list.Add(new FsaStreamInfo("::$DATA", (long)st.Size, (long)st.Blocks * 512));
        foreach (var (name, _) in StreamNames(o.Fd, st))
        {
            var probe = new PosixOpen(this, o.Fd, AccessMask.None, FileShareAccess.All, false) { StreamName = name };
            if (ReadStream(probe, out var data, out _) != 0) continue;
            list.Add(new FsaStreamInfo($":{name}:$DATA", data.Length, (data.Length + 4095) & ~4095L));
        }
        streams = list;
        return NtStatus.Success;
    }
}
