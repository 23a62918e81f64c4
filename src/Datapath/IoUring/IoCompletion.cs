using System.Runtime.InteropServices;

namespace FastSmb.Datapath.IoUring;

/// <summary>
/// One completion as <see cref="IoRing.Reap"/> copies it out of the CQ ring (struct fsn_cqe, 16 bytes):
/// the caller's user_data, the result (bytes or <c>-errno</c>) and the IORING_CQE_F_* flags.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct IoCompletion
{
    private const uint FlagBuffer = 1 << 0; // IORING_CQE_F_BUFFER
    private const uint FlagMore = 1 << 1; // IORING_CQE_F_MORE
    private const uint FlagSockNonEmpty = 1 << 2; // IORING_CQE_F_SOCK_NONEMPTY
    private const uint FlagNotification = 1 << 3; // IORING_CQE_F_NOTIF

    public readonly ulong UserData;

    /// <summary>&gt;= 0: the operation's result (bytes moved, ...); &lt; 0: <c>-errno</c> (see <see cref="Errno"/>).</summary>
    public readonly int Result;

    public readonly uint Flags;

    public IoCompletion(ulong userData, int result, uint flags)
    {
        UserData = userData;
        Result = result;
        Flags = flags;
    }

    /// <summary>The operation stays armed and will complete again (multishot recv; the first CQE of send_zc).</summary>
    public bool HasMore => (Flags & FlagMore) != 0;

    /// <summary>send_zc's second CQE: the kernel has let go of the buffer, which may now be reused.</summary>
    public bool IsNotification => (Flags & FlagNotification) != 0;

    /// <summary>A provided buffer (multishot recv) holds the data; its id is <see cref="BufferId"/>.</summary>
    public bool HasBuffer => (Flags & FlagBuffer) != 0;

    public ushort BufferId => (ushort)(Flags >> 16);

    /// <summary>The socket had more data queued after this receive.</summary>
    public bool SocketNonEmpty => (Flags & FlagSockNonEmpty) != 0;

    public override string ToString() => $"{{user_data={UserData}, res={Result}, flags=0x{Flags:x}}}";
}

/// <summary>The errno values io_uring completions carry that FastSmb's loops act on (Linux, all architectures it runs on).</summary>
public static class Errno
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int ETIME = 62;
    public const int ENOBUFS = 105;
    public const int EALREADY = 114;
    public const int ECANCELED = 125;
}
