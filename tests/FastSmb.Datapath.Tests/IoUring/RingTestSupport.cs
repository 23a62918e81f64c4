using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastSmb.Datapath.IoUring;

namespace FastSmb.Datapath.Tests.IoUring;

/// <summary>Helpers shared by the io_uring tests.</summary>
internal static class RingTestSupport
{
    /// <summary>
    /// The shim is built by the normal build when cmake and liburing-dev are there (CI installs them), so
    /// its absence is a failure here, not a skip: otherwise a broken native build would pass unnoticed.
    /// </summary>
    public static void RequireNative()
    {
        if (!IoRing.IsSupported)
            Assert.Fail(IoRing.UnsupportedReason ?? "native shim not available");
    }

    /// <summary>Reaps until <paramref name="count"/> completions arrived, failing after <paramref name="seconds"/>.</summary>
    public static List<IoCompletion> ReapAtLeast(IoRing ring, int count, double seconds = 10)
    {
        var all = new List<IoCompletion>();
        Span<IoCompletion> batch = stackalloc IoCompletion[16];
        var clock = Stopwatch.StartNew();
        while (all.Count < count)
        {
            var left = TimeSpan.FromSeconds(seconds) - clock.Elapsed;
            if (left <= TimeSpan.Zero)
                Assert.Fail($"only {all.Count} of {count} completions within {seconds} s: {string.Join(", ", all)}");
            int n = ring.Reap(batch, waitMin: 1, timeout: left);
            for (int i = 0; i < n; i++)
                all.Add(batch[i]);
        }
        return all;
    }

    /// <summary>A connected loopback TCP pair with blocking fds (io_uring answers -EAGAIN on O_NONBLOCK sockets).</summary>
    public static (Socket Client, Socket Server) TcpPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        client.Blocking = true;
        server.Blocking = true;
        client.NoDelay = true;
        server.NoDelay = true;
        return (client, server);
    }

    public static int Fd(this Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    public static int Fd(this Microsoft.Win32.SafeHandles.SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
