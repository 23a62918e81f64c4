using System.Collections.Concurrent;
using System.Threading.Channels;

namespace FastSmb.SmbDirect.Rdma.Fake;

/// <summary>
/// An in-process RDMA fabric for unit tests: deterministic, no threads of its own. A send lands in the peer's oldest
/// posted receive at once; RDMA reads and writes copy at once; every completion is queued for the owner to poll.
/// Faults are injected per connection (<see cref="FakeRdmaConnection"/>). A receiver with nothing posted fails the
/// sender with <see cref="RdmaCompletionStatus.ReceiverNotReady"/> (an RC queue pair with RNR retries exhausted),
/// so a credit bug in the layer above shows up as a broken connection instead of a silent stall.
/// Thread-safe: each connected pair serialises on one lock.
/// </summary>
public sealed class FakeRdmaProvider : IRdmaProvider
{
    private readonly ConcurrentDictionary<string, FakeListener> _listeners = new();
    private int _nextConnection;

    public string Name => "fake";

    public RdmaCapabilities Capabilities { get; init; } = new(MaxSendWorkRequests: 512, MaxReceiveWorkRequests: 512,
        MaxMessageSize: 1 << 20, MaxRegionSize: 64 << 20);

    /// <summary>
    /// Connect completes only once the accepting side has posted a receive, as rdma_connect does once the passive side
    /// (which posts receives before rdma_accept) accepted. Off by default: tests that drive both ends by hand post later.
    /// </summary>
    public bool EstablishAfterFirstReceive { get; init; }

    public IRdmaListener Listen(string address)
    {
        var listener = new FakeListener(this, address);
        if (!_listeners.TryAdd(address, listener)) throw new InvalidOperationException($"{address} is already listening");
        return listener;
    }

    public async ValueTask<IRdmaConnection> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        if (!_listeners.TryGetValue(address, out var listener))
            throw new IOException($"fake RDMA: nothing listens at {address}");
        var (client, server) = CreatePair($"fake-client-{Interlocked.Increment(ref _nextConnection)}", address);
        await listener.Pending.Writer.WriteAsync(server, cancellationToken).ConfigureAwait(false);
        // A listener posts its receives before rdma_accept, and the initiator's connect completes only after that.
        while (EstablishAfterFirstReceive && !server.HasReceivePosted && !server.IsDisconnected)
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>A connected pair without a listener, for tests that drive both ends by hand.</summary>
    public (FakeRdmaConnection Initiator, FakeRdmaConnection Responder) CreatePair(string initiatorName = "initiator",
        string responderName = "responder")
    {
        var gate = new object();
        var a = new FakeRdmaConnection(gate, Capabilities, responderName);
        var b = new FakeRdmaConnection(gate, Capabilities, initiatorName);
        a.Peer = b;
        b.Peer = a;
        return (a, b);
    }

    private sealed class FakeListener(FakeRdmaProvider provider, string address) : IRdmaListener
    {
        public Channel<FakeRdmaConnection> Pending { get; } = Channel.CreateUnbounded<FakeRdmaConnection>();
        public string Address => address;

        public async ValueTask<IRdmaConnection> AcceptAsync(CancellationToken cancellationToken) =>
            await Pending.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

        public ValueTask DisposeAsync()
        {
            provider._listeners.TryRemove(address, out _);
            Pending.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
