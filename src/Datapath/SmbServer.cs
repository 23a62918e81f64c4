using FastSmb.Datapath.Connections;
using FastSmb.Datapath.CoreLoops;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Transport;

namespace FastSmb.Datapath;

/// <summary>
/// Accepts connections from its listeners and gives each one owner. Stopping cancels the accept loops and every
/// connection. Thread-safe.
/// </summary>
public sealed class SmbServer(Smb2Dispatcher dispatcher, DatapathOptions options, IServerLog log) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly List<ITransportListener> _listeners = new();
    private readonly HashSet<Task> _connections = new();
    private readonly UnauthenticatedConnections _unauthenticated = new(options.MaxUnauthenticatedConnections);
    private readonly CoreLoopGroup? _loops = CreateLoops(options, log);

    /// <summary>The pinned core loops when <see cref="DatapathOptions.Io"/> is <see cref="IoEngine.Uring"/> and the
    /// host has io_uring; null otherwise (connections run on the socket engine).</summary>
    public CoreLoopGroup? CoreLoops => _loops;

    private static CoreLoopGroup? CreateLoops(DatapathOptions options, IServerLog log)
    {
        if (options.Io != IoEngine.Uring) return null;
        if (!IoUring.IoRing.IsSupported)
        {
            log.ConnectionDropped("", $"fastsmb io = uring unavailable, using sockets: {IoUring.IoRing.UnsupportedReason}");
            return null;
        }
        return new CoreLoopGroup(options.Cores ?? EventLoops.DefaultCores(Environment.ProcessorCount),
            new CoreLoopOptions { BusyPoll = options.BusyPoll }, e => log.ConnectionFailed("core loop", e));
    }

    /// <summary>The live sessions (for `fastsmb status`: <see cref="Sessions.SessionRegistry.SnapshotAsync"/>).</summary>
    public Sessions.SessionRegistry Sessions => dispatcher.Sessions;

    public int ConnectionCount { get { lock (_connections) return _connections.Count; } }
    public int UnauthenticatedCount => _unauthenticated.Count;

    public void Start(ITransportListener listener)
    {
        _listeners.Add(listener);
        _acceptLoops.Add(Task.Run(() => AcceptLoop(listener)));
    }

    private async Task AcceptLoop(ITransportListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            ITransportConnection transport;
            try
            {
                transport = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (System.Net.Sockets.SocketException) { continue; }

            if (!_unauthenticated.TryEnter())
            {
                log.ConnectionDropped(transport.RemoteEndPoint?.ToString() ?? "", "too many unauthenticated connections");
                await transport.DisposeAsync().ConfigureAwait(false);
                continue;
            }
            // Placed once on the least-loaded core loop, which then runs its owner and all its I/O.
            CoreLoop? loop = null;
            if (_loops is not null && transport is Transport.Tcp.TcpTransportConnection tcp)
            {
                loop = _loops.Place();
                transport = new UringSocketConnection(tcp.Socket, loop);
            }
            var owner = new ConnectionOwner(transport, dispatcher, options, log, _unauthenticated);
            string client = owner.Connection.ClientAddress;
            log.ConnectionAccepted(client);
            Task run;
            // Registered under the lock so the continuation's removal can never run before the add.
            lock (_connections)
            {
                run = loop is not null ? loop.Run(() => owner.RunAsync(_stop.Token)) : Task.Run(() => owner.RunAsync(_stop.Token));
                _connections.Add(run);
            }
            _ = run.ContinueWith(t =>
            {
                lock (_connections) _connections.Remove(t);
                log.ConnectionClosed(client);
            }, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var l in _listeners) await l.DisposeAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_connections) pending = _connections.ToArray();
        try
        {
            await Task.WhenAll(_acceptLoops.Concat(pending)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        finally
        {
            // After the connections: a loop's ring goes only when nothing of theirs is in flight on it.
            _loops?.Dispose();
        }
        _stop.Dispose();
    }
}
