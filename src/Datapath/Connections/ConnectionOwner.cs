using System.Buffers;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Datapath.Transport;
using FastSmb.Protocol.Smb2;

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

    // One request or completion at a time: the receive loop and out-of-band completions both take the connection's
    // gate (Smb2Connection.Gate: its own, or its client's once multichannel groups it). Taken and released through a
    // local, because NEGOTIATE may replace it while held.

    public Smb2Connection Connection => _connection;

    public async Task RunAsync(CancellationToken serverStopping)
    {
        // On a core loop the posted work runs on the loop's thread, where the connection lives; otherwise on the poster's.
        _connection.Post = transport is IOwnerScheduler loop
            ? work => loop.Schedule(() => _ = PostAsync(work, serverStopping))
            : work => _ = PostAsync(work, serverStopping);
        _connection.BlockingCalls = options.BlockingCalls;
        _connection.RingFiles = (transport as CoreLoops.UringSocketConnection)?.Loop.Files;
        // Dropped when it has not authenticated in time; the deadline is lifted by the first valid session.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        deadline.CancelAfter(options.UnauthenticatedTimeout);
        bool authenticated = false;
        var cancellationToken = deadline.Token;
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

                    var gate = _connection.Gate;
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        dispatcher.Process(_connection, message.Span, response);
                        if (!response.IsEmpty)
                            await transport.SendAsync(response.CompleteFrame(), cancellationToken).ConfigureAwait(false);
                        await FlushOutboxAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
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
            // Under the gate (shared with the client's other channels: the sessions it shares are theirs too), and
            // after it (Smb2Connection.IsClosed, set by Cleanup) no posted work touches the connection any more.
            var gate = _connection.Gate;
            await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                Cleanup(dispatcher.Sessions);
            }
            finally
            {
                gate.Release();
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
        var gate = _connection.Gate;
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the server is stopping
        }
        try
        {
            if (_connection.IsClosed) return;
            work(_connection);
            await FlushOutboxAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ObjectDisposedException
            or OperationCanceledException)
        {
            // The peer went away: the receive loop notices and cleans up.
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task PostAsync(Action<Smb2Connection> work, CancellationToken cancellationToken)
    {
        try
        {
            // A hint read outside the gate; RunAsOwnerAsync checks IsClosed again under it before running the work.
            if (_connection.IsClosed) return;
            await RunAsOwnerAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException
            or IOException)
        {
            // The connection is going or gone: its pending operations die with it.
        }
        catch (Exception e)
        {
            log.ConnectionFailed(_connection.ClientAddress, e);
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
        while (_connection.FrameOutbox.TryDequeue(out var pooled))
        {
            try
            {
                await transport.SendAsync(pooled.Bytes, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                pooled.Owner.Released();
            }
        }
    }

    private void Cleanup(SessionRegistry sessions)
    {
        // Pending operations die with the connection: undo their registrations, send nothing.
        foreach (var op in _connection.AsyncOperations.Values.ToArray())
        {
            op.TryCancel?.Invoke(); // a blocking call not yet started never runs
            op.OnCancel?.Invoke();
        }
        _connection.AsyncOperations.Clear();
        _connection.IsClosed = true;
        _connection.Outbox.Clear();
        while (_connection.FrameOutbox.TryDequeue(out var pooled)) pooled.Owner.Released();
        foreach (var session in _connection.Sessions.ToArray())
        {
            _connection.RemoveSession(session);
            // [MS-SMB2] 3.3.7.1: a session outlives a failed channel while another channel is bound; its tree
            // connects and opens stay, reachable from the other channels.
            if (session.RemoveChannel(_connection) > 0 && session.State == SessionState.Valid) continue;
            session.DisconnectAll(); // durable opens stay, disconnected ([MS-SMB2] 3.3.7.1)
            session.DisposeCiphers();
            sessions.Remove(session);
            foreach (var channel in session.Channels) channel.Connection.RemoveSession(session);
        }
        sessions.Clients.Leave(_connection);
    }

    private static byte[] Grow(byte[] buffer, int used, int size)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
