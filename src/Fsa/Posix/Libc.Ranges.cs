using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

/// <summary>The calls behind the file system controls: in-kernel copies, holes and extents.</summary>
internal static unsafe partial class Libc
{
    public const int ENXIO = 6, ENOTTY = 25;
    public const int SEEK_DATA = 3, SEEK_HOLE = 4;
    public const int FALLOC_FL_PUNCH_HOLE = 0x02, FALLOC_FL_ZERO_RANGE = 0x10;

    /// <summary>FICLONERANGE = _IOW(0x94, 13, struct file_clone_range), the same on x86-64 and arm64.</summary>
    public const uint FICLONERANGE = 0x4020940D;

    [StructLayout(LayoutKind.Sequential)]
    public struct FileCloneRange
    {
        public long SrcFd;
        public ulong SrcOffset;
        public ulong SrcLength;
        public ulong DestOffset;
    }

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    public static partial nint CopyFileRange(SafeHandle fdIn, long* offIn, SafeHandle fdOut, long* offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "lseek64", SetLastError = true)]
    public static partial long Lseek(SafeHandle fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlCloneRange(SafeHandle fd, nuint request, FileCloneRange* range);
}
