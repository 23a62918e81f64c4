using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using FastSmb.Client.Bench;
using FastSmb.Client.Smb2;

namespace FastSmb.Cli;

/// <summary>
/// `fastsmb bench //SERVER[:PORT]/SHARE`: the load generator (src/Client/Bench) against any SMB2/3 server. Prints
/// progress once a second on standard error, then the results as a table (or JSON with --json) on standard output;
/// --json-out FILE also writes the JSON to a file.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("target") { Description = "//SERVER[:PORT]/SHARE (default port 445)" };
        var workload = new Option<string>("--workload", "-w")
        {
            Description = "read, write, randread, randwrite, echo, open-close or session-setup",
            DefaultValueFactory = _ => "read",
        };
        var size = new Option<string>("--size") { Description = "Test file size per connection (K/M/G suffix)", DefaultValueFactory = _ => "64M" };
        var block = new Option<string>("--block") { Description = "Bytes per READ/WRITE (K/M suffix)", DefaultValueFactory = _ => "64K" };
        var connections = new Option<int>("--connections", "-c") { Description = "TCP connections", DefaultValueFactory = _ => 4 };
        var depth = new Option<int>("--depth", "-d") { Description = "Requests in flight per connection", DefaultValueFactory = _ => 1 };
        var duration = new Option<double>("--duration", "-t") { Description = "Seconds to run", DefaultValueFactory = _ => 10 };
        var user = new Option<string>("--user", "-U") { Description = "USER%PASSWORD (or USER, password from FASTSMB_PASSWORD)" };
        var domain = new Option<string>("--domain") { Description = "Logon domain", DefaultValueFactory = _ => "WORKGROUP" };
        var sign = new Option<bool>("--sign") { Description = "Sign every request" };
        var encrypt = new Option<bool>("--encrypt") { Description = "Encrypt every request (SMB 3.x)" };
        var persistent = new Option<bool>("--persistent") { Description = "open-close: ask for a persistent handle (DH2Q, SMB 3.x; granted on continuously available shares)" };
        var transport = new Option<string>("--transport") { Description = "tcp, or rdma (SMB Direct; READ/WRITE payloads by RDMA)", DefaultValueFactory = _ => "tcp" };
        var rdmaProvider = new Option<string>("--rdma-provider") { Description = "With --transport rdma: soft or verbs", DefaultValueFactory = _ => "soft" };
        var rdmaAddress = new Option<string?>("--rdma-address") { Description = "With --transport rdma: soft: the server's SMB Direct socket path (default /run/fastsmb-smbdirect.sock); verbs: ip:port (default SERVER:5445)" };
        var rdmaInline = new Option<int>("--rdma-inline") { Description = "With --transport rdma: READ/WRITEs of at most this many bytes go inline, larger ones by RDMA", DefaultValueFactory = _ => FastSmb.Client.Smb2.Smb2ClientRdma.DefaultInlineThreshold };
        var channels = new Option<int>("--channels") { Description = "Connections per session: the others bind to the first's session (multichannel, SMB 3.x); each keeps --depth in flight", DefaultValueFactory = _ => 1 };
        var cpuPid = new Option<int[]>("--cpu-pid") { Description = "Also report the CPU time of this process (the server, the RDMA proxy); repeatable", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of a table" };
        var jsonOut = new Option<string?>("--json-out") { Description = "Also write the JSON results to this file" };
        var command = new Command("bench", "Load-test an SMB server (any SMB2/3 server)")
        {
            target, workload, size, block, connections, depth, duration, user, domain, sign, encrypt, persistent, transport, rdmaProvider, rdmaAddress, rdmaInline, channels, cpuPid, json, jsonOut,
        };
        command.SetAction((parse, cancel) =>
        {
            string? problem = null;
            if (!TryParseTarget(parse.GetValue(target)!, out var host, out int port, out var share))
                problem = "target must be //SERVER[:PORT]/SHARE";
            else if (!TryParseWorkload(parse.GetValue(workload)!, out var w))
                problem = $"unknown workload '{parse.GetValue(workload)}'";
            else if (!TryParseSize(parse.GetValue(size)!, out long fileSize))
                problem = $"bad --size '{parse.GetValue(size)}'";
            else if (!TryParseSize(parse.GetValue(block)!, out long blockSize) || blockSize > int.MaxValue)
                problem = $"bad --block '{parse.GetValue(block)}'";
            else if (parse.GetValue(transport) is not ("tcp" or "rdma"))
                problem = "--transport is tcp or rdma";
            else if (parse.GetValue(transport) == "rdma" && parse.GetValue(rdmaProvider) is not ("soft" or "verbs"))
                problem = "--rdma-provider is soft or verbs";
            else if ((parse.GetValue(cpuPid) ?? []).FirstOrDefault(pid => !Directory.Exists($"/proc/{pid}")) is var gone and not 0)
                problem = $"--cpu-pid {gone}: no such process";
            else
            {
                var (name, password) = SplitUser(parse.GetValue(user));
                var options = new BenchOptions
                {
                    Workload = w,
                    FileSize = fileSize,
                    BlockSize = (int)blockSize,
                    Connections = parse.GetValue(connections),
                    Depth = parse.GetValue(depth),
                    Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
                    Sign = parse.GetValue(sign),
                    Encrypt = parse.GetValue(encrypt),
                    Persistent = parse.GetValue(persistent),
                    Server = host,
                    Share = share,
                    User = name,
                    Password = password,
                    Domain = parse.GetValue(domain)!,
                    RdmaInlineThreshold = parse.GetValue(rdmaInline),
                    Channels = parse.GetValue(channels),
                    CpuPids = parse.GetValue(cpuPid) ?? [],
                };
                problem = options.Validate();
                if (problem is null)
                    return RunAsync(console, options, port, parse.GetValue(json), parse.GetValue(jsonOut), cancel,
                        parse.GetValue(transport) == "rdma" ? (parse.GetValue(rdmaProvider)!, parse.GetValue(rdmaAddress)) : null);
            }
            console.Error.WriteLine($"fastsmb bench: {problem}");
            return Task.FromResult(2);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, BenchOptions options, int port, bool json, string? jsonOut,
        CancellationToken cancel, (string Provider, string? Address)? rdma = null)
    {
        FastSmb.SmbDirect.Rdma.IRdmaProvider? provider = null;
        string rdmaAddress = "";
        if (rdma is var (providerName, address))
        {
            try
            {
                provider = providerName == "verbs" ? new FastSmb.SmbDirect.Rdma.Verbs.VerbsRdmaProvider() : new FastSmb.SmbDirect.Rdma.Soft.SoftRdmaProvider();
            }
            catch (FastSmb.SmbDirect.Rdma.Verbs.RdmaUnavailableException e)
            {
                console.Error.WriteLine($"fastsmb bench: {e.Message}");
                return 1;
            }
            rdmaAddress = address ?? (providerName == "verbs" ? $"{options.Server}:5445" : FastSmb.Control.Hosting.RdmaListeners.DefaultSoftSocket);
        }
        var runner = new BenchRunner(options, async ct =>
        {
            if (provider is not null)
            {
                // SMB Direct: the client's half of [MS-SMBD] over the chosen provider, as a Stream for the SMB2 client.
                var qp = await provider.ConnectAsync(rdmaAddress, ct).ConfigureAwait(false);
                var smbd = await FastSmb.SmbDirect.SmbDirectConnection.ConnectAsync(qp, new FastSmb.SmbDirect.SmbDirectOptions(), ct)
                    .ConfigureAwait(false);
                return new FastSmb.SmbDirect.SmbDirectStream(smbd);
            }
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(options.Server, port, ct).ConfigureAwait(false);
            return tcp.GetStream();
        });
        using var progress = new CancellationTokenSource();
        Task? ticker = null;
        runner.Started += () => ticker = TickAsync(console, runner, options, progress.Token);
        try
        {
            var result = await runner.RunAsync(cancel);
            await progress.CancelAsync();
            if (ticker is not null) await ticker;
            console.Out.Write(json ? result.ToJson() + Environment.NewLine : result.ToTable());
            if (jsonOut is not null) await File.WriteAllTextAsync(jsonOut, result.ToJson() + Environment.NewLine, cancel);
            return result.Errors == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is SocketException or IOException or Smb2ClientException or InvalidOperationException
                                       or InvalidDataException)
        {
            await progress.CancelAsync();
            console.Error.WriteLine($"fastsmb bench: {e.Message}");
            return 1;
        }
    }

    /// <summary>One progress line a second on standard error: elapsed seconds and the last second's rate.</summary>
    private static async Task TickAsync(CliConsole console, BenchRunner runner, BenchOptions options, CancellationToken ct)
    {
        long last = 0;
        int second = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                long now = runner.CompletedOperations;
                second++;
                string rate = options.IsReadWrite
                    ? $"{(now - last) * (double)options.BlockSize / 1e6:F1} MB/s"
                    : $"{now - last} ops/s";
                console.Error.WriteLine(FormattableString.Invariant($"fastsmb bench: {second,3} s  {now - last,8} ops  {rate}"));
                last = now;
            }
        }
        catch (OperationCanceledException) { }
    }

    internal static bool TryParseTarget(string text, out string host, out int port, out string share)
    {
        host = share = "";
        port = 445;
        var t = text.Replace('\\', '/');
        if (!t.StartsWith("//", StringComparison.Ordinal)) return false;
        var parts = t[2..].Split('/', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Trim('/').Length == 0) return false;
        share = parts[1].Trim('/');
        host = parts[0];
        string? portText = null;
        if (host.StartsWith('['))
        {
            // [IPv6]:PORT or [IPv6]
            int close = host.IndexOf(']');
            if (close < 0) return false;
            if (close + 1 < host.Length)
            {
                if (host[close + 1] != ':') return false;
                portText = host[(close + 2)..];
            }
            host = host[1..close];
        }
        else if (host.IndexOf(':') is int colon and > 0 && colon == host.LastIndexOf(':'))
        {
            portText = host[(colon + 1)..];
            host = host[..colon];
        }
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)
                                     || port is < 1 or > 65535)) return false;
        return host.Length > 0;
    }

    internal static bool TryParseWorkload(string text, out BenchWorkload workload)
    {
        workload = text.ToLowerInvariant() switch
        {
            "read" => BenchWorkload.Read,
            "write" => BenchWorkload.Write,
            "randread" => BenchWorkload.RandRead,
            "randwrite" => BenchWorkload.RandWrite,
            "echo" => BenchWorkload.Echo,
            "open-close" or "openclose" => BenchWorkload.OpenClose,
            "session-setup" or "sessionsetup" => BenchWorkload.SessionSetup,
            _ => (BenchWorkload)(-1),
        };
        return workload >= 0;
    }

    /// <summary>A byte count with an optional K/M/G suffix (powers of 1024).</summary>
    internal static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrEmpty(text)) return false;
        long scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        var digits = scale == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > (1L << 50) / scale)
            return false;
        bytes = n * scale;
        return true;
    }

    private static (string User, string Password) SplitUser(string? text)
    {
        if (string.IsNullOrEmpty(text)) return ("", Environment.GetEnvironmentVariable("FASTSMB_PASSWORD") ?? "");
        int percent = text.IndexOf('%');
        return percent < 0
            ? (text, Environment.GetEnvironmentVariable("FASTSMB_PASSWORD") ?? "")
            : (text[..percent], text[(percent + 1)..]);
    }
}
