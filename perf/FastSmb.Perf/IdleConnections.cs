using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Perf;

/// <summary>
/// Opens N connections to a running server, each NEGOTIATE (3.1.1) + SESSION_SETUP (NTLMv2) to an authenticated
/// session, holds them idle, and reports the server's resident memory (VmRSS of --pid) before and after: the cost
/// of an idle authenticated connection. Run by perf/idle-connections.sh.
///   idle-connections --port P --pid SERVER_PID --count 10000 --user U --password P [--host 127.0.0.1] [--parallel 32]
/// </summary>
internal static class IdleConnections
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string? fallback = null)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"{name} is required");
        }
        var host = IPAddress.Parse(Arg("--host", "127.0.0.1"));
        int port = int.Parse(Arg("--port"), CultureInfo.InvariantCulture);
        int pid = int.Parse(Arg("--pid"), CultureInfo.InvariantCulture);
        int count = int.Parse(Arg("--count", "10000"), CultureInfo.InvariantCulture);
        int parallel = int.Parse(Arg("--parallel", "32"), CultureInfo.InvariantCulture);
        string user = Arg("--user"), password = Arg("--password");

        // One warm-up connection first, so the baseline includes what any first logon loads (code, caches).
        var warm = await OpenAsync(host, port, user, password);
        await Task.Delay(1000);
        long before = RssKiB(pid);
        var clients = new Smb2ClientConnection[count];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int next = 0, failed = 0;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < count)
            {
                try { clients[i] = await OpenAsync(host, port, user, password); }
                catch (Exception e) when (e is SocketException or IOException or InvalidOperationException)
                {
                    if (Interlocked.Increment(ref failed) <= 3) Console.Error.WriteLine($"connection {i}: {e.Message}");
                }
            }
        }));
        double openSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(3000); // idle: let the server settle (deferred work, GC)
        long after = RssKiB(pid);
        int held = count - failed;
        Console.WriteLine($"connections\t{held}");
        Console.WriteLine($"failed\t{failed}");
        Console.WriteLine($"open_seconds\t{openSeconds:F1}");
        Console.WriteLine($"rss_before_kib\t{before}");
        Console.WriteLine($"rss_after_kib\t{after}");
        Console.WriteLine($"kib_per_connection\t{(held == 0 ? 0 : (after - before) / (double)held):F1}");
        foreach (var c in clients) if (c is not null) await c.DisposeAsync();
        await warm.DisposeAsync();
        return failed == 0 ? 0 : 1;
    }

    private static async Task<Smb2ClientConnection> OpenAsync(IPAddress host, int port, string user, string password)
    {
        var socket = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(host, port));
        var c = new Smb2ClientConnection(new NetworkStream(socket, ownsSocket: true));
        var negotiate = await c.NegotiateAsync([Smb2Dialect.Smb210, Smb2Dialect.Smb300, Smb2Dialect.Smb302, Smb2Dialect.Smb311]);
        if (negotiate.Status != NtStatus.Success) throw new InvalidOperationException($"NEGOTIATE: {negotiate.Status}");
        var status = await c.LogonAsync(user, password);
        if (status != NtStatus.Success) throw new InvalidOperationException($"SESSION_SETUP: {status}");
        return c;
    }

    private static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }
}
