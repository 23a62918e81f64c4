using FastSmb.Fsa.Oplocks;

namespace FastSmb.Fsa.Posix;

/// <summary>"kernel oplocks" (Linux leases behind SMB oplocks and leases, <see cref="KernelLeases"/>) and opens that
/// meet a lease a local process holds.</summary>
public sealed partial class PosixVolume
{
    /// <summary>How often an open held back by a local process's lease tries again. The kernel gives that process
    /// /proc/sys/fs/lease-break-time (45 s by default) to let go before it takes the lease away.</summary>
    internal static TimeSpan LeaseHolderRetry { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Under the table lock: a lease on the open's descriptor, F_WRLCK for write caching, F_RDLCK otherwise.
    /// A stream (an xattr or a depot file, not the file's data) keeps its grant without one.</summary>
    private bool TakeKernelLease(FsaOpen open, CachingState state)
    {
        if (open is not PosixOpen o) return false;
        if (o.StreamName is not null) return true;
        if (KernelLeases.Shared is not { } leases) return false;
        var fd = o.Fd;
        if (!leases.TryAcquire(fd, (state & CachingState.Write) != 0, () => ShareModes.KernelLeaseBroken(o, () => leases.Release(fd))))
            return false;
        o.KernelLeased = true;
        return true;
    }

    private static void ReleaseKernelLease(PosixOpen open)
    {
        if (!open.KernelLeased) return;
        open.KernelLeased = false;
        KernelLeases.Shared?.Release(open.Fd);
    }

    /// <summary>
    /// A stream open reads its file's xattrs or depot through a descriptor of the file; when one of the server's own
    /// opens holds the file's kernel lease, a new descriptor would break it (any open does), so the stream open
    /// takes a duplicate of the leased one (the same open file description: no break). 0 or the errno.
    /// </summary>
    private int DuplicateLeasedDescriptor(in ResolvedPath target, out FileDescriptor? fd)
    {
        fd = null;
        if (ShareModes.FindOpen(target.Stat.Key, o => o is PosixOpen { KernelLeased: true }) is not PosixOpen leased)
            return Libc.EAGAIN;
        int dup = Libc.Fcntl(leased.Fd, Libc.F_DUPFD_CLOEXEC, 0);
        if (dup < 0) return Libc.Errno;
        fd = new FileDescriptor(dup);
        return 0;
    }

    /// <summary>
    /// The open (O_NONBLOCK) met a Linux lease another process holds (EWOULDBLOCK), which the kernel is now breaking:
    /// the CREATE waits, without blocking a thread, and tries again shortly (as Samba defers such an open,
    /// smb2.kernel-oplocks.kernel_oplocks8); a caller that cannot wait gets STATUS_SHARING_VIOLATION.
    /// </summary>
    private static NtStatus WaitForLeaseHolder(in FsaOpenRequest request)
    {
        if (request.Caching?.OnBreaksDone is not { } retry) return NtStatus.SharingViolation;
        _ = Task.Delay(LeaseHolderRetry).ContinueWith(_ => retry(), TaskScheduler.Default);
        return NtStatus.OplockBreakInProgress;
    }
}
