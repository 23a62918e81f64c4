using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using FastSmb.SmbDirect.Rdma;
using FastSmb.Protocol;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.SmbDirect;

/// <summary>
/// One SMB Direct connection ([MS-SMBD] 3.1) over an <see cref="IRdmaConnection"/>: negotiation, send/receive
/// credits, fragmentation and reassembly of upper-layer messages, keep-alive, and the RDMA read/write the SMB2
/// READ/WRITE handlers use. Owned by its own loop task, which alone touches the queue pair and the credit state;
/// callers on any thread hand it work through a command queue and await the result. Receives are reposted as soon as
/// their bytes are copied to the reassembly buffer, so the credits granted never exceed the receives posted.
/// </summary>
public sealed partial class SmbDirectConnection : IAsyncDisposable
{
    private const ulong KindReceive = 1UL << 32, KindSend = 2UL << 32, KindRdma = 3UL << 32, KindMask = 0xFFFFFFFFUL << 32;

    private readonly IRdmaConnection _qp;
    private readonly SmbDirectOptions _options;
    private readonly IRdmaMemoryRegion _receiveRegion;
    private readonly IRdmaMemoryRegion _sendRegion;
    private readonly int _receiveSlotSize;
    private readonly Stack<int> _freeSendSlots = new();
    private readonly Channel<byte[]> _messages = Channel.CreateUnbounded<byte[]>(new() { SingleWriter = true });
    private readonly ConcurrentQueue<Command> _commands = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Queue<PendingSend> _sendQueue = new();
    private readonly Queue<RdmaOperation> _rdmaQueue = new();
    private readonly RdmaCompletion[] _polled = new RdmaCompletion[64];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private readonly IRdmaMemoryRegion _dataRegion;
    private SmbDirectParameters _p = null!;

    // [MS-SMBD] 3.1.1.1 per-connection credit state.
    private int _sendCredits;
    private int _receiveCredits;        // credits granted to the peer and not yet used by it
    private int _receiveCreditTarget;   // what the peer last asked for
    private int _receivesPosted;
    private bool _sendImmediate;

    private byte[]? _reassembly;
    private int _reassembled;
    private long _expectedRemaining;

    private KeepaliveState _keepalive;
    private TimeSpan _idleDeadline;
    private uint _invalidateOnNextSend;
    private ulong _rdmaSequence;
    private volatile string? _disconnectReason;

    private enum KeepaliveState { None, Pending, Sent }

    private SmbDirectConnection(IRdmaConnection qp, SmbDirectOptions options)
    {
        _qp = qp;
        _options = options;
        _receiveSlotSize = options.MaxReceiveSize;
        _receiveRegion = qp.RegisterMemory(_receiveSlotSize * options.ReceiveCreditMax, RdmaAccess.LocalWrite);
        int sendSlots = Math.Clamp(options.SendCreditTarget, 1, qp.Capabilities.MaxSendWorkRequests / 2);
        _sendRegion = qp.RegisterMemory(options.MaxSendSize * sendSlots, RdmaAccess.LocalWrite);
        for (int i = sendSlots - 1; i >= 0; i--) _freeSendSlots.Push(i);
        // Registered before the loop starts (providers are not called from two threads): the READ/WRITE handlers
        // fill and drain it through IRdmaDataPath.Staging while the loop moves it.
        _dataRegion = qp.RegisterMemory(options.MaxReadWriteSize, RdmaAccess.LocalWrite);
    }

