using System.Diagnostics;

namespace FastSmb.Client.Bench;

/// <summary>
/// CPU time (user + system) over the measured interval: this process's, and that of other processes on the host
/// (the server, the RDMA proxy; Linux reads /proc/PID/stat), so a run can report CPU seconds per GB moved.
/// </summary>
internal readonly struct BenchCpu
{
    private readonly TimeSpan _self;
    private readonly IReadOnlyList<int> _pids;
    private readonly TimeSpan _others;

    private BenchCpu(IReadOnlyList<int> pids)
    {
        _pids = pids;
        _self = Process.GetCurrentProcess().TotalProcessorTime;
        _others = OthersTotal(pids);
    }

    public static BenchCpu Start(IReadOnlyList<int> pids) => new(pids);

    /// <summary>This process's CPU seconds since <see cref="Start"/>, and the others' (null when none were named).</summary>
    public (double Self, double? Others) Stop()
    {
        double self = (Process.GetCurrentProcess().TotalProcessorTime - _self).TotalSeconds;
        return (self, _pids.Count == 0 ? null : (OthersTotal(_pids) - _others).TotalSeconds);
    }

    private static TimeSpan OthersTotal(IReadOnlyList<int> pids)
    {
        var total = TimeSpan.Zero;
        foreach (int pid in pids)
        {
            using var p = Process.GetProcessById(pid);
            total += p.TotalProcessorTime;
        }
        return total;
    }
}
