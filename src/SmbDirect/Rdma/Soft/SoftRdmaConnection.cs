using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace FastSmb.SmbDirect.Rdma.Soft;

/// <summary>
/// One soft-RDMA queue pair over a SOCK_SEQPACKET Unix socket. Packets: SEND (a send work request's bytes, with the
/// key to invalidate for send-with-invalidate), REGISTER (a memfd by SCM_RIGHTS with its key, base address, length
/// and access), INVALIDATE (the owner revoked a key). A reader thread takes packets off the socket: it applies
/// registrations and invalidations at once (so they precede, for the importer, every later packet) and queues sends;
/// the owner's <see cref="PollCompletions"/> matches them with posted receives, in order. Posting and polling belong to
/// the owning loop; the reader thread only fills concurrent queues and fires the armed notification. Mappings the
/// peer revoked are unmapped by the owner, never under an RDMA copy in progress.
/// </summary>
public sealed class SoftRdmaConnection : IRdmaConnection
{
    private const byte PacketSend = 1, PacketRegister = 2, PacketInvalidate = 3;
    private const int SendHeaderSize = 8, RegisterSize = 32, InvalidateSize = 8;

    private readonly int _fd;
    private readonly Thread _reader;
    private readonly Queue<(ulong Id, SoftRegion Region, int Offset, int Length)> _receives = new();
    private readonly Queue<RdmaCompletion> _completions = new();
    private readonly ConcurrentQueue<byte[]> _incoming = new();
    private readonly ConcurrentDictionary<uint, SoftRegion> _regionsByRemoteKey = new();
    private readonly ConcurrentDictionary<uint, SoftRegion> _regions = new();
    private readonly ConcurrentDictionary<uint, Import> _imports = new();
    private readonly ConcurrentQueue<Import> _retired = new();
    private Action? _notify;
    private volatile bool _peerClosed;
    private bool _broken;
    private int _nextKey;
    private int _disposed;

