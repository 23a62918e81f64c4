using System.Collections.Concurrent;
using FastSmb.Datapath.Identity;
using FastSmb.Protocol;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// Dedicated threads for file system calls that may block for long (an fsync with much dirty data, a hung network
/// file system under the share), so that the connection's owner keeps serving its other requests meanwhile: the
/// handler queues a <see cref="BlockingCall"/>, waits <see cref="InterimAfter"/> for it, and if it has not finished
/// goes async ([MS-SMB2] 3.3.4.2 interim STATUS_PENDING) and completes it when the call posts its result back to the
/// owner. Samba does the same with its pthreadpool (fsync, and its async I/O) and answers an interim response after
/// 500 µs. The threads are started with the pool, outside any request, and put themselves back to the server's
/// credentials first, so no user's identity ever leaks into them; each call runs under its own request's identity.
/// Shared by every connection of a server; thread-safe.
/// </summary>
public sealed class BlockingCallPool : IDisposable
{
    /// <summary>The pool of servers built without one of their own: four threads, interim after 1 ms.</summary>
    public static BlockingCallPool Shared { get; } = new(4, TimeSpan.FromMilliseconds(1));

    private readonly BlockingCollection<BlockingCall> _queue = new();

    public BlockingCallPool(int threads, TimeSpan interimAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        InterimAfter = interimAfter;
        for (int i = 0; i < threads; i++)
            new Thread(Run) { IsBackground = true, Name = $"fastsmb-blocking-{i}" }.Start();
    }

    /// <summary>How long a handler waits for its call before it answers STATUS_PENDING.</summary>
    public TimeSpan InterimAfter { get; }

    internal void Enqueue(BlockingCall call) => _queue.Add(call);

    private void Run()
    {
        // A thread inherits its creator's file system credentials: whoever started the pool, these run as the server.
        if (ThreadCredentials.CanSwitch) ThreadCredentials.Apply(ThreadCredentials.Server);
        try
        {
            foreach (var call in _queue.GetConsumingEnumerable()) call.Execute();
        }
        catch (ObjectDisposedException)
        {
            // the pool was disposed while a thread waited for work
        }
    }

    /// <summary>Stops taking calls; the threads end once the queue is empty.</summary>
    public void Dispose() => _queue.CompleteAdding();
}

/// <summary>
/// One file system call run on a <see cref="BlockingCallPool"/> thread under its request's identity. Until a thread
/// takes it, CANCEL may abandon it (<see cref="TryAbandon"/>); once it runs it cannot be stopped, and a CANCEL leaves
/// it to complete normally, as Windows completes an I/O request that can no longer be cancelled. The owner and the
/// pool thread meet under the call's lock, and whichever comes second completes the operation, exactly once: the owner
/// attaching the async operation to a call already finished completes it at once, the pool thread finishing a call
/// already attached posts the completion to the owner.
/// </summary>
internal sealed class BlockingCall(Func<NtStatus> work, UnixIdentity? identity)
{
    private enum State { Queued, Running, Finished, Abandoned }

    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _finished = new();
    private State _state;
    private Connections.Smb2Connection? _connection;
    private AsyncOperation? _operation;
    private Action<Connections.Smb2Connection, AsyncOperation, NtStatus>? _complete;

    /// <summary>The call's outcome, once <see cref="TryFinishWithin"/> said it finished.</summary>
    public NtStatus Result { get; private set; }

    /// <summary>Runs the call on a pool thread (nothing when CANCEL abandoned it first).</summary>
    internal void Execute()
    {
        lock (_lock)
        {
            if (_state == State.Abandoned) return;
            _state = State.Running;
        }
        NtStatus result;
        try
        {
            using (IdentityScope.Enter(identity))
                result = work();
        }
        catch (ObjectDisposedException)
        {
            result = NtStatus.FileClosed; // its open was closed while the call waited
        }
        catch (Exception)
        {
            result = NtStatus.InternalError; // a bug must not take the pool thread (and the process) down
        }
        bool deliver;
        lock (_lock)
        {
            Result = result;
            _state = State.Finished;
            deliver = _operation is not null;
        }
        _finished.Set();
        if (deliver) Deliver();
    }

    /// <summary>Waits at most <paramref name="bound"/> for the call; true when it finished (then read <see cref="Result"/>).</summary>
    public bool TryFinishWithin(TimeSpan bound) => _finished.Wait(bound);

    /// <summary>
    /// The request went async: <paramref name="complete"/> runs on the connection's owner when the call finishes
    /// (at once if it finished meanwhile). CANCEL of <paramref name="operation"/> abandons the call only while
    /// it is still queued. Call on the connection's owner.
    /// </summary>
    public void CompleteLater(Connections.Smb2Connection connection, AsyncOperation operation,
        Action<Connections.Smb2Connection, AsyncOperation, NtStatus> complete)
    {
        operation.TryCancel = TryAbandon;
        bool deliver;
        lock (_lock)
        {
            _connection = connection;
            _complete = complete;
            _operation = operation;
            deliver = _state == State.Finished;
        }
        // Finished meanwhile: complete here, on the owner. The final response waits in the outbox until the interim
        // one is sent, and nothing is posted from inside the request's identity scope.
        if (deliver) complete(connection, operation, Result);
    }

    /// <summary>True when the call had not started and now never will.</summary>
    public bool TryAbandon()
    {
        lock (_lock)
        {
            if (_state != State.Queued) return false;
            _state = State.Abandoned;
            return true;
        }
    }

    private void Deliver()
    {
        var operation = _operation!;
        var complete = _complete!;
        var result = Result;
        _connection!.Post?.Invoke(connection =>
        {
            if (!operation.IsCompleted) complete(connection, operation, result);
        });
    }
}
