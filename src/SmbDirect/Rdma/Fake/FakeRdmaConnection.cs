namespace FastSmb.SmbDirect.Rdma.Fake;

/// <summary>
/// One end of a fake RC connection. Besides <see cref="IRdmaConnection"/> it lets a test inject faults:
/// fail the next work request of a kind, hold send-queue completions back (a delay, and a reordering against the
/// receive queue that RC permits: the two queues are independent), and count what was posted.
/// All state is guarded by the pair's shared lock; notification callbacks run outside it.
/// </summary>
public sealed class FakeRdmaConnection : IRdmaConnection
{
    private readonly object _gate;
    private readonly Queue<RdmaCompletion> _completions = new();
    private readonly Queue<RdmaCompletion> _heldSendCompletions = new();
    private readonly Queue<(ulong Id, FakeRegion Region, int Offset, int Length)> _receives = new();
    private readonly Dictionary<uint, FakeRegion> _regions = new();
    private readonly Dictionary<RdmaOpcode, RdmaCompletionStatus> _injected = new();
    private Action? _notify;
    private uint _nextKey = 0x100;
    private bool _broken;

    internal FakeRdmaConnection(object gate, RdmaCapabilities capabilities, string peerAddress)
    {
        _gate = gate;
        Capabilities = capabilities;
        PeerAddress = peerAddress;
    }

    internal FakeRdmaConnection Peer { get; set; } = null!;

    public string PeerAddress { get; }
    public RdmaCapabilities Capabilities { get; }
    public bool IsDisconnected { get { lock (_gate) return _broken; } }

    /// <summary>Sends posted so far (successful or not); a test's view of credit use.</summary>
    public int SendsPosted { get; private set; }
    public int RdmaWritesPosted { get; private set; }
    public int RdmaReadsPosted { get; private set; }
    public int ReceivesOutstanding { get { lock (_gate) return _receives.Count; } }

    /// <summary>While true, send-queue completions (send, RDMA read/write) wait in a side queue until released.</summary>
    public bool HoldSendCompletions { get; set; }

    /// <summary>The next work request of <paramref name="opcode"/> fails with <paramref name="status"/> (and breaks the connection, as in RC).</summary>
    public void InjectFailure(RdmaOpcode opcode, RdmaCompletionStatus status)
    {
        lock (_gate) _injected[opcode] = status;
    }

    public void ReleaseHeldCompletions()
    {
        Action? notify;
        lock (_gate)
        {
            while (_heldSendCompletions.TryDequeue(out var c)) _completions.Enqueue(c);
            notify = TakeNotifyIfReady();
        }
        notify?.Invoke();
    }

    public IRdmaMemoryRegion RegisterMemory(int length, RdmaAccess access)
    {
        if (length <= 0 || length > Capabilities.MaxRegionSize) throw new ArgumentOutOfRangeException(nameof(length));
        lock (_gate)
        {
            uint key = _nextKey++;
            var region = new FakeRegion(this, new byte[length], access, key, (access & (RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite)) != 0 ? key ^ 0x5A000000 : 0,
                (ulong)key << 32);
            _regions[region.LocalKey] = region;
            return region;
        }
    }

    /// <summary>At least one receive is posted (what establishing the connection waits for).</summary>
    public bool HasReceivePosted { get { lock (_gate) return _receives.Count > 0; } }

    public bool TryPostReceive(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length)
    {
        lock (_gate)
        {
            if (_broken || _receives.Count >= Capabilities.MaxReceiveWorkRequests) return false;
            _receives.Enqueue((workRequestId, Local(region), offset, length));
            return true;
        }
    }

    public bool TryPostSend(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, uint invalidateRemoteKey = 0)
    {
        Action? mine, theirs;
        lock (_gate)
        {
            if (_broken) return false;
            SendsPosted++;
            var local = Local(region);
            if (TakeInjected(RdmaOpcode.Send, out var injected) || !InBounds(local, offset, length, out injected))
            {
                FailLocked(workRequestId, RdmaOpcode.Send, injected);
            }
            else if (!Peer._receives.TryDequeue(out var receive))
            {
                FailLocked(workRequestId, RdmaOpcode.Send, RdmaCompletionStatus.ReceiverNotReady);
            }
            else if (length > receive.Length)
            {
                Peer._completions.Enqueue(new(receive.Id, RdmaOpcode.Receive, RdmaCompletionStatus.LocalLengthError));
                FailLocked(workRequestId, RdmaOpcode.Send, RdmaCompletionStatus.Flushed);
            }
            else
            {
                local.Bytes.AsSpan(offset, length).CopyTo(receive.Region.Bytes.AsSpan(receive.Offset));
                if (invalidateRemoteKey != 0)
                    foreach (var r in Peer._regions.Values)
                        if (r.RemoteKey == invalidateRemoteKey) r.Valid = false;
                Peer._completions.Enqueue(new(receive.Id, RdmaOpcode.Receive, RdmaCompletionStatus.Success, length, invalidateRemoteKey));
                CompleteSendQueue(new(workRequestId, RdmaOpcode.Send, RdmaCompletionStatus.Success, length));
            }
            mine = TakeNotifyIfReady();
            theirs = Peer.TakeNotifyIfReady();
        }
        mine?.Invoke();
        theirs?.Invoke();
        return true;
    }

    public bool TryPostRdmaWrite(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey) =>
        PostOneSided(workRequestId, RdmaOpcode.RdmaWrite, region, offset, length, remoteAddress, remoteKey);

    public bool TryPostRdmaRead(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey) =>
        PostOneSided(workRequestId, RdmaOpcode.RdmaRead, region, offset, length, remoteAddress, remoteKey);

