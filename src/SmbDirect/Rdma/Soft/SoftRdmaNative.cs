using System.Runtime.InteropServices;
using System.Text;

namespace FastSmb.SmbDirect.Rdma.Soft;

/// <summary>
/// The few Linux calls soft RDMA needs and .NET does not expose: SOCK_SEQPACKET Unix sockets (message boundaries
/// kept, so one packet is one work request), SCM_RIGHTS to pass a memfd, memfd_create/ftruncate/mmap to share a
/// region. Linux only (64-bit layouts of msghdr/cmsghdr). Every call returns -1 and sets errno on failure.
/// </summary>
internal static unsafe partial class SoftRdmaNative
{
    public const int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    public const int MSG_NOSIGNAL = 0x4000, MSG_TRUNC = 0x20, MSG_CTRUNC = 0x8, MSG_CMSG_CLOEXEC = 0x40000000;
    public const int SHUT_RDWR = 2, POLLIN = 1;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public const uint MFD_CLOEXEC = 1;
    public const int EINTR = 4, EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec { public void* Base; public nuint Length; }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name; public uint NameLength; public void* Iov; public nuint IovLength;
        public void* Control; public nuint ControlLength; public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr { public nuint Length; public int Level; public int Type; }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd { public int Fd; public short Events; public short REvents; }

    private const int SockaddrUnSize = 110;
    private static int CmsgSpaceOneFd => (sizeof(CmsgHdr) + sizeof(int) + 7) & ~7;