    /// <summary>The settled limits; valid once negotiation succeeded.</summary>
    public SmbDirectParameters Parameters => _p;
    public IRdmaConnection QueuePair => _qp;
    /// <summary>Why the connection ended (null while it is up).</summary>
    public string? DisconnectReason => _disconnectReason;
    public bool IsConnected => _disconnectReason is null;
    /// <summary>A snapshot of the send credits, for tests and diagnostics (written by the loop).</summary>
    public int SendCredits => Volatile.Read(ref _sendCredits);
    public int ReceiveCredits => Volatile.Read(ref _receiveCredits);
    /// <summary>Data transfer messages sent and received since negotiation (fragments, credit grants, keep-alives).</summary>
    public long MessagesSent { get; private set; }
    public long MessagesReceived { get; private set; }
    /// <summary>Completes when the loop has stopped.</summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    /// <summary>Listener side: waits for the Negotiate Request, answers, and starts the connection's loop.</summary>
    public static async Task<SmbDirectConnection> AcceptAsync(IRdmaConnection qp, SmbDirectOptions options, CancellationToken cancellationToken)
    {
        var c = new SmbDirectConnection(qp, options);
        try
        {
            await c.NegotiateAsServerAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        c.Start();
        return c;
    }

    /// <summary>Initiator side (src/Client and tests): sends the Negotiate Request, checks the response, starts the loop.</summary>
    public static async Task<SmbDirectConnection> ConnectAsync(IRdmaConnection qp, SmbDirectOptions options, CancellationToken cancellationToken)
    {
        var c = new SmbDirectConnection(qp, options);
        try
        {
            await c.NegotiateAsClientAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        c.Start();
        return c;
    }

    /// <summary>The next whole upper-layer message, reassembled; null once the connection is down.</summary>
    public async ValueTask<byte[]?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _messages.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Sends one upper-layer message, fragmented to the negotiated MaxSendSize. Completes when every fragment is
    /// posted (the bytes are copied by then). A message over the peer's MaxFragmentedSize is a local error (3.1.5.5).
    /// </summary>
    public Task SendMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (message.Length > _p.MaxFragmentedSendSize)
            throw new ArgumentException($"message of {message.Length} bytes exceeds the peer's MaxFragmentedSize {_p.MaxFragmentedSendSize}");
        var send = new PendingSend(message);
        Enqueue(new Command(send, null));
        return send.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the next message sent a send-with-invalidate of <paramref name="token"/>: how the response to a READ/WRITE
    /// with SMB2_CHANNEL_RDMA_V1_INVALIDATE revokes the client's registration ([MS-SMB2] 3.3.5.12/13, [MS-SMBD] 3.1.4.2).
    /// </summary>
    public void InvalidateOnNextSend(uint token) => Enqueue(new Command(null, null, token));

    /// <summary>Stops the connection (disconnect notification reaches the peer).</summary>
    public void Disconnect(string reason = "local disconnect") => Enqueue(new Command(null, null, 0, reason));

    internal void Enqueue(Command command)
    {
        if (_disconnectReason is not null)
        {
            command.Send?.Done.TrySetException(new IOException($"SMB Direct connection is down: {_disconnectReason}"));
            command.Rdma?.Done.TrySetResult(false);
            return;
        }
        _commands.Enqueue(command);
        _wake.Release();
    }

    private void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        _idleDeadline = _clock.Elapsed + _options.KeepaliveInterval;
        try
        {
            while (_disconnectReason is null)
            {
                bool progressed = ProcessCommands();
                int n = _qp.PollCompletions(_polled);
                for (int i = 0; i < n && _disconnectReason is null; i++) OnCompletion(_polled[i]);
                if (_disconnectReason is not null) break;
                PumpRdma();
                PumpSends();
                CheckKeepalive();
                if (n > 0 || progressed) continue;
                _qp.RequestNotification(Wake);
                var wait = _idleDeadline - _clock.Elapsed;
                if (wait > TimeSpan.Zero)
                    await _wake.WaitAsync(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Fail("connection disposed");
        }
        catch (Exception e)
        {
            Fail("internal error: " + e.Message);
            throw;
        }
        finally
        {
            TearDown();
        }
    }

    private void Wake() => _wake.Release();

    private bool ProcessCommands()
    {
        bool any = false;
        while (_commands.TryDequeue(out var c))
        {
            any = true;
            if (c.DisconnectReason is not null) { Fail(c.DisconnectReason); return true; }
            if (c.Invalidate != 0) _invalidateOnNextSend = c.Invalidate;
            if (c.Send is not null) _sendQueue.Enqueue(c.Send);
            if (c.Rdma is not null) _rdmaQueue.Enqueue(c.Rdma);
        }
        return any;
    }

    private void OnCompletion(in RdmaCompletion c)
    {
        switch (c.Opcode)
        {
            case RdmaOpcode.Disconnected:
                Fail("the peer disconnected");
                return;
            case RdmaOpcode.Receive:
                _receivesPosted--;
                // Flushed receives precede the Disconnected event when the peer leaves (or an RC error broke the pair).
                if (c.Status == RdmaCompletionStatus.Flushed) { Fail("the peer disconnected"); return; }
                if (c.Status != RdmaCompletionStatus.Success) { Fail($"receive failed: {c.Status}"); return; }
                OnReceive((int)(c.WorkRequestId & 0xFFFFFFFF), c.ByteLength);
                return;
            case RdmaOpcode.Send:
                if (c.Status != RdmaCompletionStatus.Success) { Fail($"send failed: {c.Status}"); return; }
                _freeSendSlots.Push((int)(c.WorkRequestId & 0xFFFFFFFF));
                return;
            default:
                OnRdmaCompletion(c);
                return;
        }
    }

    /// <summary>[MS-SMBD] 3.1.5.8 Receiving a Data Transfer Message.</summary>
    private void OnReceive(int slot, int length)
    {
        var bytes = _receiveRegion.Memory.Span.Slice(slot * _receiveSlotSize, length);
        if (!SmbDirectDataTransfer.TryParse(bytes, out var m)) { Fail("malformed data transfer message"); return; }
        if (m.CreditsRequested == 0) { Fail("CreditsRequested is 0"); return; }
        if ((long)m.DataLength + m.RemainingDataLength > _p.MaxFragmentedReceiveSize) { Fail("DataLength + RemainingDataLength exceeds MaxFragmentedSize"); return; }
        if (_receiveCredits == 0) { Fail("the peer sent without a send credit"); return; }
        MessagesReceived++;
        _receiveCredits--;
        _receiveCreditTarget = Math.Min(m.CreditsRequested, (ushort)_options.ReceiveCreditMax);
        _sendCredits += m.CreditsGranted;
        if ((m.Flags & SmbDirectFlags.ResponseRequested) != 0) _sendImmediate = true;
        // Anything from the peer proves it alive: the keep-alive cycle starts over.
        _keepalive = KeepaliveState.None;
        _idleDeadline = _clock.Elapsed + _options.KeepaliveInterval;

        if (m.DataLength != 0 || m.RemainingDataLength != 0)
        {
            if (_reassembly is null)
            {
                _reassembly = new byte[m.DataLength + m.RemainingDataLength];
                _reassembled = 0;
            }
            else if (m.DataLength + (long)m.RemainingDataLength != _expectedRemaining)
            {
                Fail("fragment lengths do not add up");
                return;
            }
            m.Data.CopyTo(_reassembly.AsSpan(_reassembled));
            _reassembled += m.Data.Length;
            _expectedRemaining = m.RemainingDataLength;
            if (m.RemainingDataLength == 0)
            {
                _messages.Writer.TryWrite(_reassembly);
                _reassembly = null;
            }
        }
        PostReceive(slot);
    }

    private bool PostReceive(int slot)
    {
        if (!_qp.TryPostReceive(KindReceive | (uint)slot, _receiveRegion, slot * _receiveSlotSize, _receiveSlotSize))
        {
            // Refused because the pair already broke (e.g. the fabric failed the peer's credit-less send with RNR).
            Fail(_qp.IsDisconnected ? "the peer disconnected" : "could not post a receive");
            return false;
        }
        _receivesPosted++;
        return true;
    }

    /// <summary>[MS-SMBD] 3.1.5.9 Managing Credits Prior to Sending: grant what is posted, up to what the peer asks for.</summary>
    private ushort NewCredits() =>
        (ushort)Math.Max(0, Math.Min(_receiveCreditTarget, _receivesPosted) - _receiveCredits);

    /// <summary>
    /// [MS-SMBD] 3.1.5.1 Sending Upper Layer Messages. Each message costs a send credit; the last credit is kept for a
    /// message that grants credits, so both sides can never be left waiting on each other. With nothing to send, an
    /// empty message goes out when the peer asked for a response or when the peer is down to half its credits.
    /// </summary>
    private void PumpSends()
    {
        while (_disconnectReason is null)
        {
            ushort grant = NewCredits();
            bool grantDue = grant > 0 && _receiveCredits <= _receiveCreditTarget / 2;
            bool keepalive = _keepalive == KeepaliveState.Pending;
            if (_sendQueue.Count == 0 && !_sendImmediate && !grantDue && !keepalive) return;
            if (_sendCredits == 0 || _freeSendSlots.Count == 0) return;
            if (_sendCredits == 1 && grant == 0) return;

            int slot = _freeSendSlots.Pop();
            var buf = _sendRegion.Memory.Span.Slice(slot * _options.MaxSendSize, _options.MaxSendSize);
            var flags = SmbDirectFlags.None;
            if (keepalive)
            {
                flags = SmbDirectFlags.ResponseRequested;
                _keepalive = KeepaliveState.Sent;
                _idleDeadline = _clock.Elapsed + _options.KeepaliveTimeout;
            }
            int length;
            uint invalidate = 0;
            if (_sendQueue.TryPeek(out var send))
            {
                int chunk = Math.Min(send.Message.Length - send.Sent, SmbDirectDataTransfer.MaxDataLength(_p.MaxSendSize));
                uint remaining = (uint)(send.Message.Length - send.Sent - chunk);
                int at = SmbDirectDataTransfer.WriteHeader(buf, (ushort)_options.SendCreditTarget, grant, flags, remaining, (uint)chunk);
                send.Message.Span.Slice(send.Sent, chunk).CopyTo(buf[at..]);
                length = at + chunk;
                send.Sent += chunk;
                if (send.Sent == send.Message.Length)
                {
                    _sendQueue.Dequeue();
                    invalidate = _invalidateOnNextSend;
                    _invalidateOnNextSend = 0;
                    send.Done.TrySetResult();
                }
            }
            else
            {
                length = SmbDirectDataTransfer.WriteHeader(buf, (ushort)_options.SendCreditTarget, grant, flags, 0, 0);
            }
            if (!_qp.TryPostSend(KindSend | (uint)slot, _sendRegion, slot * _options.MaxSendSize, length, invalidate))
            {
                Fail("could not post a send");
                return;
            }
            MessagesSent++;
            _sendCredits--;
            _receiveCredits += grant;
            _sendImmediate = false;
        }
    }

    /// <summary>[MS-SMBD] 3.1.6.2 Idle Connection Timer: ask for a response after an idle interval; no answer in time ends the connection.</summary>
    private void CheckKeepalive()
    {
        if (_clock.Elapsed < _idleDeadline) return;
        if (_keepalive == KeepaliveState.Sent)
        {
            Fail("keep-alive timed out");
            return;
        }
        if (_keepalive == KeepaliveState.None)
        {
            _keepalive = KeepaliveState.Pending;
            // If no credit lets it go out, the timeout still applies.
            _idleDeadline = _clock.Elapsed + _options.KeepaliveTimeout;
            PumpSends();
            if (_keepalive == KeepaliveState.Pending) _keepalive = KeepaliveState.Sent;
        }
    }

    private void Fail(string reason)
    {
        if (_disconnectReason is not null) return;
        _disconnectReason = reason;
        _qp.Disconnect();
        _messages.Writer.TryComplete();
        var error = new IOException($"SMB Direct connection is down: {reason}");
        while (_sendQueue.TryDequeue(out var s)) s.Done.TrySetException(error);
        while (_rdmaQueue.TryDequeue(out var r)) r.Done.TrySetResult(false);
        while (_commands.TryDequeue(out var c))
        {
            c.Send?.Done.TrySetException(error);
            c.Rdma?.Done.TrySetResult(false);
        }
        _wake.Release();
    }

    private void TearDown()
    {
        // Commands that raced with Fail.
        while (_commands.TryDequeue(out var c))
        {
            c.Send?.Done.TrySetException(new IOException("SMB Direct connection is down"));
            c.Rdma?.Done.TrySetResult(false);
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a stream wrapping the connection disposes it from both DisposeAsync and Dispose.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_loop is not null)
        {
            Enqueue(new Command(null, null, 0, "connection disposed"));
            try { await _loop.ConfigureAwait(false); } catch (Exception) { }
        }
        else
        {
            Fail("connection disposed");
        }
        _stop.Cancel();
        _qp.Dispose();
        _receiveRegion.Dispose();
        _sendRegion.Dispose();
        _dataRegion.Dispose();
        _stop.Dispose();
    }

    internal sealed class PendingSend(ReadOnlyMemory<byte> message)
    {
        public ReadOnlyMemory<byte> Message { get; } = message;
        public int Sent { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal sealed record Command(PendingSend? Send, RdmaOperation? Rdma, uint Invalidate = 0, string? DisconnectReason = null);
}
