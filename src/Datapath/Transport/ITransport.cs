using System.Net;

namespace FastSmb.Datapath.Transport;

/// <summary>
/// A reliable byte stream to one client (TCP today; the RDMA proxy channel and QUIC streams later).
/// The transport only moves bytes: framing and protocol live above it. Owned by one
/// <see cref="Connections.ConnectionOwner"/>; never used by two threads at once.
/// </summary>
public interface ITransportConnection : IAsyncDisposable
{
    EndPoint? RemoteEndPoint { get; }
    EndPoint? LocalEndPoint { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes; 0 means the peer closed the stream.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Sends every byte of <paramref name="data"/>.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}

/// <summary>Accepts transport connections. Thread-safe for one accepting loop.</summary>
public interface ITransportListener : IAsyncDisposable
{
    EndPoint LocalEndPoint { get; }
    ValueTask<ITransportConnection> AcceptAsync(CancellationToken cancellationToken);
}
