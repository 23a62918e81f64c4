using FastSmb.SmbDirect.Rdma;
using FastSmb.SmbDirect.Rdma.Fake;
using FastSmb.SmbDirect.Rdma.Soft;

namespace FastSmb.Server.Tests.Datapath.Rdma;

/// <summary>Which provider a parameterised test runs over, and a connected pair on it.</summary>
public enum ProviderKind { Fake, Soft }

internal static class RdmaTestKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static IRdmaProvider Create(ProviderKind kind) => kind == ProviderKind.Fake ? new FakeRdmaProvider() : new SoftRdmaProvider();

    /// <summary>A fresh address: a Unix socket path for soft RDMA (short, /tmp), a name for the fake.</summary>
    public static string NewAddress() => Path.Combine("/tmp", $"fsr-{Guid.NewGuid():N}"[..20] + ".sock");

    /// <summary>Listens, connects and accepts; the listener is closed again (connections outlive it).</summary>
    public static async Task<(IRdmaConnection Client, IRdmaConnection Server)> ConnectPairAsync(IRdmaProvider provider)
    {
        var address = NewAddress();
        await using var listener = provider.Listen(address);
        using var cts = new CancellationTokenSource(Timeout);
        var accept = listener.AcceptAsync(cts.Token).AsTask();
        var client = await provider.ConnectAsync(address, cts.Token);
        var server = await accept;
        return (client, server);
    }

    /// <summary>Polls <paramref name="qp"/> (sleeping on its notification in between) until <paramref name="count"/> completions arrived.</summary>
    public static async Task<List<RdmaCompletion>> WaitForAsync(IRdmaConnection qp, int count)
    {
        var got = new List<RdmaCompletion>();
        var buf = new RdmaCompletion[16];
        var wake = new SemaphoreSlim(0);
        var deadline = DateTime.UtcNow + Timeout;
        while (got.Count < count)
        {
            int n = qp.PollCompletions(buf);
            for (int i = 0; i < n; i++) got.Add(buf[i]);
            if (n > 0) continue;
            if (DateTime.UtcNow > deadline) Assert.Fail($"only {got.Count} of {count} completions: {string.Join(", ", got)}");
            qp.RequestNotification(() => wake.Release());
            await wake.WaitAsync(TimeSpan.FromMilliseconds(100));
        }
        return got;
    }
}
