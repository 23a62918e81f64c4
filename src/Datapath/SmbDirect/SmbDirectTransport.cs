using System.Net;
using FastSmb.SmbDirect.Rdma;
using FastSmb.Datapath.Transport;
using FastSmb.SmbDirect;

namespace FastSmb.Datapath.SmbDirect;

/// <summary>
/// An SMB Direct connection as an <see cref="ITransportConnection"/>, so the ConnectionOwner/dispatcher run SMB2 over
/// RDMA unchanged. The READ/WRITE handlers reach the RDMA data path through <see cref="Connection"/>.
/// Owned by one ConnectionOwner (one receiving loop, sends serialised by its gate).
/// </summary>
public sealed class SmbDirectTransportConnection : ITransportConnection
{
    private readonly SmbDirectFramingAdapter _adapter;

    public SmbDirectTransportConnection(SmbDirectConnection connection)
    {
        _adapter = new SmbDirectFramingAdapter(connection);
        RemoteEndPoint = new RdmaEndPoint(connection.QueuePair.PeerAddress, connection);
    }

    public SmbDirectConnection Connection => _adapter.Connection;
    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint => null;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) => _adapter.ReadAsync(buffer, cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _adapter.WriteAsync(data, cancellationToken);

    public ValueTask DisposeAsync() => _adapter.Connection.DisposeAsync();
}

/// <summary>
/// Accepts RDMA connections from a provider and negotiates SMB Direct on each before handing it over. A peer that
/// fails negotiation is dropped and the listener goes on accepting. Thread-safe for one accepting loop.
/// </summary>
public sealed class SmbDirectTransportListener(IRdmaListener listener, SmbDirectOptions options) : ITransportListener
{
    public EndPoint LocalEndPoint { get; } = new RdmaEndPoint(listener.Address);

    /// <summary>Negotiation failures seen (diagnostics and tests).</summary>
    public int NegotiationFailures { get; private set; }

    public async ValueTask<ITransportConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var qp = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var connection = await SmbDirectConnection.AcceptAsync(qp, options, cancellationToken).ConfigureAwait(false);
                return new SmbDirectTransportConnection(connection);
            }
            catch (SmbDirectConnection.NegotiationFailedException)
            {
                NegotiationFailures++;
            }
        }
    }

    public ValueTask DisposeAsync() => listener.DisposeAsync();
}

/// <summary>
/// The address of an RDMA peer as the provider names it (a Unix socket path for soft RDMA, ip:port for verbs), and the
/// connection's RDMA data path: how the READ/WRITE handlers, which see only the <c>Smb2Connection</c>, find it.
/// </summary>
public sealed class RdmaEndPoint(string address, IRdmaDataPath? dataPath = null) : EndPoint
{
    public string Address => address;
    public IRdmaDataPath? DataPath => dataPath;
    public override string ToString() => "rdma:" + address;
}
