namespace FastSmb.Fsa.Posix;

public sealed partial class PosixVolume
{
    /// <summary>
    /// Writes <paramref name="data"/> as the whole content of <paramref name="path"/>, a file of the share's side
    /// directory (stream depot, large NT ACLs) that xattrs could not hold: creates the directories of
    /// <paramref name="directories"/> first (0700, in order, existing ones kept), then the file (0600; with
    /// <paramref name="exclusive"/> it must not exist yet). Returns 0 or an errno.
    /// </summary>
    private unsafe int WriteSideFile(ReadOnlySpan<string> directories, string path, ReadOnlySpan<byte> data, bool exclusive)
    {
        foreach (var d in directories)
        {
            var (parent, leaf) = PathResolver.Split(d);
            int e = _paths.Open(parent, Libc.O_PATH | Libc.O_DIRECTORY, 0, out var pfd);
            if (e != 0) return e;
            using (pfd)
                if (Libc.Mkdirat(pfd!, leaf, 0x1C0 /* 0700 */) != 0 && Libc.Errno != Libc.EEXIST) return Libc.Errno;
        }
        int errno = _paths.Open(path, Libc.O_RDWR | Libc.O_CREAT | (exclusive ? Libc.O_EXCL : 0), 0x180 /* 0600 */, out var fd);
        if (errno != 0) return errno;
        using (fd)
        {
            if (Libc.Ftruncate(fd!, 0) != 0) return Libc.Errno;
            fixed (byte* p = data)
                for (int done = 0; done < data.Length;)
                {
                    nint n = Libc.Pwrite(fd!, p + done, (nuint)(data.Length - done), done);
                    if (n <= 0) return n < 0 ? Libc.Errno : Libc.ENOSPC;
                    done += (int)n;
                }
        }
        return 0;
    }
}
