using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Readlinkat(SafeHandle dirfd, string path, byte* buffer, nuint size);

    /// <summary>The target of the symlink <paramref name="link"/> (an O_PATH|O_NOFOLLOW descriptor of it: readlinkat
    /// with an empty path reads the link itself); 0 or the errno.</summary>
    public static int ReadLink(SafeHandle link, out string target)
    {
        target = "";
        var buffer = new byte[4096]; // PATH_MAX: no symlink target is longer
        fixed (byte* b = buffer)
        {
            nint n = Readlinkat(link, "", b, (nuint)buffer.Length);
            if (n < 0) return Errno;
            target = System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
        }
        return 0;
    }
}