    [LibraryImport("libc", SetLastError = true)] private static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] private static partial int bind(int fd, byte* addr, int len);
    [LibraryImport("libc", SetLastError = true)] private static partial int connect(int fd, byte* addr, int len);
    [LibraryImport("libc", SetLastError = true)] private static partial int listen(int fd, int backlog);
    [LibraryImport("libc", SetLastError = true)] private static partial int accept4(int fd, void* addr, void* len, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint sendmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int poll(PollFd* fds, nuint count, int timeout);
    [LibraryImport("libc", SetLastError = true)] public static partial int shutdown(int fd, int how);
    [LibraryImport("libc", SetLastError = true)] private static partial int socketpair(int domain, int type, int protocol, int* fds);
    [LibraryImport("libc", SetLastError = true)] public static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int memfd_create(string name, uint flags);
    [LibraryImport("libc", SetLastError = true)] public static partial int ftruncate(int fd, long length);
    [LibraryImport("libc", SetLastError = true)] public static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);
    [LibraryImport("libc", SetLastError = true)] public static partial int munmap(void* addr, nuint length);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static IOException Error(string what) => new($"soft RDMA: {what} failed (errno {Errno})");

    public const int SOCK_STREAM = 1;

    /// <summary>A connected pair of Unix sockets (SOCK_STREAM or SOCK_SEQPACKET), close-on-exec.</summary>
    public static (int A, int B) SocketPair(int type)
    {
        int* fds = stackalloc int[2];
        if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) != 0) throw Error("socketpair");
        return (fds[0], fds[1]);
    }

    /// <summary>Sends one packet carrying several descriptors (SCM_RIGHTS); false when the peer is gone.</summary>
    public static bool SendFds(int fd, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds)
    {
        int space = (sizeof(CmsgHdr) + sizeof(int) * fds.Length + 7) & ~7;
        fixed (byte* p = payload)
        {
            var iov = new IoVec { Base = p, Length = (nuint)payload.Length };
            byte* control = stackalloc byte[space];
            new Span<byte>(control, space).Clear();
            var c = (CmsgHdr*)control;
            c->Length = (nuint)(sizeof(CmsgHdr) + sizeof(int) * fds.Length);
            c->Level = SOL_SOCKET;
            c->Type = SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + sizeof(CmsgHdr), fds.Length));
            var msg = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            while (true)
            {
                if (sendmsg(fd, &msg, MSG_NOSIGNAL) >= 0) return true;
                if (Errno != EINTR) return false;
            }
        }
    }

    /// <summary>Receives one packet and up to <c>fds.Length</c> descriptors; returns the length (0: closed, -1: error) and sets <paramref name="fdCount"/>.</summary>
    public static int ReceiveFds(int fd, Span<byte> buffer, Span<int> fds, out int fdCount) =>
        ReceiveMessage(fd, buffer, fds, out fdCount, out _);

    /// <summary>recvmsg of one packet with up to <c>fds.Length</c> SCM_RIGHTS descriptors, retried on EINTR; the
    /// one place both receive forms go through. <paramref name="truncated"/>: the packet or its descriptors did not fit.</summary>
    private static int ReceiveMessage(int fd, Span<byte> buffer, Span<int> fds, out int fdCount, out bool truncated)
    {
        fdCount = 0;
        truncated = false;
        int space = (sizeof(CmsgHdr) + sizeof(int) * fds.Length + 7) & ~7;
        fixed (byte* b = buffer)
        {
            var iov = new IoVec { Base = b, Length = (nuint)buffer.Length };
            byte* control = stackalloc byte[space];
            var msg = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            nint n;
            while (true)
            {
                n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
                if (n >= 0 || Errno != EINTR) break;
            }
            if (n < 0) return -1;
            if (msg.ControlLength >= (nuint)sizeof(CmsgHdr))
            {
                var c = (CmsgHdr*)control;
                if (c->Level == SOL_SOCKET && c->Type == SCM_RIGHTS && c->Length >= (nuint)sizeof(CmsgHdr))
                {
                    fdCount = Math.Min(fds.Length, (int)((c->Length - (nuint)sizeof(CmsgHdr)) / sizeof(int)));
                    new Span<int>(control + sizeof(CmsgHdr), fdCount).CopyTo(fds);
                }
            }
            truncated = (msg.Flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
            return (int)n;
        }
    }

    public static int SeqPacketSocket()
    {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        return fd >= 0 ? fd : throw Error("socket");
    }

    public static void Bind(int fd, string path) => WithAddress(path, (a, l) => bind(fd, a, l), "bind");

    public static void Connect(int fd, string path) => WithAddress(path, (a, l) => connect(fd, a, l), "connect");

    public static void Listen(int fd) { if (listen(fd, 64) != 0) throw Error("listen"); }

    /// <summary>A SOCK_SEQPACKET socket listening at <paramref name="path"/> (a stale socket file there is replaced);
    /// closed again if binding or listening fails.</summary>
    public static int ListeningSocket(string path)
    {
        if (File.Exists(path)) File.Delete(path);
        int fd = SeqPacketSocket();
        try
        {
            Bind(fd, path);
            Listen(fd);
        }
        catch
        {
            close(fd);
            throw;
        }
        return fd;
    }

    public static int Accept(int fd) => accept4(fd, null, null, SOCK_CLOEXEC);

    private delegate int AddressCall(byte* address, int length);

    private static void WithAddress(string path, AddressCall call, string what)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= SockaddrUnSize - 2) throw new ArgumentException($"socket path too long: {path}");
        byte* addr = stackalloc byte[SockaddrUnSize];
        new Span<byte>(addr, SockaddrUnSize).Clear();
        addr[0] = AF_UNIX;
        bytes.CopyTo(new Span<byte>(addr + 2, bytes.Length));
        if (call(addr, 2 + bytes.Length + 1) != 0) throw Error(what);
    }

    /// <summary>Waits until <paramref name="fd"/> is readable or <paramref name="timeoutMs"/> passes; true when readable.</summary>
    public static bool PollReadable(int fd, int timeoutMs)
    {
        var p = new PollFd { Fd = fd, Events = POLLIN };
        int r = poll(&p, 1, timeoutMs);
        return r > 0;
    }

    /// <summary>Sends one packet (header + optional payload) with an optional descriptor; false when the peer is gone.</summary>
    public static bool Send(int fd, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, int passFd = -1)
    {
        fixed (byte* h = header)
        fixed (byte* p = payload)
        {
            IoVec* iov = stackalloc IoVec[2];
            iov[0] = new IoVec { Base = h, Length = (nuint)header.Length };
            iov[1] = new IoVec { Base = p, Length = (nuint)payload.Length };
            var msg = new MsgHdr { Iov = iov, IovLength = payload.IsEmpty ? 1u : 2u };
            byte* control = stackalloc byte[CmsgSpaceOneFd];
            if (passFd >= 0)
            {
                new Span<byte>(control, CmsgSpaceOneFd).Clear();
                var c = (CmsgHdr*)control;
                c->Length = (nuint)(sizeof(CmsgHdr) + sizeof(int));
                c->Level = SOL_SOCKET;
                c->Type = SCM_RIGHTS;
                *(int*)(control + sizeof(CmsgHdr)) = passFd;
                msg.Control = control;
                msg.ControlLength = (nuint)CmsgSpaceOneFd;
            }
            while (true)
            {
                nint n = sendmsg(fd, &msg, MSG_NOSIGNAL);
                if (n >= 0) return true;
                if (Errno != EINTR) return false;
            }
        }
    }

    /// <summary>
    /// Receives one packet into <paramref name="buffer"/>. Returns its length, 0 when the peer closed, -1 on error;
    /// <paramref name="receivedFd"/> is the descriptor passed with it or -1; <paramref name="truncated"/> when the
    /// packet was larger than the buffer (a protocol error: packets are bounded).
    /// </summary>
    public static int Receive(int fd, Span<byte> buffer, out int receivedFd, out bool truncated)
    {
        Span<int> one = stackalloc int[1];
        int n = ReceiveMessage(fd, buffer, one, out int count, out truncated);
        receivedFd = count == 1 ? one[0] : -1;
        return n;
    }
}
