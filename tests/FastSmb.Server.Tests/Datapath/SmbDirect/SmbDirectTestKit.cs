using FastSmb.SmbDirect.Rdma;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Datapath.SmbDirect;

internal static class SmbDirectTestKit
{
    /// <summary>Small sizes so fragmentation and credits are exercised hard; keep-alive far away unless a test sets it.</summary>
    public static readonly SmbDirectOptions Small = new()
    {
        ReceiveCreditMax = 16, SendCreditTarget = 16, MaxSendSize = 1364, MaxReceiveSize = 1364, MaxFragmentedSize = 1 << 20,
        MaxReadWriteSize = 1 << 20, KeepaliveInterval = TimeSpan.FromMinutes(5), NegotiateTimeout = TimeSpan.FromSeconds(5),
    };

    public static async Task<(SmbDirectConnection Client, SmbDirectConnection Server)> ConnectAsync(ProviderKind kind,
        SmbDirectOptions? client = null, SmbDirectOptions? server = null)
    {
        var (c, s) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var cts = new CancellationTokenSource(RdmaTestKit.Timeout);
        var accept = SmbDirectConnection.AcceptAsync(s, server ?? Small, cts.Token);
        var connect = SmbDirectConnection.ConnectAsync(c, client ?? Small, cts.Token);
        return (await connect, await accept);
    }

    /// <summary>A raw queue pair with receives posted, for playing a misbehaving peer byte by byte.</summary>
    public sealed class RawPeer : IDisposable
    {
        public IRdmaConnection Qp { get; }
        public IRdmaMemoryRegion Buffers { get; }
        private int _nextReceive;
        private ulong _nextSend = 1000;

        public RawPeer(IRdmaConnection qp)
        {
            Qp = qp;
            Buffers = qp.RegisterMemory(64 * 8192, RdmaAccess.LocalWrite);
            for (int i = 0; i < 32; i++) qp.TryPostReceive((ulong)i, Buffers, i * 8192, 8192);
        }

        public void Send(ReadOnlySpan<byte> message)
        {
            message.CopyTo(Buffers.Memory.Span[(48 * 8192)..]);
            Qp.TryPostSend(_nextSend++, Buffers, 48 * 8192, message.Length);
        }

        /// <summary>The next received message, or null when the connection went down first (or nothing came in time).</summary>
        public async Task<byte[]?> ReceiveAsync(TimeSpan? timeout = null)
        {
            var buf = new RdmaCompletion[1];
            var wake = new SemaphoreSlim(0);
            var deadline = DateTime.UtcNow + (timeout ?? RdmaTestKit.Timeout);
            while (DateTime.UtcNow < deadline)
            {
                if (Qp.PollCompletions(buf) == 1)
                {
                    var c = buf[0];
                    if (c.Opcode == RdmaOpcode.Disconnected) return null;
                    if (c.Opcode != RdmaOpcode.Receive) continue;
                    if (c.Status != RdmaCompletionStatus.Success) return null;
                    int slot = (int)c.WorkRequestId;
                    var bytes = Buffers.Memory.Span.Slice(slot * 8192, c.ByteLength).ToArray();
                    Qp.TryPostReceive((ulong)slot, Buffers, slot * 8192, 8192);
                    _nextReceive++;
                    return bytes;
                }
                Qp.RequestNotification(() => wake.Release());
                await wake.WaitAsync(TimeSpan.FromMilliseconds(50));
            }
            return null;
        }

        /// <summary>True when the peer went down within the timeout (any pending messages are drained).</summary>
        public async Task<bool> DisconnectedAsync(TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? RdmaTestKit.Timeout);
            while (DateTime.UtcNow < deadline)
            {
                if (Qp.IsDisconnected) return true;
                await ReceiveAsync(TimeSpan.FromMilliseconds(100));
            }
            return Qp.IsDisconnected;
        }

        public void Dispose()
        {
            Buffers.Dispose();
            Qp.Dispose();
        }
    }
}
