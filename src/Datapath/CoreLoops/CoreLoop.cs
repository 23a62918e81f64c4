using System.Collections.Concurrent;
using System.Diagnostics;
using FastSmb.Datapath.IoUring;

namespace FastSmb.Datapath.CoreLoops;

/// <summary>
/// One pinned core loop: a dedicated thread, pinned to one CPU with sched_setaffinity, that owns an
/// <see cref="IoRing"/> and the connections placed on it. It waits in one place, io_uring_enter, for the socket
/// receives and sends of all its connections (and for messages from other threads, which arrive through the ring's
/// wake eventfd), runs what completed inline (the connection's <see cref="Connections.ConnectionOwner"/> continues on
/// this thread), and goes back to wait. An idle loop sleeps in the kernel; with <see cref="CoreLoopOptions.BusyPoll"/>
/// it first polls the completion queue for that long, trading a CPU for wake-up latency.
/// <para>
/// Everything that touches the ring runs on this thread: the ring is created with IORING_SETUP_SINGLE_ISSUER |
/// IORING_SETUP_DEFER_TASKRUN (kernel 6.1), so completions are processed only when this thread waits, with no
/// inter-processor interrupts. Other threads reach a loop only by <see cref="Post"/> (a queue plus one eventfd write).
/// </para>
/// </summary>
public sealed class CoreLoop : IDisposable
{
    /// <summary>user_data for operations whose completion nobody waits for (cancellations).</summary>
    internal const ulong IgnoredUserData = 0xFFFF_FFFF_FFFF_FFF0;

    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly List<IRingOperationOwner?> _owners = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly CoreLoopOptions _options;
    private readonly Action<Exception> _onError;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _started = new();
    private Exception? _startFailure;
    private IoRing? _ring;
    private volatile bool _stopping;
    private int _connections;

    public CoreLoop(int index, int? cpu, CoreLoopOptions options, Action<Exception> onError)
    {
        Index = index;
        Cpu = cpu;
        _options = options;
        _onError = onError;
        Files = new RingFileIo(this, options);
        _thread = new Thread(Run) { IsBackground = true, Name = $"fastsmb core {index}" };
        _thread.Start();
        _started.Wait();
        if (_startFailure is not null)
            throw new InvalidOperationException($"core loop {index} could not start: {_startFailure.Message}", _startFailure);
    }

    public int Index { get; }

    /// <summary>The CPU the loop asked to be pinned to (null: not pinned).</summary>
    public int? Cpu { get; }

    /// <summary>Whether the kernel accepted the pinning.</summary>
    public bool Pinned { get; private set; }

    /// <summary>Connections placed on this loop and not yet closed (read by placement on the accepting thread).</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>True on the loop's own thread: the only thread that may use <see cref="Ring"/>.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>The loop's ring; loop thread only.</summary>
    internal IoRing Ring
    {
        get
        {
            Debug.Assert(IsLoopThread);
            return _ring!;
        }
    }

    /// <summary>The loop's file I/O (io_uring reads into its registered buffers); used on the loop thread only.</summary>
    internal RingFileIo Files { get; }

    public void ConnectionPlaced() => Interlocked.Increment(ref _connections);
    public void ConnectionGone() => Interlocked.Decrement(ref _connections);

    /// <summary>Runs <paramref name="work"/> on the loop thread, in order with other posted work. Thread-safe.</summary>
    public void Post(Action work)
    {
        _posted.Enqueue(work);
        // A post from the loop itself is picked up before the loop waits again: no wake needed.
        if (!IsLoopThread) _ring?.Wake();
    }