    private bool PostOneSided(ulong id, RdmaOpcode op, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey)
    {
        Action? mine, theirs;
        lock (_gate)
        {
            if (_broken) return false;
            if (op == RdmaOpcode.RdmaWrite) RdmaWritesPosted++; else RdmaReadsPosted++;
            var local = Local(region);
            var need = op == RdmaOpcode.RdmaWrite ? RdmaAccess.RemoteWrite : RdmaAccess.RemoteRead;
            if (TakeInjected(op, out var injected) || !InBounds(local, offset, length, out injected))
            {
                FailLocked(id, op, injected);
            }
            else if (!Peer.TryResolve(remoteKey, remoteAddress, length, need, out var target, out int targetOffset))
            {
                FailLocked(id, op, RdmaCompletionStatus.RemoteAccessError);
            }
            else
            {
                if (op == RdmaOpcode.RdmaWrite)
                    local.Bytes.AsSpan(offset, length).CopyTo(target.Bytes.AsSpan(targetOffset));
                else
                    target.Bytes.AsSpan(targetOffset, length).CopyTo(local.Bytes.AsSpan(offset));
                CompleteSendQueue(new(id, op, RdmaCompletionStatus.Success, length));
            }
            mine = TakeNotifyIfReady();
            theirs = Peer.TakeNotifyIfReady();
        }
        mine?.Invoke();
        theirs?.Invoke();
        return true;
    }

    public int PollCompletions(Span<RdmaCompletion> completions)
    {
        lock (_gate)
        {
            int n = 0;
            while (n < completions.Length && _completions.TryDequeue(out var c)) completions[n++] = c;
            return n;
        }
    }

    public void RequestNotification(Action callback)
    {
        bool ready;
        lock (_gate)
        {
            ready = _completions.Count > 0;
            _notify = ready ? null : callback;
        }
        if (ready) callback();
    }

    public void Disconnect()
    {
        Action? mine, theirs;
        lock (_gate)
        {
            BreakLocked();
            mine = TakeNotifyIfReady();
            theirs = Peer.TakeNotifyIfReady();
        }
        mine?.Invoke();
        theirs?.Invoke();
    }

    public void Dispose() => Disconnect();

    private bool TryResolve(uint key, ulong address, int length, RdmaAccess need, out FakeRegion region, out int offset)
    {
        offset = 0;
        region = null!;
        foreach (var r in _regions.Values)
        {
            if (r.RemoteKey != key || key == 0) continue;
            if (!r.Valid || r.Disposed || (r.Access & need) == 0) return false;
            if (address < r.RemoteAddress || address - r.RemoteAddress + (ulong)length > (ulong)r.Bytes.Length) return false;
            region = r;
            offset = (int)(address - r.RemoteAddress);
            return true;
        }
        return false;
    }

    private FakeRegion Local(IRdmaMemoryRegion region) =>
        region is FakeRegion f && f.Owner == this ? f : throw new ArgumentException("region registered on another connection");

    private static bool InBounds(FakeRegion r, int offset, int length, out RdmaCompletionStatus status)
    {
        status = RdmaCompletionStatus.LocalProtectionError;
        return !r.Disposed && offset >= 0 && length >= 0 && (long)offset + length <= r.Bytes.Length;
    }

    private bool TakeInjected(RdmaOpcode op, out RdmaCompletionStatus status)
    {
        if (_injected.Remove(op, out status)) return true;
        status = RdmaCompletionStatus.Success;
        return false;
    }

    private void CompleteSendQueue(RdmaCompletion c)
    {
        // RC keeps send-queue completions in order, so once one is held, all later ones are held behind it.
        if (HoldSendCompletions || _heldSendCompletions.Count > 0) _heldSendCompletions.Enqueue(c);
        else _completions.Enqueue(c);
    }

    private void FailLocked(ulong id, RdmaOpcode op, RdmaCompletionStatus status)
    {
        CompleteSendQueue(new(id, op, status));
        BreakLocked();
    }

    private void BreakLocked()
    {
        foreach (var side in new[] { this, Peer })
        {
            if (side._broken) continue;
            side._broken = true;
            while (side._heldSendCompletions.TryDequeue(out var h)) side._completions.Enqueue(h);
            while (side._receives.TryDequeue(out var r)) side._completions.Enqueue(new(r.Id, RdmaOpcode.Receive, RdmaCompletionStatus.Flushed));
            side._completions.Enqueue(new(0, RdmaOpcode.Disconnected, RdmaCompletionStatus.Success));
        }
    }

    private Action? TakeNotifyIfReady()
    {
        if (_completions.Count == 0 || _notify is null) return null;
        var n = _notify;
        _notify = null;
        return n;
    }

    internal void Deregister(FakeRegion region)
    {
        lock (_gate) _regions.Remove(region.LocalKey);
    }

    internal void Invalidate(FakeRegion region)
    {
        lock (_gate) region.Valid = false;
    }

    internal sealed class FakeRegion(FakeRdmaConnection owner, byte[] bytes, RdmaAccess access, uint localKey, uint remoteKey, ulong remoteAddress)
        : IRdmaMemoryRegion
    {
        public FakeRdmaConnection Owner => owner;
        public byte[] Bytes => bytes;
        public bool Valid { get; set; } = true;
        public bool Disposed { get; private set; }
        public Memory<byte> Memory => bytes;
        public int Length => bytes.Length;
        public RdmaAccess Access => access;
        public uint LocalKey => localKey;
        public uint RemoteKey => remoteKey;
        public ulong RemoteAddress => remoteAddress;
        public bool RemoteKeyValid => Valid && !Disposed && remoteKey != 0;
        public void InvalidateRemoteKey() => owner.Invalidate(this);

        public void Dispose()
        {
            if (Disposed) return;
            Disposed = true;
            owner.Deregister(this);
        }
    }
}
