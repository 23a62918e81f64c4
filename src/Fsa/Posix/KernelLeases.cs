using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// "kernel oplocks": Linux leases (fcntl F_SETLEASE) on the descriptors of opens that hold an oplock or lease, so
/// that a local process (or the NFS server) opening the file makes the kernel tell FastSmb, which breaks the SMB
/// grant and then lets the lease go. The kernel tells with a signal: each leased descriptor is set (F_SETSIG,
/// F_SETOWN_EX with F_OWNER_TID) to send a real-time signal to this class's one thread, which keeps that signal (and
/// SIGIO, what the kernel sends instead when the real-time queue is full) blocked and reads them from a signalfd, so
/// no other thread ever sees them. Process-wide, created on first use; thread-safe.
/// </summary>
internal sealed unsafe class KernelLeases
{
    private static readonly Lazy<KernelLeases?> s_shared = new(Create);

    private readonly Lock _lock = new();
    private readonly Dictionary<int, Action> _broken = new();
    private readonly int _signal;
    private int _tid;
    private bool _running;

    private KernelLeases(int signal) => _signal = signal;

    /// <summary>The process's lease watcher; null where its thread could not be set up (then no kernel lease is
    /// taken, and kernel oplocks grant nothing).</summary>
    public static KernelLeases? Shared => s_shared.Value;

    private static KernelLeases? Create()
    {
        // A real-time signal the .NET runtime leaves alone (it takes SIGRTMIN for its own activation signal).
        var leases = new KernelLeases(Libc.SigRtMin() + 6);
        using var ready = new ManualResetEventSlim();
        var thread = new Thread(() => leases.Run(ready)) { IsBackground = true, Name = "fastsmb-kernel-leases" };
        thread.Start();
        ready.Wait();
        return leases._running ? leases : null;
    }

    /// <summary>
    /// Takes a lease on <paramref name="fd"/>: F_WRLCK (exclusive: no other descriptor of the file may be open, in
    /// any process) or F_RDLCK (the descriptor must be read-only and nobody may have the file open for writing).
    /// <paramref name="broken"/> runs on the lease thread when a local open breaks it; the caller then releases it
    /// (<see cref="Release"/>) once its own holder let go. False when the kernel refuses.
    /// </summary>
    public bool TryAcquire(FileDescriptor fd, bool write, Action broken)
    {
        var owner = new Libc.FOwnerEx { Type = Libc.F_OWNER_TID, Pid = _tid };
        if (Libc.Fcntl(fd, Libc.F_SETSIG, _signal) != 0 || Libc.FcntlOwner(fd, Libc.F_SETOWN_EX, &owner) != 0) return false;
        lock (_lock)
        {
            if (Libc.Fcntl(fd, Libc.F_SETLEASE, write ? Libc.F_WRLCK : Libc.F_RDLCK) != 0) return false;
            _broken[(int)fd.DangerousGetHandle()] = broken;
        }
        return true;
    }

    /// <summary>Gives the lease up (F_UNLCK): a local opener waiting for it goes on. Harmless when there is none.</summary>
    public void Release(FileDescriptor fd)
    {
        lock (_lock)
        {
            if (!_broken.Remove((int)fd.DangerousGetHandle())) return;
            if (!fd.IsClosed) Libc.Fcntl(fd, Libc.F_SETLEASE, Libc.F_UNLCK);
        }
    }

    private void Run(ManualResetEventSlim ready)
    {
        ulong* set = stackalloc ulong[16];
        new Span<ulong>(set, 16).Clear();
        set[(_signal - 1) / 64] |= 1UL << ((_signal - 1) % 64);
        set[(Libc.SIGIO - 1) / 64] |= 1UL << ((Libc.SIGIO - 1) % 64);
        int sfd = -1;
        if (Libc.PthreadSigmask(Libc.SIG_BLOCK, set, null) == 0) sfd = Libc.Signalfd(-1, set, Libc.SFD_CLOEXEC);
        _tid = Libc.Gettid();
        _running = sfd >= 0;
        ready.Set();
        if (sfd < 0) return;
        using var handle = new FileDescriptor(sfd);
        var info = stackalloc byte[128]; // struct signalfd_siginfo
        while (true)
        {
            nint n = Libc.Read(handle, info, 128);
            if (n < 0)
            {
                if (Libc.Errno == Libc.EINTR) continue;
                return;
            }
            if (n < 128) continue;
            uint signo = *(uint*)info;
            int fd = *(int*)(info + 20); // ssi_fd
            Action[] toBreak;
            lock (_lock)
            {
                if (signo == (uint)_signal) toBreak = _broken.TryGetValue(fd, out var one) ? [one] : [];
                // SIGIO: the real-time queue overflowed and the descriptor is unknown: every lease may be breaking.
                else toBreak = _broken.Values.ToArray();
            }
            foreach (var broken in toBreak) broken();
        }
    }
}
