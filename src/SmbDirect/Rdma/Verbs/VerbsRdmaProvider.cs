using System.Runtime.InteropServices;

namespace FastSmb.SmbDirect.Rdma.Verbs;

/// <summary>
/// The verbs RDMA provider: InfiniBand, RoCE, iWARP and soft-RoCE/siw through librdmacm + libibverbs (rdma-core),
/// by way of the native shim libfastsmb_rdma.so. Addresses are "ip:port" (SMB Direct listens on 5445 for iWARP and
/// 445 for InfiniBand/RoCE, [MS-SMBD] 2.1). Creating it checks that the shim loads and that the host has an RDMA
/// device, and otherwise throws <see cref="RdmaUnavailableException"/> with what is missing.
/// </summary>
public sealed class VerbsRdmaProvider : IRdmaProvider
{
    private const int QueueDepth = 512;

    public VerbsRdmaProvider()
    {
        var why = Unavailable();
        if (why is not null) throw new RdmaUnavailableException(why);
    }

    public string Name => "verbs";

    /// <summary>Null when verbs RDMA can run here, otherwise why not (the shim, rdma-core, or a device is missing).</summary>
    public static string? Unavailable()
    {
        try
        {
            if (VerbsNative.fsr_abi_version() != VerbsNative.AbiVersion) return "libfastsmb_rdma.so has a different ABI version than this build";
            int devices = VerbsNative.fsr_device_count();
            if (devices > 0) return null;
            return devices < 0
                ? $"ibv_get_device_list failed (errno {-devices}): the kernel has no RDMA support loaded (ib_uverbs)"
                : "no RDMA device: ibv_get_device_list found none (no InfiniBand/RoCE/iWARP adapter, or its kernel driver and ib_uverbs are not loaded; " +
                  "for soft-RoCE: modprobe rdma_rxe && rdma link add rxe0 type rxe netdev eth0)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return "the verbs shim libfastsmb_rdma.so is not available (built only where libibverbs-dev and librdmacm-dev are installed; " +
                   "at run time it needs libibverbs1 and librdmacm1): " + e.Message;
        }
    }

    public IRdmaListener Listen(string address)
    {
        var (host, port) = Split(address);
        unsafe
        {
            byte* err = stackalloc byte[VerbsNative.ErrLength];
            err[0] = 0;
            int r = VerbsNative.fsr_listen(host, port, out var listener, err, VerbsNative.ErrLength);
            if (r != 0) throw new IOException(VerbsNative.Message(err, r, $"listen on {address}"));
            return new VerbsListener(listener, address);
        }
    }

    public async ValueTask<IRdmaConnection> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        var (host, port) = Split(address);
        return await Task.Run<IRdmaConnection>(() =>
        {
            unsafe
            {
                byte* err = stackalloc byte[VerbsNative.ErrLength];
                err[0] = 0;
                int r = VerbsNative.fsr_connect(host, port, QueueDepth, QueueDepth, 5000, out var conn, err, VerbsNative.ErrLength);
                if (r != 0) throw new IOException(VerbsNative.Message(err, r, $"connect to {address}"));
                return new VerbsRdmaConnection(conn, address, initiator: true);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"ip:port", "[v6]:port"; the port defaults to 5445.</summary>
    public static (string Host, int Port) Split(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon > 0 && address.IndexOf(']') < colon && int.TryParse(address[(colon + 1)..], out int port))
            return (address[..colon].Trim('[', ']'), port);
        return (address.Trim('[', ']'), 5445);
    }

    private sealed class VerbsListener(nint listener, string address) : IRdmaListener
    {
        private nint _listener = listener;

        public string Address => address;

        public async ValueTask<IRdmaConnection> AcceptAsync(CancellationToken cancellationToken)
        {
            return await Task.Run<IRdmaConnection>(() =>
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    nint l = Volatile.Read(ref _listener);
                    if (l == 0) throw new ObjectDisposedException(nameof(VerbsListener));
                    unsafe
                    {
                        byte* err = stackalloc byte[VerbsNative.ErrLength];
                        err[0] = 0;
                        int r = VerbsNative.fsr_get_request(l, 100, QueueDepth, QueueDepth, out var conn, err, VerbsNative.ErrLength);
                        if (r == -11) continue; // EAGAIN: nothing yet
                        if (r != 0) continue;   // a request that could not be set up was rejected; go on listening
                        return new VerbsRdmaConnection(conn, address + "#peer", initiator: false);
                    }
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            nint l = Interlocked.Exchange(ref _listener, 0);
            if (l != 0) VerbsNative.fsr_listener_close(l);
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The RDMA provider chosen cannot run on this host; the message says what is missing.</summary>
public sealed class RdmaUnavailableException(string message) : Exception(message);
