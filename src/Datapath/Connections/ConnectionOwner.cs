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
public sealed class ConnectionOwner(ITransportConnection transport, Smb2Dispatcher dispatcher, DatapathOptions options,
    IServerLog log)
{
    private readonly Smb2Connection _connection = new(transport.RemoteEndPoint, options.MaxCredits);

    public Smb2Connection Connection => _connection;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
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

                    dispatcher.Process(_connection, message.Span, response);
                    if (!response.IsEmpty)
                        await transport.SendAsync(response.CompleteFrame(), cancellationToken).ConfigureAwait(false);
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
            Cleanup(dispatcher.Sessions);
            ArrayPool<byte>.Shared.Return(buffer);
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Cleanup(SessionRegistry sessions)
    {
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
