using System.Runtime.InteropServices;
using System.Text;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// Metadata beyond stat: DOS attributes and creation time in <c>user.DOSATTRIB</c> (Samba's format, see
/// <see cref="DosAttrib"/>), the [MS-FSA] 2.1.5.14.2 timestamp rules, and extended attributes as <c>user.&lt;name&gt;</c>
/// xattrs as Samba stores them with "ea support = yes", so files keep both when a share moves between the servers.
/// </summary>
public sealed partial class PosixVolume
{
    private const string UserPrefix = "user.";

    /// <summary>What a file's xattrs add to its stat.</summary>
    internal readonly record struct XattrMetadata(DosAttrib.Info Dos, uint EaSize)
    {
        /// <summary>A ChangeTime set explicitly (PosixVolume.ChangeTime.cs).</summary>
        public StoredChangeTime Change { get; init; }
    }

    public NtStatus QueryMetadata(FsaOpen open, out FileMetadata metadata)
    {
        metadata = default;
        var o = (PosixOpen)open;
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        if (st.IsSymlink)
        {
            metadata = DescribeLinkItself(o, st); // an open of the link itself (FILE_OPEN_REPARSE_POINT)
            return NtStatus.Success;
        }
        metadata = ToMetadata(st, ReadXattrMetadata(o.Fd, null));
        if (o.StreamName is not null) return QueryStreamSize(o, ref metadata);
        ApplyShownWriteTime(o, ref metadata);
        return NtStatus.Success;
    }

    /// <summary>The DOSATTRIB and the EA size, from one listxattr (and a getxattr per attribute that is there);
    /// what cannot be read counts as absent.</summary>
    internal static XattrMetadata ReadXattrMetadata(SafeHandle? fd, string? entryPath)
    {
        int errno = fd is not null ? Xattrs.List(fd, out var names) : Xattrs.ListAt(entryPath!, out names);
        if (errno != 0 || names.Count == 0) return default;
        DosAttrib.Info dos = default;
        StoredChangeTime change = default;
        List<(int, int)>? eas = null;
        foreach (var name in names)
        {
            if (name == DosAttrib.XattrName)
            {
                if (Get(name, out var value) && DosAttrib.TryDecode(value, out var decoded)) dos = decoded;
            }
            else if (name == ChangeTimeXattrName)
            {
                if (Get(name, out var value)) TryDecodeChangeTime(value, out change);
            }
            else if (IsUserEa(name) && Get(name, out var value))
            {
                (eas ??= []).Add((Encoding.ASCII.GetByteCount(name) - UserPrefix.Length, value.Length));
            }
        }
        return new XattrMetadata(dos, eas is null ? 0 : FsaEa.ChainSize(eas)) { Change = change };

        bool Get(string name, out byte[] value)
        {
            int e = fd is not null ? Xattrs.Get(fd, name, out var v) : Xattrs.GetAt(entryPath!, name, out v);
            value = v ?? [];
            return e == 0;
        }
    }

    internal static FileMetadata ToMetadata(in Libc.Statx st, in XattrMetadata x)
    {
        long mtime = FileTimes.FromUnix(st.MtimeSec, st.MtimeNsec);
        bool dir = st.IsDirectory;
        var attributes = x.Dos.HasAttributes ? x.Dos.Attributes & (FileAttributeFlags.Settable | FileAttributeFlags.SparseFile)
            : dir ? FileAttributeFlags.None : FileAttributeFlags.Archive;
        if (dir) attributes |= FileAttributeFlags.Directory;
        long created = x.Dos.CreationTime != 0 ? x.Dos.CreationTime : BirthTime(st);
        // ChangeTime is the write time, as Samba reports it: Linux lets nobody set the inode's ctime, and clients
        // that set ChangeTime through FileBasicInformation expect to read back what they set (kept in an xattr
        // until the data changes again, PosixVolume.ChangeTime.cs).
        // A directory reports no allocation, as NTFS (a small index is resident) and Samba report it.
        return new FileMetadata(created, FileTimes.FromUnix(st.AtimeSec, st.AtimeNsec), mtime, x.Change.Shown(mtime), dir ? 0 : (long)st.Blocks * 512, dir ? 0 : (long)st.Size,
            attributes, st.Ino, st.Nlink) { EaSize = x.EaSize };
    }

    /// <summary>The file system's birth time where it keeps one, else the modification time.</summary>
    private static long BirthTime(in Libc.Statx st) => (st.Mask & Libc.STATX_BTIME) != 0 && st.BtimeSec != 0
        ? FileTimes.FromUnix(st.BtimeSec, st.BtimeNsec) : FileTimes.FromUnix(st.MtimeSec, st.MtimeNsec);

    /// <summary>The attributes a file has now: the DOSATTRIB's, or the defaults of a file that has none.</summary>
    private static FileAttributeFlags CurrentAttributes(PosixOpen o)
    {
        int errno = PathResolver.StatFd(o.Fd, out var st);
        return errno != 0 ? FileAttributeFlags.None : ToMetadata(st, ReadDos(o.Fd)).Attributes;
    }

