using System.Buffers;
using System.Runtime.InteropServices;

namespace FastSmb.SmbDirect.Rdma.Verbs;

/// <summary>
/// One RC queue pair from the verbs shim. The connection is established lazily, at the first receive posted (a
/// listener must post receives before rdma_accept; an initiator before its peer can send) or the first send. A
/// notifier thread waits on the completion channel and fires the armed <see cref="RequestNotification"/> callback,
/// and watches the connection manager for the peer's disconnect. Posting and polling belong to the owning loop.
/// </summary>
internal sealed unsafe class VerbsRdmaConnection : IRdmaConnection
{
    private readonly bool _initiator;
    private readonly Dictionary<ulong, RdmaOpcode> _outstanding = new();
    private readonly Dictionary<uint, Region> _byRemoteKey = new();
    private readonly VerbsNative.WorkCompletion[] _wc = new VerbsNative.WorkCompletion[32];
    private nint _conn;
    private bool _established;
    private bool _broken;
    private bool _disconnectReported;
    private volatile bool _peerGone;
    private Action? _notify;
    private Thread? _notifier;

    public VerbsRdmaConnection(nint conn, string peerAddress, bool initiator)
    {
        _conn = conn;
        _initiator = initiator;
        PeerAddress = peerAddress;
        VerbsNative.fsr_get_caps(conn, out int maxSend, out int maxRecv);
        Capabilities = new RdmaCapabilities(maxSend, maxRecv, MaxMessageSize: 1 << 30, MaxRegionSize: int.MaxValue);
    }

    public string PeerAddress { get; }
    public RdmaCapabilities Capabilities { get; }
    public bool IsDisconnected => _broken || _peerGone;

    private bool Establish()
    {
        if (_established) return true;
        if (_broken) return false;
        byte* err = stackalloc byte[VerbsNative.ErrLength];
        err[0] = 0;
        int r = _initiator ? VerbsNative.fsr_connect_finish(_conn, 5000, err, VerbsNative.ErrLength)
            : VerbsNative.fsr_accept(_conn, 5000, err, VerbsNative.ErrLength);
        if (r != 0)
        {
            _broken = true;
            return false;
        }
        _established = true;
        _notifier = new Thread(NotifyLoop) { IsBackground = true, Name = "verbs-cq-notifier" };
        _notifier.Start();
        return true;
    }

