using System.Buffers.Binary;
using System.Net.Sockets;
using FastSmb.SmbDirect.Rdma;
using FastSmb.SmbDirect.Rdma.Soft;
using FastSmb.Datapath.Transport;
using FastSmb.SmbDirect;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Datapath.SmbDirect.Proxy;

/// <summary>
/// `fastsmb rdma-proxy`, the smbd-d of Samba's SMB Direct plan: owns the RDMA provider and every RDMA connection
/// (queue pairs and registrations cannot move between processes), negotiates SMB Direct ([MS-SMBD] 3.1.5) on each,
/// and hands the file server per connection a data socketpair end, a control socketpair end and a payload memfd
/// over the server's hand-off socket (SCM_RIGHTS, <see cref="ProxyProtocol"/>). It then relays: SMB Direct messages
/// ↔ Direct TCP frames on the data socket, and control requests → RDMA write/read between the shared region and the
/// client's buffers. While the server is unreachable it accepts no RDMA connections (its listener is closed and
/// reopened when the server is back); a dead server's connections end with their sockets.
/// </summary>
public sealed class RdmaProxy(IRdmaProvider provider, string rdmaAddress, string serverSocket, SmbDirectOptions options,
    Action<string>? log = null)
{
    private int _handedOver;

    /// <summary>Connections handed to the server so far.</summary>
    public int HandedOver => Volatile.Read(ref _handedOver);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            int server = ConnectToServer();
            if (server < 0)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                continue;
            }
            log?.Invoke($"rdma-proxy: connected to the server at {serverSocket}; listening for SMB Direct at {rdmaAddress} ({provider.Name})");
            try
            {
                await ServeAsync(server, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                SoftRdmaNative.close(server);
            }
            log?.Invoke("rdma-proxy: the server went away; no new connections until it is back");
        }
    }

    private int ConnectToServer()
    {
        int fd = SoftRdmaNative.SeqPacketSocket();
        try
        {
            SoftRdmaNative.Connect(fd, serverSocket);
            return fd;
        }
        catch (IOException)
        {
            SoftRdmaNative.close(fd);
            return -1;
        }
    }

    private async Task ServeAsync(int server, CancellationToken cancellationToken)
    {
        using var serverGone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The hand-off socket carries nothing towards the proxy: readable means closed.
        var watch = Task.Run(() =>
        {
            while (!serverGone.IsCancellationRequested && !SoftRdmaNative.PollReadable(server, 100)) { }
            serverGone.Cancel();
        }, CancellationToken.None);
        await using var listener = new SmbDirectTransportListener(provider.Listen(rdmaAddress), options);
        try
        {
            while (!serverGone.IsCancellationRequested)
            {
                var transport = (SmbDirectTransportConnection)await listener.AcceptAsync(serverGone.Token).ConfigureAwait(false);
                if (!HandOver(server, transport.Connection))
                {
                    await transport.DisposeAsync().ConfigureAwait(false);
                    serverGone.Cancel();
                }
            }
        }
        catch (OperationCanceledException) when (serverGone.IsCancellationRequested)
        {
        }
        serverGone.Cancel();
        await watch.ConfigureAwait(false);
    }

    private bool HandOver(int server, SmbDirectConnection smbd)
    {
        int maxRw = smbd.Parameters.MaxReadWriteSize;
        var (dataMine, dataTheirs) = SoftRdmaNative.SocketPair(SoftRdmaNative.SOCK_STREAM);
        var (controlMine, controlTheirs) = SoftRdmaNative.SocketPair(SoftRdmaNative.SOCK_SEQPACKET);
        var region = SharedMemory.Create("fastsmb-rdma-proxy", maxRw);
        Span<byte> header = stackalloc byte[256];
        int n = ProxyProtocol.WriteHandoff(header, maxRw, Math.Min(options.MaxBufferDescriptors, ProxyProtocol.MaxDescriptors), maxRw,
            smbd.QueuePair.PeerAddress);
        bool sent = SoftRdmaNative.SendFds(server, header[..n], [dataTheirs, controlTheirs, region.Fd]);
        SoftRdmaNative.close(dataTheirs);
        SoftRdmaNative.close(controlTheirs);
        var relay = new Relay(smbd, new Socket(new SafeSocketHandle(dataMine, ownsHandle: true)), controlMine, region);
        if (!sent)
        {
            _ = relay.DisposeAsync();
            return false;
        }
        Interlocked.Increment(ref _handedOver);
        relay.Start();
        return true;
    }

    /// <summary>One handed-over connection: three pumps, and when any ends, everything goes.</summary>
    private sealed class Relay(SmbDirectConnection smbd, Socket data, int control, SharedMemory region)
    {
        private int _disposed;

        public void Start()
        {
            _ = Task.Run(ToServerAsync);
            _ = Task.Run(ToClientAsync);
            new Thread(Control) { IsBackground = true, Name = "rdma-proxy-control" }.Start();
        }

        private async Task ToServerAsync()
        {
            var header = new byte[DirectTcpFraming.HeaderSize];
            try
            {
                while (await smbd.ReceiveMessageAsync(CancellationToken.None).ConfigureAwait(false) is { } message)
                {
                    DirectTcpFraming.WriteHeader(header, message.Length);
                    await SendAllAsync(header).ConfigureAwait(false);
                    await SendAllAsync(message).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
            }
            await DisposeAsync().ConfigureAwait(false);
        }

        private async Task SendAllAsync(ReadOnlyMemory<byte> bytes)
        {
            while (!bytes.IsEmpty) bytes = bytes[await data.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false)..];
        }

        private async Task ToClientAsync()
        {
            var header = new byte[DirectTcpFraming.HeaderSize];
            try
            {
                while (true)
                {
                    if (!await ReadExactAsync(header).ConfigureAwait(false)) break;
                    int length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header) & 0xFFFFFF);
                    var message = new byte[length];
                    if (!await ReadExactAsync(message).ConfigureAwait(false)) break;
                    await smbd.SendMessageAsync(message).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or ArgumentException)
            {
            }
            await DisposeAsync().ConfigureAwait(false);
        }

        private async Task<bool> ReadExactAsync(Memory<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                int n = await data.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0) return false;
                buffer = buffer[n..];
            }
            return true;
        }

        private void Control()
        {
            var request = new byte[ProxyProtocol.ControlFixed + ProxyProtocol.MaxDescriptors * 16 + 16];
            try
            {
                while (Volatile.Read(ref _disposed) == 0)
                {
                    if (!SoftRdmaNative.PollReadable(control, 100)) continue;
                    int n = SoftRdmaNative.Receive(control, request, out int fd, out bool truncated);
                    if (fd >= 0) SoftRdmaNative.close(fd);
                    if (n <= 0) break;
                    bool ok = !truncated && ProxyProtocol.TryReadControl(request.AsSpan(0, n), out byte op, out uint value, out var descriptors)
                        && Execute(op, value, descriptors);
                    if (!SoftRdmaNative.Send(control, [ok ? (byte)1 : (byte)0], default) || !ok) break;
                }
            }
            finally
            {
                _ = DisposeAsync();
            }
        }

        private bool Execute(byte op, uint value, Protocol.SmbDirect.BufferDescriptorV1[] descriptors)
        {
            if (op == ProxyProtocol.OpInvalidate)
            {
                smbd.InvalidateOnNextSend(value);
                return true;
            }
            if (value > (uint)region.Length) return false;
            var bytes = region.Memory[..(int)value];
            var transfer = op == ProxyProtocol.OpWrite ? smbd.RdmaWriteAsync(descriptors, bytes) : smbd.RdmaReadAsync(descriptors, bytes);
            try
            {
                return transfer.GetAwaiter().GetResult();
            }
            catch (ArgumentException)
            {
                return false; // descriptors shorter than the length: the server validated them, so this is a bad request
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            data.Dispose();
            await smbd.DisposeAsync().ConfigureAwait(false);
            SoftRdmaNative.close(control);
            region.Release();
        }
    }
}