    private static XattrMetadata ReadDos(SafeHandle fd) =>
        Xattrs.Get(fd, DosAttrib.XattrName, out var value) == 0 && DosAttrib.TryDecode(value, out var dos)
            ? new XattrMetadata(dos, 0) : default;

    /// <summary>Stores the attributes (DIRECTORY added for a directory, as Samba does) and the creation time.
    /// A file system without xattrs keeps neither, and that is not an error: the defaults show instead.</summary>
    private static int WriteDos(SafeHandle fd, bool directory, FileAttributeFlags attributes, long creationTime)
    {
        // SPARSE_FILE is the file system's (FSCTL_SET_SPARSE), kept here as Samba keeps it; callers pass it through.
        attributes &= FileAttributeFlags.Settable | FileAttributeFlags.SparseFile;
        if (directory) attributes |= FileAttributeFlags.Directory;
        Span<byte> value = stackalloc byte[DosAttrib.EncodedSize];
        DosAttrib.Encode(value, attributes, creationTime);
        int errno = Xattrs.Set(fd, DosAttrib.XattrName, value);
        return errno == Libc.EOPNOTSUPP ? 0 : errno;
    }

    /// <summary>A file or directory this volume just created: the attributes the CREATE asked for (ARCHIVE added to
    /// a file, [MS-FSA] 2.1.5.1.1) and its birth time as creation time.</summary>
    private static void InitializeDos(FileDescriptor fd, in Libc.Statx st, FileAttributeFlags requested)
    {
        var attributes = requested & FileAttributeFlags.Settable;
        if (!st.IsDirectory) attributes |= FileAttributeFlags.Archive;
        WriteDos(fd, st.IsDirectory, attributes, BirthTime(st));
    }

    public unsafe NtStatus SetBasicInfo(FsaOpen open, long creationTime, long lastAccessTime, long lastWriteTime,
        long changeTime, FileAttributeFlags attributes)
    {
        var o = (PosixOpen)open;
        if ((o.GrantedAccess & AccessMask.WriteAttributes) == 0) return NtStatus.AccessDenied;
        // [MS-FSA] 2.1.5.14.2: times below -2 are invalid; DIRECTORY on a file and TEMPORARY on a directory too.
        if (creationTime < -2 || lastAccessTime < -2 || lastWriteTime < -2 || changeTime < -2) return NtStatus.InvalidParameter;
        if (attributes != 0)
        {
            if (!o.IsDirectory && (attributes & FileAttributeFlags.Directory) != 0) return NtStatus.InvalidParameter;
            if (o.IsDirectory && (attributes & FileAttributeFlags.Temporary) != 0) return NtStatus.InvalidParameter;
        }
        // Windows makes a pending write-time update at any basic-information set, even one of all zeros.
        UpdatePendingWriteTime(o);
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.SetTimes, errno);

