using System.Runtime.InteropServices;

namespace FastSmb.Datapath.CoreLoops;

/// <summary>Pins the calling thread to one CPU (sched_setaffinity(2) with pid 0: the calling thread).</summary>
internal static unsafe partial class ThreadAffinity
{
    /// <summary>Returns false (and leaves the thread unpinned) when the kernel refuses, e.g. the CPU is outside the
    /// process's cpuset; the loop still runs, only unpinned.</summary>
    public static bool PinCurrentThread(int cpu)
    {
        if (!OperatingSystem.IsLinux() || cpu < 0 || cpu >= 1024) return false;
        // cpu_set_t is 1024 bits on glibc; the kernel accepts any multiple of sizeof(long) that covers the CPU.
        ulong* mask = stackalloc ulong[16];
        new Span<ulong>(mask, 16).Clear();
        mask[cpu / 64] = 1UL << (cpu % 64);
        return sched_setaffinity(0, 16 * sizeof(ulong), mask) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nint cpusetsize, ulong* mask);
}