    public IRdmaMemoryRegion RegisterMemory(int length, RdmaAccess access)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length));
        var region = new Region(this, length, access);
        if (region.RemoteKey != 0) _byRemoteKey[region.RemoteKey] = region;
        return region;
    }

    public bool TryPostReceive(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length)
    {
        if (_broken || _peerGone) return false;
        var r = (Region)region;
        if (offset < 0 || length < 0 || (long)offset + length > r.Length) throw new ArgumentOutOfRangeException(nameof(length));
        if (VerbsNative.fsr_post_recv(_conn, workRequestId, r.Pointer + offset, (uint)length, r.LocalKey) != 0) return false;
        _outstanding[workRequestId] = RdmaOpcode.Receive;
        return Establish();
    }

    public bool TryPostSend(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, uint invalidateRemoteKey = 0) =>
        Post(0, RdmaOpcode.Send, workRequestId, region, offset, length, 0, 0, invalidateRemoteKey);

    public bool TryPostRdmaWrite(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey) =>
        Post(2, RdmaOpcode.RdmaWrite, workRequestId, region, offset, length, remoteAddress, remoteKey, 0);

    public bool TryPostRdmaRead(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey) =>
        Post(3, RdmaOpcode.RdmaRead, workRequestId, region, offset, length, remoteAddress, remoteKey, 0);

    private bool Post(int opcode, RdmaOpcode kind, ulong id, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress,
        uint remoteKey, uint invalidate)
    {
        if (_broken || _peerGone || !Establish()) return false;
        var r = (Region)region;
        if (offset < 0 || length < 0 || (long)offset + length > r.Length) throw new ArgumentOutOfRangeException(nameof(length));
        if (VerbsNative.fsr_post(_conn, opcode, id, r.Pointer + offset, (uint)length, r.LocalKey, remoteAddress, remoteKey, invalidate) != 0)
            return false;
        _outstanding[id] = kind;
        return true;
    }

    public int PollCompletions(Span<RdmaCompletion> completions)
    {
        int filled = 0;
        if (_conn == 0) return 0;
        fixed (VerbsNative.WorkCompletion* wc = _wc)
        {
            while (filled < completions.Length)
            {
                int n = VerbsNative.fsr_poll(_conn, wc, Math.Min(_wc.Length, completions.Length - filled));
                if (n <= 0) break;
                for (int i = 0; i < n; i++)
                {
                    var c = wc[i];
                    _outstanding.Remove(c.WorkRequestId, out var kind);
                    var status = (RdmaCompletionStatus)Math.Min(c.Status, (int)RdmaCompletionStatus.Flushed);
                    if (c.Status == 6) status = RdmaCompletionStatus.RemoteAccessError;
                    if (status != RdmaCompletionStatus.Success) _broken = true;
                    if (c.InvalidatedRemoteKey != 0 && _byRemoteKey.TryGetValue(c.InvalidatedRemoteKey, out var mine)) mine.MarkInvalid();
                    completions[filled++] = new RdmaCompletion(c.WorkRequestId, kind, status, (int)c.ByteLength, c.InvalidatedRemoteKey);
                }
            }
        }
        // After the flushes, one Disconnected event (the contract of IRdmaConnection).
        if (filled < completions.Length && (_broken || _peerGone) && _outstanding.Count == 0 && !_disconnectReported)
        {
            _disconnectReported = true;
            completions[filled++] = new RdmaCompletion(0, RdmaOpcode.Disconnected, RdmaCompletionStatus.Success);
        }
        return filled;
    }

    public void RequestNotification(Action callback)
    {
        Volatile.Write(ref _notify, callback);
        if (_conn != 0 && _established) VerbsNative.fsr_req_notify(_conn);
        // Anything already there (or a connection that never came up) must not wait for an event.
        if (!_established || _broken || _peerGone) Interlocked.Exchange(ref _notify, null)?.Invoke();
    }

    private void NotifyLoop()
    {
        while (Volatile.Read(ref _conn) != 0 && !_peerGone)
        {
            int r = VerbsNative.fsr_wait_cq_event(_conn, 200);
            if (VerbsNative.fsr_check_disconnected(_conn) != 0) _peerGone = true;
            if (r != 0 || _peerGone) Interlocked.Exchange(ref _notify, null)?.Invoke();
            if (r < 0) break;
        }
    }

    public void Disconnect()
    {
        if (_conn == 0) return;
        _broken = true;
        if (_established) VerbsNative.fsr_disconnect(_conn);
        Interlocked.Exchange(ref _notify, null)?.Invoke();
    }

    public void Dispose()
    {
        nint conn = _conn;
        if (conn == 0) return;
        Disconnect();
        Volatile.Write(ref _conn, 0);
        _notifier?.Join(1000);
        foreach (var r in _byRemoteKey.Values.ToArray()) ((IDisposable)r).Dispose();
        VerbsNative.fsr_destroy(conn);
    }

    /// <summary>Page-aligned native memory registered with the protection domain; the address is the RDMA address.</summary>
    private sealed class Region : MemoryManager<byte>, IRdmaMemoryRegion
    {
        private readonly VerbsRdmaConnection _owner;
        private nint _mr;

        public Region(VerbsRdmaConnection owner, int length, RdmaAccess access)
        {
            _owner = owner;
            Length = length;
            Access = access;
            Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
            Register();
        }

        public byte* Pointer { get; private set; }
        public int Length { get; }
        public RdmaAccess Access { get; }
        public uint LocalKey { get; private set; }
        public uint RemoteKey { get; private set; }
        public ulong RemoteAddress => (ulong)Pointer;
        public bool RemoteKeyValid { get; private set; }

        private void Register()
        {
            _mr = VerbsNative.fsr_reg_mr(_owner._conn, Pointer, (nuint)Length, (int)Access, out uint lkey, out uint rkey);
            if (_mr == 0)
            {
                NativeMemory.AlignedFree(Pointer);
                Pointer = null;
                throw new IOException($"verbs RDMA: ibv_reg_mr of {Length} bytes failed (errno {Marshal.GetLastSystemError()}); is the memlock limit (ulimit -l) high enough?");
            }
            LocalKey = lkey;
            bool remote = (Access & (RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite)) != 0;
            RemoteKey = remote ? rkey : 0;
            RemoteKeyValid = remote;
        }

        public void MarkInvalid() => RemoteKeyValid = false;

        /// <summary>Revokes the peer's access by registering again under a new key (no memory windows needed).</summary>
        public void InvalidateRemoteKey()
        {
            if (!RemoteKeyValid) return;
            _owner._byRemoteKey.Remove(RemoteKey);
            VerbsNative.fsr_dereg_mr(_mr);
            Register();
            RemoteKeyValid = false;
            if (RemoteKey != 0) _owner._byRemoteKey[RemoteKey] = this;
        }

        public override Span<byte> GetSpan() => Pointer == null ? throw new ObjectDisposedException(nameof(Region)) : new Span<byte>(Pointer, Length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(Pointer + elementIndex);
        public override void Unpin() { }

        protected override void Dispose(bool disposing)
        {
            if (Pointer == null) return;
            _owner._byRemoteKey.Remove(RemoteKey);
            VerbsNative.fsr_dereg_mr(_mr);
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}
