using System.Runtime.InteropServices;

namespace FastSmb.Datapath.IoUring;

/// <summary>How to set up an <see cref="IoRing"/> (io_uring_params).</summary>
public sealed record IoRingOptions
{
    /// <summary>Submission queue entries (rounded up to a power of two by the kernel).</summary>
    public int Entries { get; init; } = 256;

    /// <summary>Completion queue entries; 0 = the kernel default of twice <see cref="Entries"/>.</summary>
    public int CompletionEntries { get; init; }

    /// <summary>
    /// IORING_SETUP_SQPOLL: a kernel thread polls the SQ so submits need no syscall. Off by default: it
    /// burns a core's worth of polling on the 2-core machines FastSmb is also measured on.
    /// </summary>
    public bool SubmissionQueuePolling { get; init; }

    /// <summary>How long the SQPOLL thread spins before it sleeps.</summary>
    public int SubmissionQueuePollingIdleMilliseconds { get; init; } = 1000;

    /// <summary>
    /// IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN (6.1): completions are processed only when
    /// the owner waits, with no IPIs. Right for a core loop; the ring must then be created, used and
    /// reaped on that one thread.
    /// </summary>
    public bool SingleIssuer { get; init; }
}

/// <summary>Operations the running kernel has (fsn_probe, FSN_CAP_*).</summary>
[Flags]
public enum IoRingCapabilities : ulong
{
    None = 0,
    Read = 1UL << 0,
    Write = 1UL << 1,
    ReadFixed = 1UL << 2,
    WriteFixed = 1UL << 3,
    Receive = 1UL << 4,
    Send = 1UL << 5,
    SendZeroCopy = 1UL << 6,
    Cancel = 1UL << 7,
    MessageRing = 1UL << 8,
    ReceiveMultishot = 1UL << 9,
    TimedWait = 1UL << 10,
    Nop = 1UL << 11,
}

/// <summary>IOSQE_* flags of one submission.</summary>
[Flags]
public enum SqeFlags : uint
{
    None = 0,

    /// <summary>IOSQE_FIXED_FILE: the fd argument is an index into the registered file table.</summary>
    FixedFile = 1 << 0,

    /// <summary>IOSQE_IO_DRAIN: start only after every earlier submission completed.</summary>
    Drain = 1 << 1,

    /// <summary>IOSQE_IO_LINK: the next submission starts when this one succeeded.</summary>
    Link = 1 << 2,

    /// <summary>IOSQE_IO_HARDLINK: the next submission starts when this one completed, even with an error.</summary>
    HardLink = 1 << 3,

    /// <summary>IOSQE_ASYNC: go to the io-wq worker at once instead of trying inline first.</summary>
    Async = 1 << 4,

    /// <summary>IOSQE_CQE_SKIP_SUCCESS: post no completion when it succeeds.</summary>
    SkipSuccess = 1 << 6,
}

/// <summary>The MSG_* flags of recv/send that FastSmb uses (Linux values).</summary>
public static class MessageFlags
{
    public const int DontWait = 0x40;
    public const int WaitAll = 0x100;
    public const int NoSignal = 0x4000;
}

/// <summary>An io_uring call failed in a way that is a bug or a broken host, not an outcome to handle.</summary>
public sealed class IoRingException : Exception
{
    public IoRingException(string operation, int errno)
        : base($"{operation} failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})")
    {
        Operation = operation;
        Errno = errno;
    }

    public string Operation { get; }

    public int Errno { get; }
}
