using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

/// <summary>Where a path leads: the on-disk parent, the leaf's on-disk name (or the requested one if it does not
/// exist), and the leaf's metadata when it exists. On-disk paths are relative to the root, '/'-separated, "" for it.</summary>
internal readonly record struct ResolvedPath(string Parent, string Leaf, bool Exists, Libc.Statx Stat)
{
    public string Path => PathResolver.Join(Parent, Leaf);
}

/// <summary>
/// Confines every lookup to beneath the volume root and makes lookups case-insensitive on a case-sensitive file
/// system. Each open goes through openat2(2) from the root's descriptor with RESOLVE_BENEATH and
/// RESOLVE_NO_MAGICLINKS, so neither "..", nor an absolute symlink, nor a symlink swapped in by a race leads out
/// of the share (symlinks that stay inside are followed); where the kernel lacks openat2 (before 5.6) every
/// component is opened with O_NOFOLLOW from its parent's descriptor, refusing all symlinks.
/// A name is looked up exactly first; only if that fails is it looked up ignoring case, in the directory's folded
/// names (<see cref="CaseFoldCache"/>). Holds the root descriptor it borrows and that cache; thread-safe.
/// </summary>
internal sealed unsafe class PathResolver(FileDescriptor root, bool useOpenat2)
{
    private bool _openat2 = useOpenat2;

    public FileDescriptor Root => root;

    public static string Join(string parent, string name) =>
        parent.Length == 0 ? name : name.Length == 0 ? parent : parent + "/" + name;

    public static (string Parent, string Leaf) Split(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? ("", path) : (path[..slash], path[(slash + 1)..]);
    }

    /// <summary>Opens <paramref name="path"/> beneath the root; returns 0 or the errno.</summary>
    public int Open(string path, int flags, uint mode, out FileDescriptor? fd)
    {
        fd = null;
        string p = path.Length == 0 ? "." : path;
        if (_openat2)
        {
            int r = Libc.Openat2(root, p, flags, mode, Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_MAGICLINKS);
            if (r >= 0)
            {
                fd = new FileDescriptor(r);
                return 0;
            }
            int errno = Libc.Errno;
            if (errno != Libc.ENOSYS) return errno;
            _openat2 = false;
        }
        return OpenByWalk(p, flags, mode, out fd);
    }

    private int OpenByWalk(string path, int flags, uint mode, out FileDescriptor? fd)
    {
        fd = null;
        var parts = path.Split('/');
        SafeHandle current = root;
        FileDescriptor? owned = null;
        try
        {
            for (int i = 0; i < parts.Length - 1; i++)
            {
                int r = Libc.Openat(current, parts[i], Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                if (r < 0) return Libc.Errno;
                owned?.Dispose();
                current = owned = new FileDescriptor(r);
            }
            int last = Libc.Openat(current, parts[^1], flags | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode);
            if (last < 0) return Libc.Errno;
            fd = new FileDescriptor(last);
            return 0;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>The metadata of what <paramref name="path"/> leads to (following symlinks beneath the root).</summary>
    public int Stat(string path, out Libc.Statx st)
    {
        st = default;
        int errno = Open(path, Libc.O_PATH, 0, out var fd);
        if (errno != 0) return errno;
        using (fd)
        {
            errno = StatFd(fd!, out st);
            // The component walk opened a final symlink itself (O_PATH|O_NOFOLLOW): without openat2 none is followed.
            if (errno == 0 && st.IsSymlink) return Libc.ELOOP;
            return errno;
        }
    }

    public static int StatFd(SafeHandle fd, out Libc.Statx st) =>
        Libc.StatxAt(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS | Libc.STATX_BTIME, out st) == 0 ? 0 : Libc.Errno;

    /// <summary>
    /// Resolves client path components. Missing intermediate directories give STATUS_OBJECT_PATH_NOT_FOUND; a
    /// missing leaf is not an error (<see cref="ResolvedPath.Exists"/> is false).
    /// </summary>
    public NtStatus Resolve(string[] components, out ResolvedPath resolved)
    {
        resolved = default;
        if (components.Length == 0)
        {
            int e = Stat("", out var rootStat);
            if (e != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, e);
            resolved = new ResolvedPath("", "", true, rootStat);
            return NtStatus.Success;
        }
        // Fast path: the name exactly as the client spelled it.
        string whole = string.Join('/', components);
        int errno = Stat(whole, out var st);
        if (errno == 0)
        {
            var (parent, leaf) = Split(whole);
            resolved = new ResolvedPath(parent, leaf, true, st);
            return NtStatus.Success;
        }
        if (errno is not (Libc.ENOENT or Libc.ENOTDIR)) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);

        string prefix = "";
        for (int i = 0; i < components.Length; i++)
        {
            string name = components[i];
            string candidate = Join(prefix, name);
            errno = Stat(candidate, out st);
            if (errno == Libc.ENOENT && FindIgnoringCase(prefix, name) is { } onDisk)
            {
                name = onDisk;
                candidate = Join(prefix, name);
                errno = Stat(candidate, out st);
            }
            bool last = i == components.Length - 1;
            if (!last)
            {
                if (errno is Libc.ENOENT or Libc.ENOTDIR || (errno == 0 && !st.IsDirectory)) return NtStatus.ObjectPathNotFound;
                if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
                prefix = candidate;
                continue;
            }
            if (errno == Libc.ENOENT)
            {
                resolved = new ResolvedPath(prefix, components[i], false, default);
                return NtStatus.Success;
            }
            if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
            resolved = new ResolvedPath(prefix, name, true, st);
        }
        return NtStatus.Success;
    }

    /// <summary>The folded names of the directories looked up ignoring case; the volume invalidates what it changes.</summary>
    public CaseFoldCache CaseFold { get; } = new();

    internal string? FindIgnoringCase(string directory, string name)
    {
        if (Open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var fd) != 0) return null;
        using (fd)
        {
            if (StatFd(fd!, out var st) != 0) return null;
            return CaseFold.Find(directory, st, name, () => ReadNames(fd!));
        }
    }

    /// <summary>Every name in the directory open as <paramref name="directory"/>, without "." and "..".
    /// Reads through a fresh descriptor of it, so the caller's own offset is untouched.</summary>
    public static List<string> ReadNames(SafeHandle directory)
    {
        var names = new List<string>();
        int r = Libc.Openat(directory, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (r < 0) return names;
        using var fd = new FileDescriptor(r);
        var buffer = new byte[32 * 1024];
        fixed (byte* b = buffer)
        {
            while (true)
            {
                nint n = Libc.Getdents64(fd, b, (nuint)buffer.Length);
                if (n <= 0) break;
                for (int pos = 0; pos < n;)
                {
                    // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated)
                    ushort reclen = *(ushort*)(b + pos + 16);
                    var nameBytes = new ReadOnlySpan<byte>(b + pos + 19, reclen - 19);
                    int nul = nameBytes.IndexOf((byte)0);
                    if (nul >= 0) nameBytes = nameBytes[..nul];
                    pos += reclen;
                    if (nameBytes.SequenceEqual("."u8) || nameBytes.SequenceEqual(".."u8)) continue;
                    names.Add(System.Text.Encoding.UTF8.GetString(nameBytes));
                }
            }
        }
        return names;
    }
}
