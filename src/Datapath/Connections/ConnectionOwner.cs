using System.Buffers;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Datapath.Transport;

namespace FastSmb.Datapath.Connections;

/// <summary>
/// The one owner of a connection: receives frames, hands each to the dispatcher, sends the response, in order.
/// Everything the connection holds (its <see cref="Smb2Connection"/>, sessions, opens, buffers) is touched only
/// from this loop, one request at a time, so none of it needs locks — the model the pinned core loops keep.
/// Exceptions are caught here, at the connection boundary: a bug drops one connection, never the server.
/// </summary>
public sealed partial class ConnectionOwner(ITransportConnection transport, Smb2Dispatcher dispatcher, DatapathOptions options,
    IServerLog log, UnauthenticatedConnections? unauthenticated = null)
{
    private readonly Smb2Connection _connection = new(transport.RemoteEndPoint, options.MaxCredits);

    // One request or completion at a time: the receive loop and out-of-band completions both take it.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public Smb2Connection Connection => _connection;

    public async Task RunAsync(CancellationToken serverStopping)
    {
        // Dropped when it has not authenticated in time; the deadline is lifted by the first valid session.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        deadline.CancelAfter(options.UnauthenticatedTimeout);
        bool authenticated = false;
        var cancellationToken = deadline.Token;
        _connection.PostToOwner = work => Post(work, serverStopping);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        using var response = new ResponseBuffer();
        int buffered = 0;
        int maxMessage = options.MaxMessageLength;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int n = await transport.ReceiveAsync(buffer.AsMemory(buffered), cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                buffered += n;

                int consumed = 0;
                while (true)
                {
                    var result = DirectTcpFraming.TryReadFrame(buffer.AsSpan(consumed, buffered - consumed), maxMessage, out int length);
                    if (result == DirectTcpFraming.FrameResult.Invalid)
                    {
                        log.ConnectionDropped(_connection.ClientAddress, "invalid Direct TCP frame");
                        return;
                    }
                    if (result == DirectTcpFraming.FrameResult.NeedMore)
                    {
                        // Make room for a frame larger than the buffer (a big WRITE), bounded by maxMessage.
                        if (length + DirectTcpFraming.HeaderSize > buffer.Length && consumed == 0)
                            buffer = Grow(buffer, buffered, length + DirectTcpFraming.HeaderSize);
                        break;
                    }
                    var message = buffer.AsMemory(consumed + DirectTcpFraming.HeaderSize, length);
                    consumed += DirectTcpFraming.HeaderSize + length;

                    await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        dispatcher.Process(_connection, message.Span, response);
                        if (!response.IsEmpty)
                            await transport.SendAsync(response.CompleteFrame(), cancellationToken).ConfigureAwait(false);
                        await FlushOutboxAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                    if (!authenticated && HasValidSession())
                    {
                        authenticated = true;
                        deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                        unauthenticated?.Leave();
                    }
                    if (_connection.DisconnectRequested)
                    {
                        log.ConnectionDropped(_connection.ClientAddress, _connection.DisconnectReason ?? "protocol error");
                        return;
                    }
                }
                if (consumed > 0)
                {
                    buffer.AsSpan(consumed, buffered - consumed).CopyTo(buffer);
                    buffered -= consumed;
                }
                if (buffered == buffer.Length)
                    buffer = Grow(buffer, buffered, buffer.Length * 2);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (!authenticated && !serverStopping.IsCancellationRequested)
                log.ConnectionDropped(_connection.ClientAddress, $"no authenticated session within {options.UnauthenticatedTimeout.TotalSeconds:0} s");
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The peer went away mid-request: nothing to answer.
        }
        catch (Exception e)
        {
            log.ConnectionFailed(_connection.ClientAddress, e);
        }
        finally
        {
            if (!authenticated) unauthenticated?.Leave();
            // Under the gate: work posted by other connections (breaks, woken CREATEs) never runs during or after it.
            _gate.Wait();
            try
            {
                _connection.PostToOwner = null;
                Cleanup(dispatcher.Sessions);
            }
            finally
            {
                _gate.Release();
            }
            ArrayPool<byte>.Shared.Return(buffer);
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> as the connection's owner (under its gate), then sends whatever it queued: the way
    /// other threads complete this connection's async operations without touching its state concurrently.
    /// </summary>
    public async Task RunAsOwnerAsync(Action<Smb2Connection> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            work(_connection);
            await FlushOutboxAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool HasValidSession()
    {
        foreach (var session in _connection.Sessions)
            if (session.State == SessionState.Valid) return true;
        return false;
    }

    private async Task FlushOutboxAsync(CancellationToken cancellationToken)
    {
        while (_connection.Outbox.TryDequeue(out var frame))
            await transport.SendAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private void Cleanup(SessionRegistry sessions)
    {
        // Pending operations die with the connection: undo their registrations, send nothing.
        foreach (var op in _connection.AsyncOperations.Values.ToArray())
            op.OnCancel?.Invoke();
        _connection.AsyncOperations.Clear();
        foreach (var session in _connection.Sessions.ToArray())
        {
            session.CloseAll();
            session.DisposeCiphers();
            sessions.Remove(session);
            _connection.RemoveSession(session);
        }
    }

    private static byte[] Grow(byte[] buffer, int used, int size)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
