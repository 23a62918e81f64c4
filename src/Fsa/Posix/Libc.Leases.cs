using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

/// <summary>fcntl(2) leases (F_SETLEASE), the signal they break with (F_SETSIG, F_SETOWN_EX) and a signalfd to read
/// it, for "kernel oplocks".</summary>
internal static unsafe partial class Libc
{
    public const int F_SETLEASE = 1024, F_GETLEASE = 1025, F_SETSIG = 10, F_SETOWN_EX = 15;
    public const int F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    public const int F_OWNER_TID = 0;
    public const int SIG_BLOCK = 0, SIGIO = 29;
    public const int SFD_CLOEXEC = O_CLOEXEC;

    [StructLayout(LayoutKind.Sequential)]
    public struct FOwnerEx
    {
        public int Type;
        public int Pid;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(SafeHandle fd, int cmd, nint arg);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int FcntlOwner(SafeHandle fd, int cmd, FOwnerEx* owner);

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    public static partial int PthreadSigmask(int how, ulong* set, ulong* oldSet);

    [LibraryImport("libc", EntryPoint = "signalfd", SetLastError = true)]
    public static partial int Signalfd(int fd, ulong* mask, int flags);

    public const int F_DUPFD_CLOEXEC = 1030;

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int Gettid();

    [LibraryImport("libc", EntryPoint = "__libc_current_sigrtmin")]
    public static partial int SigRtMin();
}
