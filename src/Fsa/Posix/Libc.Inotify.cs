using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

/// <summary>inotify(7): the kernel's directory change events, for "kernel change notify".</summary>
internal static unsafe partial class Libc
{
    public const uint IN_MODIFY = 0x002, IN_ATTRIB = 0x004, IN_MOVED_FROM = 0x040, IN_MOVED_TO = 0x080,
        IN_CREATE = 0x100, IN_DELETE = 0x200, IN_DELETE_SELF = 0x400, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000,
        IN_ONLYDIR = 0x01000000, IN_EXCL_UNLINK = 0x04000000, IN_ISDIR = 0x40000000;
    public const int IN_CLOEXEC = O_CLOEXEC;

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InotifyAddWatch(SafeHandle fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    public static partial int InotifyRmWatch(SafeHandle fd, int wd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeHandle fd, byte* buffer, nuint count);

    public const int EINTR = 4;
}
