namespace FastSmb.SmbDirect.Rdma.Soft;

/// <summary>
/// Soft RDMA: RDMA's one-sided semantics between processes on one host, for machines without RDMA hardware and for
/// the tests. A connection is a SOCK_SEQPACKET Unix socket (one packet per send work request, so message boundaries
/// and RC ordering come from the kernel). A registration with remote access is a memfd whose descriptor travels to
/// the peer over the same socket (SCM_RIGHTS) and which the peer maps; the peer's RDMA write/read is then a memory
/// copy into/out of that mapping, without involving the owner's CPU — the property SMB Direct is built around.
/// Remote keys map to (region, base address, length, access) in the importer's table, fed in order with the sends,
/// so a key is always known before any request naming it arrives. Addresses are Unix socket paths.
/// </summary>
public sealed class SoftRdmaProvider : IRdmaProvider
{
    public string Name => "soft";

    public RdmaCapabilities Capabilities { get; init; } = new(MaxSendWorkRequests: 1024, MaxReceiveWorkRequests: 1024,
        MaxMessageSize: 64 * 1024, MaxRegionSize: 256 << 20);

    public IRdmaListener Listen(string address) => new SoftRdmaListener(address, Capabilities);

    public ValueTask<IRdmaConnection> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int fd = SoftRdmaNative.SeqPacketSocket();
        try
        {
            SoftRdmaNative.Connect(fd, address);
        }
        catch
        {
            SoftRdmaNative.close(fd);
            throw;
        }
        return ValueTask.FromResult<IRdmaConnection>(new SoftRdmaConnection(fd, address, Capabilities));
    }

    private sealed class SoftRdmaListener : IRdmaListener
    {
        private readonly RdmaCapabilities _capabilities;
        private int _fd;

        public SoftRdmaListener(string path, RdmaCapabilities capabilities)
        {
            _capabilities = capabilities;
            Address = path;
            _fd = SoftRdmaNative.ListeningSocket(path);
        }

        public string Address { get; }

        public async ValueTask<IRdmaConnection> AcceptAsync(CancellationToken cancellationToken)
        {
            // accept blocks; poll in short slices on a pool thread so cancellation and disposal are observed.
            return await Task.Run<IRdmaConnection>(() =>
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int fd = Volatile.Read(ref _fd);
                    if (fd < 0) throw new ObjectDisposedException(nameof(SoftRdmaListener));
                    if (!SoftRdmaNative.PollReadable(fd, 50)) continue;
                    int c = SoftRdmaNative.Accept(fd);
                    if (c >= 0) return new SoftRdmaConnection(c, Address + "#peer", _capabilities);
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            int fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0)
            {
                SoftRdmaNative.close(fd);
                try { File.Delete(Address); } catch (IOException) { }
            }
            return ValueTask.CompletedTask;
        }
    }
}
