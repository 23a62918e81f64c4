using System.Runtime.InteropServices;
using System.Text;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// Extended attributes of a file, through its descriptor (f*xattr) or, for a directory entry the caller has no
/// descriptor for, through <c>/proc/self/fd/&lt;dir&gt;/&lt;name&gt;</c> with the l* calls: the directory descriptor is
/// already beneath the share root and the last component is not followed, so the path stays confined. Every call
/// returns 0 or the errno (ENODATA: no such attribute). Values are read with one retry when they grow between the
/// size probe and the read. Stateless.
/// </summary>
internal static unsafe class Xattrs
{
    /// <summary>The largest value read: Linux caps one xattr value at 64 KiB (XATTR_SIZE_MAX).</summary>
    private const int MaxValue = 64 * 1024;

    /// <summary>The path the l* calls use for <paramref name="name"/> in the directory open as <paramref name="directory"/>.</summary>
    public static string EntryPath(SafeHandle directory, string name) => $"/proc/self/fd/{directory.DangerousGetHandle()}/{name}";

    public static int Get(SafeHandle fd, string name, out byte[]? value) => GetCore(fd, null, name, out value);

    public static int GetAt(string entryPath, string name, out byte[]? value) => GetCore(null, entryPath, name, out value);

    public static int List(SafeHandle fd, out List<string> names) => ListCore(fd, null, out names);

    public static int ListAt(string entryPath, out List<string> names) => ListCore(null, entryPath, out names);

    public static int Set(SafeHandle fd, string name, ReadOnlySpan<byte> value, int flags = 0)
    {
        fixed (byte* p = value)
            return Libc.Fsetxattr(fd, name, p, (nuint)value.Length, flags) == 0 ? 0 : Libc.Errno;
    }

    /// <summary>Removes <paramref name="name"/>; removing one that is not there succeeds.</summary>
    public static int Remove(SafeHandle fd, string name)
    {
        if (Libc.Fremovexattr(fd, name) == 0) return 0;
        int errno = Libc.Errno;
        return errno == Libc.ENODATA ? 0 : errno;
    }

    private static int GetCore(SafeHandle? fd, string? path, string name, out byte[]? value)
    {
        value = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            nint size = fd is not null ? Libc.Fgetxattr(fd, name, null, 0) : Libc.Lgetxattr(path!, name, null, 0);
            if (size < 0) return Libc.Errno;
            var buffer = new byte[Math.Min((int)size, MaxValue)];
            fixed (byte* p = buffer)
            {
                nint n = fd is not null ? Libc.Fgetxattr(fd, name, p, (nuint)buffer.Length)
                    : Libc.Lgetxattr(path!, name, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    value = n == buffer.Length ? buffer : buffer[..(int)n];
                    return 0;
                }
                if (Libc.Errno != Libc.ERANGE) return Libc.Errno;
            }
        }
        return Libc.ERANGE;
    }

    private static int ListCore(SafeHandle? fd, string? path, out List<string> names)
    {
        names = [];
        for (int attempt = 0; attempt < 2; attempt++)
        {
            nint size = fd is not null ? Libc.Flistxattr(fd, null, 0) : Libc.Llistxattr(path!, null, 0);
            if (size < 0) return Libc.Errno;
            if (size == 0) return 0;
            var buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                nint n = fd is not null ? Libc.Flistxattr(fd, p, (nuint)buffer.Length) : Libc.Llistxattr(path!, p, (nuint)buffer.Length);
                if (n < 0)
                {
                    if (Libc.Errno == Libc.ERANGE) continue;
                    return Libc.Errno;
                }
                // The list is NUL-terminated names, one after the other.
                var list = new ReadOnlySpan<byte>(p, (int)n);
                while (!list.IsEmpty)
                {
                    int nul = list.IndexOf((byte)0);
                    if (nul < 0) nul = list.Length;
                    if (nul > 0) names.Add(Encoding.UTF8.GetString(list[..nul]));
                    list = nul < list.Length ? list[(nul + 1)..] : default;
                }
                return 0;
            }
        }
        return Libc.ERANGE;
    }
}
