using System.Runtime.InteropServices;

namespace FastSmb.Datapath.Identity;

/// <summary>
/// The calling thread's file system credentials, through the raw x86_64 syscalls: glibc's setgroups (and setuid,
/// setgid) broadcast the change to every thread of the process (the nptl "setxid" signal), which would hand one
/// session's groups to every connection; the raw syscalls change only the calling thread. setfsuid/setfsgid only
/// change what file system calls check, never the real or effective ids, so the thread keeps CAP_SETUID and can
/// always switch back. Process-wide static state is read-only after the type's initialisation.
/// </summary>
public static partial class ThreadCredentials
{
    private const long SYS_setgroups = 116, SYS_setfsuid = 122, SYS_setfsgid = 123;

    /// <summary>What the threads run as outside an <see cref="IdentityScope"/>: the process's effective ids and
    /// its supplementary groups at start-up.</summary>
    public static UnixIdentity Server { get; }

    /// <summary>
    /// True when the process runs as root (effective uid 0) on x86_64 Linux: only then can a thread take another
    /// user's credentials. Otherwise every file call runs as the server's own user.
    /// </summary>
    public static bool CanSwitch { get; }

    static ThreadCredentials()
    {
        if (!OperatingSystem.IsLinux())
        {
            Server = new UnixIdentity(0, 0, []);
            return;
        }
        uint uid = geteuid(), gid = getegid();
        int n = getgroups(0, null);
        var groups = new uint[Math.Max(n, 0)];
        if (n > 0) n = getgroups(n, groups);
        Server = new UnixIdentity(uid, gid, n > 0 ? groups[..n] : []);
        CanSwitch = uid == 0 && RuntimeInformation.ProcessArchitecture == Architecture.X64;
    }

    // The identities whose setfsuid/setfsgid this thread has seen take (see Apply): the server's, and the last user's.
    [ThreadStatic] private static bool t_serverVerified;
    [ThreadStatic] private static UnixIdentity? t_userVerified;

    // The identity Apply last gave this thread (null: never switched, so the server's).
    [ThreadStatic] private static UnixIdentity? t_current;

    /// <summary>
    /// The identity the calling thread's file system calls run as now (what <see cref="Apply"/> last set). A thread
    /// that never switched asks the kernel once: a thread started from inside an <see cref="IdentityScope"/> (the
    /// thread pool may start a worker from whichever thread queues work) inherited that user's credentials, and is
    /// put back to the server's here, so what this returns is always what the kernel applies.
    /// </summary>
    internal static UnixIdentity CurrentIdentity
    {
        get
        {
            if (t_current is { } known) return known;
            if (CanSwitch && Current() != (Server.Uid, Server.Gid)) Apply(Server);
            t_current = Server;
            return Server;
        }
    }

    /// <summary>Makes the calling thread's file system calls run as <paramref name="identity"/>. Groups first:
    /// once the fsuid is not 0 the thread has lost the file capabilities, but not CAP_SETGID, so the order only
    /// matters for clarity.</summary>
    internal static unsafe void Apply(UnixIdentity identity)
    {
        var groups = identity.GroupArray;
        fixed (uint* p = groups)
        {
            if (syscall(SYS_setgroups, groups.Length, (nint)p) != 0)
                throw new InvalidOperationException($"setgroups failed (errno {Marshal.GetLastPInvokeError()})");
        }
        syscall(SYS_setfsgid, identity.Gid, 0);
        syscall(SYS_setfsuid, identity.Uid, 0);
        t_current = identity;
        // setfsuid/setfsgid report no error: reading the value back (-1 changes nothing) is the check. It is made once
        // per thread and identity, not per switch: the calls fail silently only when the thread lacks CAP_SETUID/
        // CAP_SETGID (constant for the thread: a non-zero fsuid drops the file capabilities, not these) or the id is
        // not mapped in the user namespace (constant for the identity), so a switch that took once always takes.
        // Each syscall costs microseconds (2.5 µs on the 2-CPU VM), and the read-backs were 4 of the 10 a request on
        // a disk tree made (perf/results/2026-11-23-wirespeed.md).
        bool server = ReferenceEquals(identity, Server);
        if (server ? t_serverVerified : ReferenceEquals(identity, t_userVerified)) return;
        if ((uint)syscall(SYS_setfsuid, -1, 0) != identity.Uid || (uint)syscall(SYS_setfsgid, -1, 0) != identity.Gid)
            throw new InvalidOperationException($"setfsuid/setfsgid to {identity} did not take");
        if (server) t_serverVerified = true;
        else t_userVerified = identity;
    }

    /// <summary>The calling thread's fsuid and fsgid, as the kernel sees them now.</summary>
    public static (uint Uid, uint Gid) Current()
    {
        if (!CanSwitch) return (Server.Uid, Server.Gid);
        return ((uint)syscall(SYS_setfsuid, -1, 0), (uint)syscall(SYS_setfsgid, -1, 0));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long arg1, nint arg2);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial uint getegid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getgroups(int size, [Out] uint[]? list);
}