    /// <summary>Starts <paramref name="start"/> on the loop thread and returns the task it returns.</summary>
    public Task Run(Func<Task> start)
    {
        var started = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { started.SetResult(start()); }
            catch (Exception e) { started.SetException(e); }
        });
        return started.Task.Unwrap();
    }

    /// <summary>Starts <paramref name="start"/> on the loop thread and returns the task it returns.</summary>
    public Task<T> Run<T>(Func<Task<T>> start)
    {
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { started.SetResult(start()); }
            catch (Exception e) { started.SetException(e); }
        });
        return started.Task.Unwrap();
    }

    /// <summary>A slot whose completions go to <paramref name="owner"/>; loop thread only.</summary>
    internal int Register(IRingOperationOwner owner)
    {
        Debug.Assert(IsLoopThread);
        if (_freeSlots.TryPop(out int slot))
        {
            _owners[slot] = owner;
            return slot;
        }
        _owners.Add(owner);
        return _owners.Count - 1;
    }

    internal void Unregister(int slot)
    {
        Debug.Assert(IsLoopThread);
        _owners[slot] = null;
        _freeSlots.Push(slot);
    }

    /// <summary>user_data for operation <paramref name="kind"/> (0..255) of the owner in <paramref name="slot"/>.</summary>
    internal static ulong UserData(int slot, byte kind) => ((ulong)(uint)slot << 8) | kind;

    private void Run()
    {
        try
        {
            if (Cpu is int cpu) Pinned = ThreadAffinity.PinCurrentThread(cpu);
            _ring = new IoRing(new IoRingOptions { Entries = _options.RingEntries, SingleIssuer = true });
        }
        catch (Exception e)
        {
            _startFailure = e;
            _started.Set();
            return;
        }
        _started.Set();
        var completions = new IoCompletion[128];
        try
        {
            while (true)
            {
                RunPosted();
                if (_stopping) break;
                int n = Wait(completions);
                for (int i = 0; i < n; i++)
                    Complete(in completions[i]);
            }
        }
        catch (Exception e)
        {
            _onError(e);
        }
        finally
        {
            // io_uring_queue_exit cancels what is still in flight; the loop's connections are gone by now.
            _ring.Dispose();
            Files.Dispose(); // after the ring: nothing reads into its buffers any more
        }
    }

    private int Wait(IoCompletion[] completions)
    {
        if (_options.BusyPoll > TimeSpan.Zero)
        {
            long until = Stopwatch.GetTimestamp() + (long)(_options.BusyPoll.TotalSeconds * Stopwatch.Frequency);
            do
            {
                int ready = _ring!.Reap(completions, waitMin: 0);
                if (ready > 0 || !_posted.IsEmpty || _stopping) return ready;
                Thread.SpinWait(20);
            } while (Stopwatch.GetTimestamp() < until);
        }
        // Sleeps in io_uring_enter(IORING_ENTER_GETEVENTS) until a completion, or Post's eventfd write, arrives.
        return _ring!.Reap(completions, waitMin: 1);
    }

    private void Complete(in IoCompletion completion)
    {
        if (completion.UserData == IgnoredUserData) return;
        int slot = (int)(completion.UserData >> 8);
        // A completion for a slot given up (its connection went) finds nobody: nothing waits for it any more.
        if ((uint)slot < (uint)_owners.Count && _owners[slot] is { } owner)
        {
            try
            {
                owner.OnCompletion((byte)completion.UserData, in completion);
            }
            catch (Exception e)
            {
                _onError(e);
            }
        }
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var work))
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                _onError(e);
            }
        }
    }

    /// <summary>Stops the loop after the work already posted and waits for its thread. Call after its connections closed.</summary>
    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _ring?.Wake();
        if (!IsLoopThread) _thread.Join(TimeSpan.FromSeconds(10));
        _started.Dispose();
    }
}

/// <summary>Receives the completions of the operations it queued on a <see cref="CoreLoop"/>'s ring.</summary>
internal interface IRingOperationOwner
{
    /// <summary>Called on the loop thread with the <c>kind</c> byte the operation's user_data carried.</summary>
    void OnCompletion(byte kind, in IoCompletion completion);
}

/// <summary>How the core loops run.</summary>
public sealed record CoreLoopOptions
{
    /// <summary>Submission queue entries per ring; the shim flushes a full queue, so this bounds batching, not connections.</summary>
    public int RingEntries { get; init; } = 256;

    /// <summary>How long an idle loop polls its completion queue before it sleeps in the kernel (zero: never polls).</summary>
    public TimeSpan BusyPoll { get; init; }

    /// <summary>Registered buffers per loop for READ data (<see cref="RingFileIo"/>), made at the loop's first READ;
    /// a READ that finds none free is served synchronously. Zero: READs are always synchronous.</summary>
    public int ReadBuffers { get; init; } = 32;

    /// <summary>Bytes of READ data each of those buffers holds; larger READs are served synchronously.</summary>
    public int ReadBufferSize { get; init; } = 1024 * 1024;
}
