using System.Net;
using System.Net.Sockets;

namespace FastSmb.Datapath.Transport.Tcp;

/// <summary>Direct TCP ([MS-SMB2] 2.1) listener over a plain socket.</summary>
public sealed class TcpTransportListener : ITransportListener
{
    private readonly Socket _socket;

    private TcpTransportListener(Socket socket) => _socket = socket;

    public EndPoint LocalEndPoint => _socket.LocalEndPoint!;

    /// <summary>Binds and listens; throws <see cref="SocketException"/> when the address is taken or not permitted.</summary>
    public static TcpTransportListener Bind(IPEndPoint endPoint, int backlog = 512)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Lets a restarted server rebind while old connections sit in TIME_WAIT (Linux semantics: no port stealing).
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return new TcpTransportListener(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask<ITransportConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        var client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        client.NoDelay = true;
        return new TcpTransportConnection(client);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One accepted TCP connection. Owned by one connection owner.</summary>
public sealed class TcpTransportConnection(Socket socket) : ITransportConnection
{
    /// <summary>The accepted socket, for a transport that takes it over (the io_uring core loops).</summary>
    internal Socket Socket => socket;

    public EndPoint? RemoteEndPoint { get; } = socket.RemoteEndPoint;
    public EndPoint? LocalEndPoint { get; } = socket.LocalEndPoint;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    public ValueTask DisposeAsync()
    {
        try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