        // -1: stop updating this time for the rest of this open; -2: resume; a time set explicitly also holds
        // against later writes through this open (Open.UserSetModificationTime/UserSetAccessTime).
        o.FrozenLastWriteTime = lastWriteTime switch
        {
            -1 => FileTimes.FromUnix(st.MtimeSec, st.MtimeNsec),
            -2 => 0,
            0 => o.FrozenLastWriteTime,
            _ => lastWriteTime,
        };
        o.FrozenLastAccessTime = lastAccessTime switch
        {
            -1 => FileTimes.FromUnix(st.AtimeSec, st.AtimeNsec),
            -2 => 0,
            0 => o.FrozenLastAccessTime,
            _ => lastAccessTime,
        };
        if (lastAccessTime > 0 || lastWriteTime > 0)
        {
            var times = stackalloc Libc.Timespec[2];
            times[0] = ToTimespec(lastAccessTime);
            times[1] = ToTimespec(lastWriteTime);
            if (Libc.Futimens(o.Fd, times) != 0) return ErrnoMap.ToStatus(FsOperation.SetTimes, Libc.Errno);
            if (lastWriteTime > 0) o.Node?.WriteTime.Set(lastWriteTime, o);
        }
        // The change time is the inode's ctime, which Linux does not let anybody set: it is kept beside it. The
        // listing of the parent shows it, so its directory leases break all the same (smb2.dirlease.setctime).
        if (changeTime > 0)
        {
            StoreChangeTime(o.Fd, changeTime);
            if (o.Node is { } changed) ShareModes.BreakParentLeases(changed.Path, o);
        }
        if (attributes == 0 && creationTime <= 0)
            return ReportBasicInfo(o, NtStatus.Success, creationTime, lastAccessTime, lastWriteTime, attributes);
        var current = ToMetadata(st, ReadDos(o.Fd));
        errno = WriteDos(o.Fd, o.IsDirectory,
            attributes != 0 ? (attributes & FileAttributeFlags.Settable) | (current.Attributes & FileAttributeFlags.SparseFile)
                : current.Attributes,
            creationTime > 0 ? creationTime : current.CreationTime);
        return ReportBasicInfo(o, errno == 0 ? NtStatus.Success : ErrnoMap.ToStatus(FsOperation.SetTimes, errno),
            creationTime, lastAccessTime, lastWriteTime, attributes);
    }

    private static Libc.Timespec ToTimespec(long fileTime)
    {
        if (fileTime <= 0) return new Libc.Timespec { Nsec = Libc.UTIME_OMIT };
        var (s, ns) = FileTimes.ToUnix(fileTime);
        return new Libc.Timespec { Sec = s, Nsec = ns };
    }

    /// <summary>Puts back the times this open froze (SetBasicInfo) after an operation through it moved them.</summary>
    private static unsafe void KeepFrozenTimes(PosixOpen o, bool written)
    {
        long write = written ? o.FrozenLastWriteTime : 0, access = o.FrozenLastAccessTime;
        if (write == 0 && access == 0) return;
        var times = stackalloc Libc.Timespec[2];
        times[0] = ToTimespec(access);
        times[1] = ToTimespec(write);
        Libc.Futimens(o.Fd, times);
    }

    // ---- Extended attributes ----

    /// <summary>
    /// A "user." xattr that is an EA: not one of the names Samba (and we) keep private — the DOS attributes, the ACL
    /// inheritance flags, streams_xattr's streams.
    /// </summary>
    private static bool IsUserEa(string xattrName) =>
        xattrName.StartsWith(UserPrefix, StringComparison.Ordinal) && !IsPrivateEaName(xattrName.AsSpan(UserPrefix.Length));

    private static bool IsPrivateEaName(ReadOnlySpan<char> name) =>
        name.Equals("DOSATTRIB", StringComparison.OrdinalIgnoreCase)
        || name.Equals("SAMBA_PAI", StringComparison.OrdinalIgnoreCase)
        || name.Equals("SAMBA_STREAMS", StringComparison.OrdinalIgnoreCase)
        || name.Equals(ChangeTimeXattrName.AsSpan(UserPrefix.Length), StringComparison.OrdinalIgnoreCase)
        || name.StartsWith(StreamXattrPrefix.AsSpan(UserPrefix.Length), StringComparison.OrdinalIgnoreCase);

    /// <summary>[MS-FSCC] 2.4.15: an EA name is 1 to 255 ASCII characters, none of them a control character or one of
    /// those NTFS refuses in EA names.</summary>
    internal static bool IsValidEaName(string name)
    {
        if (name.Length is 0 or > 255) return false;
        foreach (char c in name)
            if (c < 0x20 || c > 0x7E || "\"*+,/:;<=>?[\\]|".Contains(c)) return false;
        return true;
    }

    public NtStatus QueryEas(FsaOpen open, out IReadOnlyList<FsaEa> eas)
    {
        eas = [];
        var o = (PosixOpen)open;
        if ((o.GrantedAccess & AccessMask.ReadEa) == 0) return NtStatus.AccessDenied;
        int errno = Xattrs.List(o.Fd, out var names);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
        var list = new List<FsaEa>();
        foreach (var name in names)
        {
            if (!IsUserEa(name)) continue;
            errno = Xattrs.Get(o.Fd, name, out var value);
            if (errno == Libc.ENODATA) continue; // removed since the listing
            if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
            list.Add(new FsaEa(name[UserPrefix.Length..], value!));
        }
        eas = list;
        return NtStatus.Success;
    }

    public NtStatus SetEas(FsaOpen open, IReadOnlyList<FsaEa> eas)
    {
        var o = (PosixOpen)open;
        if ((o.GrantedAccess & AccessMask.WriteEa) == 0) return NtStatus.AccessDenied;
        return ReportModified(o, Notify.NotifyFilter.Ea, ApplyEas(o, eas));
    }

    /// <summary>Sets <paramref name="eas"/> on the file without an access check (a CREATE's EA buffer). An EA whose
    /// name differs only in case from one the file has replaces it.</summary>
    private static NtStatus ApplyEas(PosixOpen o, IReadOnlyList<FsaEa> eas)
    {
        foreach (var ea in eas)
        {
            if (!IsValidEaName(ea.Name)) return NtStatus.InvalidEaName;
            // Samba refuses to let a client touch its private attributes through EAs; so do we.
            if (IsPrivateEaName(ea.Name)) return NtStatus.AccessDenied;
        }
        int errno = Xattrs.List(o.Fd, out var names);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
        foreach (var ea in eas)
        {
            string xattr = UserPrefix + ea.Name;
            foreach (var existing in names)
            {
                if (existing != xattr && IsUserEa(existing)
                    && existing.AsSpan(UserPrefix.Length).Equals(ea.Name, StringComparison.OrdinalIgnoreCase))
                {
                    errno = Xattrs.Remove(o.Fd, existing);
                    if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
                }
            }
            errno = ea.Value.Length == 0 ? Xattrs.Remove(o.Fd, xattr) : Xattrs.Set(o.Fd, xattr, ea.Value);
            if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
        }
        return NtStatus.Success;
    }
}