    internal SoftRdmaConnection(int fd, string peerAddress, RdmaCapabilities capabilities)
    {
        _fd = fd;
        PeerAddress = peerAddress;
        Capabilities = capabilities;
        // Keys differ between the two ends of a pair (process id and a counter), which catches a key used on the wrong side.
        _nextKey = (Environment.ProcessId & 0xFFF) << 16 | (fd & 0xFF) << 8;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "soft-rdma-reader" };
        _reader.Start();
    }

    public string PeerAddress { get; }
    public RdmaCapabilities Capabilities { get; }
    public bool IsDisconnected => _broken || _peerClosed;

    public IRdmaMemoryRegion RegisterMemory(int length, RdmaAccess access)
    {
        if (length <= 0 || length > Capabilities.MaxRegionSize) throw new ArgumentOutOfRangeException(nameof(length));
        uint key = (uint)Interlocked.Increment(ref _nextKey);
        bool remote = (access & (RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite)) != 0;
        var memory = SharedMemory.Create("fastsmb-softrdma", length);
        var region = new SoftRegion(this, memory, access, key, remote ? key ^ 0x5A000000u : 0, (ulong)key << 32);
        _regions[key] = region;
        if (remote)
        {
            _regionsByRemoteKey[region.RemoteKey] = region;
            Span<byte> p = stackalloc byte[RegisterSize];
            p.Clear();
            p[0] = PacketRegister;
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], region.RemoteKey);
            BinaryPrimitives.WriteUInt32LittleEndian(p[8..], (uint)access);
            BinaryPrimitives.WriteUInt64LittleEndian(p[16..], region.RemoteAddress);
            BinaryPrimitives.WriteUInt64LittleEndian(p[24..], (ulong)length);
            SoftRdmaNative.Send(_fd, p, default, memory.Fd);
        }
        return region;
    }

    public bool TryPostReceive(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length)
    {
        if (IsDisconnected || _receives.Count >= Capabilities.MaxReceiveWorkRequests) return false;
        var r = Local(region);
        if (offset < 0 || length < 0 || (long)offset + length > r.Length) throw new ArgumentOutOfRangeException(nameof(length));
        _receives.Enqueue((workRequestId, r, offset, length));
        return true;
    }

    public bool TryPostSend(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, uint invalidateRemoteKey = 0)
    {
        if (IsDisconnected) return false;
        var r = Local(region);
        if (offset < 0 || length < 0 || (long)offset + length > r.Length || length > Capabilities.MaxMessageSize)
            return Fail(workRequestId, RdmaOpcode.Send, RdmaCompletionStatus.LocalProtectionError);
        // Remote invalidation: our own use of the key ends before the peer can see the message.
        if (invalidateRemoteKey != 0 && _imports.TryGetValue(invalidateRemoteKey, out var import)) import.Valid = false;
        Span<byte> h = stackalloc byte[SendHeaderSize];
        h.Clear();
        h[0] = PacketSend;
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], invalidateRemoteKey);
        if (!SoftRdmaNative.Send(_fd, h, r.Span.Slice(offset, length)))
            return Fail(workRequestId, RdmaOpcode.Send, RdmaCompletionStatus.Flushed);
        _completions.Enqueue(new(workRequestId, RdmaOpcode.Send, RdmaCompletionStatus.Success, length));
        return true;
    }

    public bool TryPostRdmaWrite(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey) =>
        PostOneSided(workRequestId, RdmaOpcode.RdmaWrite, region, offset, length, remoteAddress, remoteKey);

    public bool TryPostRdmaRead(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey) =>
        PostOneSided(workRequestId, RdmaOpcode.RdmaRead, region, offset, length, remoteAddress, remoteKey);

    private bool PostOneSided(ulong id, RdmaOpcode op, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey)
    {
        if (IsDisconnected) return false;
        var r = Local(region);
        if (offset < 0 || length < 0 || (long)offset + length > r.Length)
            return Fail(id, op, RdmaCompletionStatus.LocalProtectionError);
        var need = op == RdmaOpcode.RdmaWrite ? RdmaAccess.RemoteWrite : RdmaAccess.RemoteRead;
        if (!_imports.TryGetValue(remoteKey, out var import) || !import.Valid || (import.Access & need) == 0
            || remoteAddress < import.Address || remoteAddress - import.Address + (ulong)length > (ulong)import.Memory.Length)
            return Fail(id, op, RdmaCompletionStatus.RemoteAccessError);
        var remote = import.Memory.GetSpan().Slice((int)(remoteAddress - import.Address), length);
        if (op == RdmaOpcode.RdmaWrite) r.Span.Slice(offset, length).CopyTo(remote);
        else remote.CopyTo(r.Span.Slice(offset, length));
        _completions.Enqueue(new(id, op, RdmaCompletionStatus.Success, length));
        return true;
    }

    public int PollCompletions(Span<RdmaCompletion> completions)
    {
        while (_retired.TryDequeue(out var old)) old.Memory.Release();
        while (!_broken && _receives.Count > 0 && _incoming.TryDequeue(out var packet))
        {
            var (id, region, offset, length) = _receives.Dequeue();
            int dataLength = packet.Length - SendHeaderSize;
            uint invalidated = BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(4));
            if (dataLength > length)
            {
                _completions.Enqueue(new(id, RdmaOpcode.Receive, RdmaCompletionStatus.LocalLengthError));
                Break();
                break;
            }
            packet.AsSpan(SendHeaderSize).CopyTo(region.Span.Slice(offset));
            _completions.Enqueue(new(id, RdmaOpcode.Receive, RdmaCompletionStatus.Success, dataLength, invalidated));
        }
        // RC with retries exhausted: more unmatched messages than the receive queue can hold is a peer credit bug.
        if (!_broken && _incoming.Count > Capabilities.MaxReceiveWorkRequests)
        {
            _completions.Enqueue(new(0, RdmaOpcode.Receive, RdmaCompletionStatus.ReceiverNotReady));
            Break();
        }
        if (!_broken && _peerClosed && _incoming.IsEmpty) Break();
        int n = 0;
        while (n < completions.Length && _completions.TryDequeue(out var c)) completions[n++] = c;
        return n;
    }

    public void RequestNotification(Action callback)
    {
        Volatile.Write(ref _notify, callback);
        bool ready = _completions.Count > 0 || (_receives.Count > 0 && !_incoming.IsEmpty) || (_peerClosed && !_broken)
            || !_retired.IsEmpty;
        if (ready) Interlocked.Exchange(ref _notify, null)?.Invoke();
    }

    public void Disconnect()
    {
        if (!_broken) Break();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        SoftRdmaNative.shutdown(_fd, SoftRdmaNative.SHUT_RDWR);
        _reader.Join();
        SoftRdmaNative.close(_fd);
        foreach (var import in _imports.Values) import.Memory.Release();
        _imports.Clear();
        while (_retired.TryDequeue(out var old)) old.Memory.Release();
        foreach (var region in _regions.Values) region.Dispose();
    }

    private bool Fail(ulong id, RdmaOpcode op, RdmaCompletionStatus status)
    {
        _completions.Enqueue(new(id, op, status));
        Break();
        return true;
    }

    /// <summary>Enters the error state: the peer sees the socket close; posted receives flush; the Disconnected event follows.</summary>
    private void Break()
    {
        if (_broken) return;
        _broken = true;
        SoftRdmaNative.shutdown(_fd, SoftRdmaNative.SHUT_RDWR);
        while (_receives.TryDequeue(out var r)) _completions.Enqueue(new(r.Id, RdmaOpcode.Receive, RdmaCompletionStatus.Flushed));
        _completions.Enqueue(new(0, RdmaOpcode.Disconnected, RdmaCompletionStatus.Success));
    }

    private void ReadLoop()
    {
        var buffer = new byte[Capabilities.MaxMessageSize + SendHeaderSize];
        while (true)
        {
            int n = SoftRdmaNative.Receive(_fd, buffer, out int fd, out bool truncated);
            if (n <= 0 || truncated)
            {
                if (fd >= 0) SoftRdmaNative.close(fd);
                break;
            }
            switch (buffer[0])
            {
                case PacketSend when n >= SendHeaderSize:
                    uint invalidate = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
                    if (invalidate != 0 && _regionsByRemoteKey.TryGetValue(invalidate, out var mine)) mine.Valid = false;
                    _incoming.Enqueue(buffer.AsSpan(0, n).ToArray());
                    break;
                case PacketRegister when n >= RegisterSize && fd >= 0:
                    uint key = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
                    var access = (RdmaAccess)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(8));
                    ulong address = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(16));
                    ulong length = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(24));
                    if (length == 0 || length > (ulong)Capabilities.MaxRegionSize) { SoftRdmaNative.close(fd); break; }
                    _imports[key] = new Import(SharedMemory.Map(fd, (int)length), address, access);
                    fd = -1;
                    break;
                case PacketInvalidate when n >= InvalidateSize:
                    uint revoked = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
                    if (_imports.TryRemove(revoked, out var gone))
                    {
                        gone.Valid = false;
                        _retired.Enqueue(gone);
                    }
                    break;
            }
            if (fd >= 0) SoftRdmaNative.close(fd);
            Interlocked.Exchange(ref _notify, null)?.Invoke();
        }
        _peerClosed = true;
        Interlocked.Exchange(ref _notify, null)?.Invoke();
    }

    private void SendInvalidate(uint remoteKey)
    {
        if (_broken || _peerClosed) return;
        Span<byte> p = stackalloc byte[InvalidateSize];
        p.Clear();
        p[0] = PacketInvalidate;
        BinaryPrimitives.WriteUInt32LittleEndian(p[4..], remoteKey);
        SoftRdmaNative.Send(_fd, p, default);
    }

    private SoftRegion Local(IRdmaMemoryRegion region) =>
        region is SoftRegion s && s.Owner == this && !s.Disposed ? s : throw new ArgumentException("region not registered on this connection");

    private sealed class Import(SharedMemory memory, ulong address, RdmaAccess access)
    {
        public SharedMemory Memory => memory;
        public ulong Address => address;
        public RdmaAccess Access => access;
        public volatile bool Valid = true;
    }

    private sealed class SoftRegion(SoftRdmaConnection owner, SharedMemory memory, RdmaAccess access, uint localKey, uint remoteKey,
        ulong remoteAddress) : IRdmaMemoryRegion
    {
        private volatile bool _valid = true;

        public SoftRdmaConnection Owner => owner;
        public bool Disposed { get; private set; }
        public bool Valid { get => _valid; set => _valid = value; }
        public Span<byte> Span => memory.GetSpan();
        public Memory<byte> Memory => memory.Memory;
        public int Length => memory.Length;
        public RdmaAccess Access => access;
        public uint LocalKey => localKey;
        public uint RemoteKey => remoteKey;
        public ulong RemoteAddress => remoteAddress;
        public bool RemoteKeyValid => _valid && !Disposed && remoteKey != 0;

        public void InvalidateRemoteKey()
        {
            if (!_valid || remoteKey == 0) return;
            _valid = false;
            owner.SendInvalidate(remoteKey);
        }

        public void Dispose()
        {
            if (Disposed) return;
            Disposed = true;
            owner._regions.TryRemove(localKey, out _);
            if (remoteKey != 0)
            {
                owner._regionsByRemoteKey.TryRemove(remoteKey, out _);
                if (_valid) owner.SendInvalidate(remoteKey);
            }
            memory.Release();
        }
    }
}
