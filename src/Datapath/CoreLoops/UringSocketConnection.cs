using System.Net;
using System.Net.Sockets;
using FastSmb.Datapath.IoUring;
using FastSmb.Datapath.Transport;

namespace FastSmb.Datapath.CoreLoops;

/// <summary>
/// A TCP connection whose receives and sends go through its core loop's io_uring (IORING_OP_RECV/SEND on the
/// socket's fd), so the loop waits for all its connections in one io_uring_enter. The <see cref="Socket"/> object only
/// keeps the fd alive and closes it; .NET's socket engine never sees it (the socket stays in blocking mode, so
/// io_uring arms its internal poll instead of returning -EAGAIN to us).
/// <para>
/// Used by its owner on the loop thread; a call from another thread (the owner resumed elsewhere, e.g. after waiting
/// for a multichannel client's gate) hops to the loop first. Cancellation of an operation in flight is an
/// IORING_OP_ASYNC_CANCEL; the operation ends only when its own completion (-ECANCELED, or its data if it won the
/// race) is reaped, so the buffer it was given is never written after the caller has it back.
/// </para>
/// </summary>
public sealed unsafe class UringSocketConnection : ITransportConnection, IOwnerScheduler, IRingOperationOwner
{
    private const byte ReceiveKind = 0;
    private const byte SendKind = 1;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly CoreLoop _loop;
    private readonly RingOperation _receive = new();
    private readonly RingOperation _send = new();
    private readonly Action _cancelOnLoop;
    private int _slot = -1;
    private CancellationToken _registeredToken;
    private CancellationTokenRegistration _registration;
    private bool _disposed;

    // The part of a send not yet accepted by the kernel (a send may be short even with MSG_WAITALL on a signal).
    private byte* _sendNext;
    private int _sendLeft;

    /// <summary>Takes over <paramref name="socket"/>, placed on <paramref name="loop"/> (counted there until disposed).</summary>
    public UringSocketConnection(Socket socket, CoreLoop loop)
    {
        _socket = socket;
        _loop = loop;
        socket.Blocking = true;
        _fd = (int)socket.Handle;
        RemoteEndPoint = socket.RemoteEndPoint;
        LocalEndPoint = socket.LocalEndPoint;
        _cancelOnLoop = CancelInFlight;
    }

    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint { get; }
    public CoreLoop Loop => _loop;

    /// <summary>Runs <paramref name="work"/> on this connection's loop.</summary>
    public void Schedule(Action work) => _loop.Post(work);

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_loop.IsLoopThread)
            return new ValueTask<int>(_loop.Run(() => ReceiveAsync(buffer, cancellationToken).AsTask()));
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_receive.InFlight) throw new InvalidOperationException("a receive is already in flight on this connection");
        EnsureRegistered(cancellationToken);
        short version = _receive.Start(cancellationToken);
        _receive.Pin = buffer.Pin();
        Queue(_loop.Ring.Receive(_fd, (byte*)_receive.Pin.Pointer, buffer.Length, CoreLoop.UserData(_slot, ReceiveKind)));
        return new ValueTask<int>(_receive, version);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_loop.IsLoopThread)
            return new ValueTask(_loop.Run(() => SendAsync(data, cancellationToken).AsTask()));
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.IsEmpty) return ValueTask.CompletedTask;
        if (_send.InFlight) throw new InvalidOperationException("a send is already in flight on this connection");
        EnsureRegistered(cancellationToken);
        short version = _send.Start(cancellationToken);
        _send.Pin = data.Pin();
        _sendNext = (byte*)_send.Pin.Pointer;
        _sendLeft = data.Length;
        QueueSend();
        return new ValueTask(_send, version);
    }

    private void QueueSend() =>
        // MSG_WAITALL: the kernel retries short stream sends itself (io_uring, 5.19+); MSG_NOSIGNAL: EPIPE, not SIGPIPE.
        Queue(_loop.Ring.Send(_fd, _sendNext, _sendLeft, CoreLoop.UserData(_slot, SendKind),
            MessageFlags.WaitAll | MessageFlags.NoSignal));

    void IRingOperationOwner.OnCompletion(byte kind, in IoCompletion completion)
    {
        var operation = kind == ReceiveKind ? _receive : _send;
        if (!operation.InFlight) return;
        int result = completion.Result;
        if (result == -Errno.ECANCELED || (result == -Errno.EINTR && operation.CancelRequested))
        {
            operation.Fail(operation.CancelRequested && operation.Token.IsCancellationRequested
                ? new OperationCanceledException(operation.Token)
                : new SocketException((int)SocketError.OperationAborted));
            return;
        }
        if (result < 0)
        {
            operation.Fail(new SocketException((int)SocketError.SocketError, $"{(kind == ReceiveKind ? "recv" : "send")}: errno {-result}"));
            return;
        }
        if (kind == SendKind)
        {
            _sendNext += result;
            _sendLeft -= result;
            if (_sendLeft > 0 && result > 0 && !operation.CancelRequested)
            {
                QueueSend();
                return;
            }
            if (_sendLeft > 0)
            {
                operation.Fail(new SocketException((int)SocketError.ConnectionReset, "send: the peer accepts no more data"));
                return;
            }
            operation.Succeed(0);
            return;
        }
        operation.Succeed(result);
    }

    private void EnsureRegistered(CancellationToken cancellationToken)
    {
        if (_slot < 0) _slot = _loop.Register(this);
        // One registration per token, not per operation: the owner passes the same token to every call.
        if (cancellationToken.CanBeCanceled && !cancellationToken.Equals(_registeredToken))
        {
            _registration.Dispose();
            _registeredToken = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static state => ((UringSocketConnection)state!).OnCancelled(), this);
        }
    }

    private void OnCancelled() => _loop.Post(_cancelOnLoop);

    private void CancelInFlight()
    {
        if (_slot < 0) return;
        CancelIfInFlight(_receive, ReceiveKind);
        CancelIfInFlight(_send, SendKind);
    }

    private void CancelIfInFlight(RingOperation operation, byte kind)
    {
        if (!operation.InFlight || operation.CancelRequested || !operation.Token.IsCancellationRequested) return;
        operation.CancelRequested = true;
        Queue(_loop.Ring.Cancel(CoreLoop.UserData(_slot, kind), CoreLoop.IgnoredUserData));
    }

    private void Queue(bool queued)
    {
        // False only when the kernel's completion backlog is full: reap and try again is the loop's business; from
        // here the connection cannot wait, so it fails and the owner drops it.
        if (!queued) throw new SocketException((int)SocketError.NoBufferSpaceAvailable, "io_uring submission queue full");
    }

    public ValueTask DisposeAsync()
    {
        if (!_loop.IsLoopThread)
            return new ValueTask(_loop.Run(() => DisposeAsync().AsTask()));
        if (_disposed) return ValueTask.CompletedTask;
        _disposed = true;
        _registration.Dispose();
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
        // Nothing is in flight here (the owner awaited every operation); a late completion finds the slot empty.
        if (_slot >= 0) _loop.Unregister(_slot);
        _slot = -1;
        _loop.ConnectionGone();
        return ValueTask.CompletedTask;
    }
}
