using System.Net;
using System.Net.Sockets;
using FastSmb.SmbDirect.Rdma.Soft;
using FastSmb.Datapath.Transport;
using FastSmb.Protocol.SmbDirect;
using FastSmb.SmbDirect;

namespace FastSmb.Datapath.SmbDirect.Proxy;

/// <summary>
/// The server's side of an SMB Direct connection that `fastsmb rdma-proxy` owns: SMB2 messages over the data socket
/// (as over TCP, so ConnectionOwner runs it unchanged), and the RDMA data path through the control socket and the
/// payload region both processes map: READ data is read from the file into the region and the proxy RDMA-writes it
/// to the client; a WRITE's data is RDMA-read by the proxy into the region and written to the file from there.
/// </summary>
internal sealed class ProxiedConnection : ITransportConnection, IRdmaDataPath
{
    private readonly Socket _data;
    private readonly int _control;
    private readonly SharedMemory _region;
    private readonly byte[] _request = new byte[ProxyProtocol.ControlFixed + ProxyProtocol.MaxDescriptors * BufferDescriptorV1.Size];
    private int _disposed;

    public ProxiedConnection(int dataFd, int controlFd, int memFd, int regionLength, int maxReadWrite, int maxDescriptors, string peer)
    {
        _data = new Socket(new SafeSocketHandle(dataFd, ownsHandle: true));
        _control = controlFd;
        _region = SharedMemory.Map(memFd, regionLength);
        MaxReadWriteSize = maxReadWrite;
        MaxBufferDescriptors = maxDescriptors;
        RemoteEndPoint = new RdmaEndPoint("proxy:" + peer, this);
    }

    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint => null;
    public int MaxReadWriteSize { get; }
    public int MaxBufferDescriptors { get; }
    public Memory<byte> Staging => _region.Memory[..MaxReadWriteSize];

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _data.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int n = await _data.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[n..];
        }
    }

    public Task<bool> WriteToPeerAsync(IReadOnlyList<BufferDescriptorV1> descriptors, int length) =>
        Task.FromResult(Call(ProxyProtocol.OpWrite, (uint)length, descriptors));

    public Task<bool> ReadFromPeerAsync(IReadOnlyList<BufferDescriptorV1> descriptors, int length) =>
        Task.FromResult(Call(ProxyProtocol.OpRead, (uint)length, descriptors));

    public void InvalidateOnNextSend(uint token) => Call(ProxyProtocol.OpInvalidate, token, []);

    /// <summary>One request and its reply on the control socket. The owner waits for it anyway (one transfer at a time).</summary>
    private bool Call(byte op, uint value, IReadOnlyList<BufferDescriptorV1> descriptors)
    {
        if (Volatile.Read(ref _disposed) != 0 || descriptors.Count > ProxyProtocol.MaxDescriptors) return false;
        int n = ProxyProtocol.WriteControl(_request, op, value, descriptors);
        if (!SoftRdmaNative.Send(_control, _request.AsSpan(0, n), default)) return false;
        Span<byte> reply = stackalloc byte[8];
        int got = SoftRdmaNative.Receive(_control, reply, out int fd, out _);
        if (fd >= 0) SoftRdmaNative.close(fd);
        return got == 1 && reply[0] == 1;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return ValueTask.CompletedTask;
        _data.Dispose();
        SoftRdmaNative.close(_control);
        _region.Release();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Where the server accepts connections from `fastsmb rdma-proxy`: a SOCK_SEQPACKET Unix socket at
/// <see cref="Address"/>. A proxy connects and hands over each SMB Direct connection as one packet with three
/// descriptors (see <see cref="ProxyProtocol"/>). A proxy that goes away may come back (or another start): the
/// listener keeps accepting; connections already handed over live on (their sockets are the server's).
/// </summary>
public sealed class ProxyHandoffListener : ITransportListener
{
    private readonly System.Threading.Channels.Channel<ITransportConnection> _accepted =
        System.Threading.Channels.Channel.CreateUnbounded<ITransportConnection>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> _proxies = new();
    private int _fd;

    public ProxyHandoffListener(string path)
    {
        Address = path;
        _fd = SoftRdmaNative.ListeningSocket(path);
        LocalEndPoint = new RdmaEndPoint("proxy-handoff:" + path);
        _loop = Task.Factory.StartNew(AcceptProxies, TaskCreationOptions.LongRunning);
    }

    public string Address { get; }
    public EndPoint LocalEndPoint { get; }
    /// <summary>Proxies that connected and hand-offs refused as malformed (diagnostics and tests).</summary>
    public int ProxiesSeen { get; private set; }
    public int RefusedHandoffs { get; private set; }

    public async ValueTask<ITransportConnection> AcceptAsync(CancellationToken cancellationToken) =>
        await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    private void AcceptProxies()
    {
        while (!_stop.IsCancellationRequested)
        {
            int fd = Volatile.Read(ref _fd);
            if (fd < 0) return;
            if (!SoftRdmaNative.PollReadable(fd, 100)) continue;
            int proxy = SoftRdmaNative.Accept(fd);
            if (proxy < 0) continue;
            ProxiesSeen++;
            _proxies[proxy] = true;
            var t = new Thread(() => ReadHandoffs(proxy)) { IsBackground = true, Name = "rdma-proxy-handoff" };
            t.Start();
        }
    }

    private void ReadHandoffs(int proxy)
    {
        var buffer = new byte[512];
        Span<int> fds = stackalloc int[3];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (!SoftRdmaNative.PollReadable(proxy, 100)) continue;
                int n = SoftRdmaNative.ReceiveFds(proxy, buffer, fds, out int count);
                if (n <= 0) return; // the proxy went away; it may connect again
                if (count != 3 || !ProxyProtocol.TryReadHandoff(buffer.AsSpan(0, n), out int maxRw, out int maxDesc, out int regionLength, out var peer))
                {
                    for (int i = 0; i < count; i++) SoftRdmaNative.close(fds[i]);
                    RefusedHandoffs++;
                    continue;
                }
                try
                {
                    _accepted.Writer.TryWrite(new ProxiedConnection(fds[0], fds[1], fds[2], regionLength, maxRw, maxDesc, peer));
                }
                catch (IOException)
                {
                    RefusedHandoffs++; // the region could not be mapped (Map closed its descriptor)
                    SoftRdmaNative.close(fds[0]);
                    SoftRdmaNative.close(fds[1]);
                }
            }
        }
        finally
        {
            _proxies.TryRemove(proxy, out _);
            // Hand-offs still queued die with the socket: their descriptors are released, so the proxy sees those
            // connections' sockets close and drops them (never a connection handed to nobody).
            SoftRdmaNative.close(proxy);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        // Tell connected proxies at once that this server is gone, so they stop accepting RDMA connections.
        foreach (var proxy in _proxies.Keys) SoftRdmaNative.shutdown(proxy, SoftRdmaNative.SHUT_RDWR);
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            SoftRdmaNative.close(fd);
            try { File.Delete(Address); } catch (IOException) { }
        }
        await _loop.ConfigureAwait(false);
        _accepted.Writer.TryComplete();
    }
}
