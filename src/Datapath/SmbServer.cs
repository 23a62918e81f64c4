using FastSmb.Datapath.Connections;
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
            var owner = new ConnectionOwner(transport, dispatcher, options, log, _unauthenticated);
            string client = owner.Connection.ClientAddress;
            log.ConnectionAccepted(client);
            Task run;
            // Registered under the lock so the continuation's removal can never run before the add.
            lock (_connections)
            {
                run = Task.Run(() => owner.RunAsync(_stop.Token));
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
        await Task.WhenAll(_acceptLoops.Concat(pending)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stop.Dispose();
    }
}
