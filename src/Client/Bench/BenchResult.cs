using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FastSmb.Client.Bench;

/// <summary>What a load-generator run measured: operations completed in the measured interval, payload bytes moved,
/// failures and latency percentiles.</summary>
public sealed record BenchResult
{
    public required string Workload { get; init; }
    public required string Server { get; init; }
    public required string Dialect { get; init; }
    public int Connections { get; init; }
    public int Depth { get; init; }
    public int BlockSize { get; init; }
    public long FileSize { get; init; }
    public bool Signed { get; init; }
    public bool Encrypted { get; init; }
    public double Seconds { get; init; }
    /// <summary>Operations that completed successfully.</summary>
    public long Operations { get; init; }
    /// <summary>Operations that the server failed (a status other than success).</summary>
    public long Errors { get; init; }
    /// <summary>READ/WRITE payload bytes moved by the successful operations.</summary>
    public long Bytes { get; init; }
    public double OpsPerSecond => Seconds > 0 ? Operations / Seconds : 0;
    public double MegabytesPerSecond => Seconds > 0 ? Bytes / Seconds / 1e6 : 0;
    public double LatencyP50Microseconds { get; init; }
    public double LatencyP99Microseconds { get; init; }
    public double LatencyMaxMicroseconds { get; init; }
    /// <summary>Channels (connections bound to one session) per connection's session.</summary>
    public int Channels { get; init; } = 1;
    /// <summary>CPU time (user + system) this process used in the measured interval.</summary>
    public double ClientCpuSeconds { get; init; }
    /// <summary>CPU time of the processes named by --cpu-pid (the server, the RDMA proxy) in the interval; null without.</summary>
    public double? ServerCpuSeconds { get; init; }
    /// <summary>Client CPU seconds per GB (1e9 bytes) of payload moved; 0 when nothing moved.</summary>
    public double ClientCpuSecondsPerGB => Bytes > 0 ? ClientCpuSeconds / (Bytes / 1e9) : 0;
    /// <summary>Server-side CPU seconds per GB of payload moved (with --cpu-pid).</summary>
    public double? ServerCpuSecondsPerGB => ServerCpuSeconds is { } s && Bytes > 0 ? s / (Bytes / 1e9) : null;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>A two-column text table (label, value) for a terminal.</summary>
    public string ToTable()
    {
        var c = CultureInfo.InvariantCulture;
        (string, string)[] rows =
        [
            ("workload", Workload),
            ("server", $"{Server} ({Dialect}{(Signed ? ", signed" : "")}{(Encrypted ? ", encrypted" : "")})"),
            ("connections x depth", Channels > 1 ? $"{Connections} x {Channels} channels x {Depth}" : $"{Connections} x {Depth}"),
            ("block / file", BlockSize > 0 ? $"{BlockSize} B / {FileSize} B" : "-"),
            ("seconds", Seconds.ToString("F2", c)),
            ("operations", Operations.ToString(c)),
            ("errors", Errors.ToString(c)),
            ("ops/s", OpsPerSecond.ToString("F0", c)),
            ("MB/s", MegabytesPerSecond.ToString("F1", c)),
            ("latency p50 / p99 / max (us)",
                $"{LatencyP50Microseconds.ToString("F0", c)} / {LatencyP99Microseconds.ToString("F0", c)} / {LatencyMaxMicroseconds.ToString("F0", c)}"),
            ("client CPU s (per GB)", $"{ClientCpuSeconds.ToString("F2", c)} ({(Bytes > 0 ? ClientCpuSecondsPerGB.ToString("F2", c) : "-")})"),
            .. ServerCpuSeconds is { } server
                ? [("server CPU s (per GB)", $"{server.ToString("F2", c)} ({(Bytes > 0 ? ServerCpuSecondsPerGB!.Value.ToString("F2", c) : "-")})")]
                : Array.Empty<(string, string)>(),
        ];
        int width = rows.Max(r => r.Item1.Length);
        var sb = new StringBuilder();
        foreach (var (label, value) in rows) sb.Append(label.PadRight(width)).Append("  ").AppendLine(value);
        return sb.ToString();
    }
}
