using FASTER.core;

namespace FastSmb.Control.State;

/// <summary>
/// The FasterLog that makes persistent opens durable before their CREATE response: callers append an entry and
/// await a commit that covers it. Group commit: one background loop issues the commits; every entry appended while
/// a commit is in flight waits for the next one, so one fsync serves all the CREATEs that arrived meanwhile
/// (<see cref="Commits"/> counts the commits issued, for the tests and the benchmark).
/// Thread-safe: any thread may append; the loop is the only committer.
/// </summary>
public sealed class OpenCommitLog : IAsyncDisposable
{
    private readonly IDevice _device;
    private readonly FasterLog _log;
    private readonly Lock _gate = new();
    private List<TaskCompletionSource> _waiting = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _commits;
    private volatile bool _holdForTests;

    public OpenCommitLog(string directory, int segmentSizeBits = 26)
    {
        Directory.CreateDirectory(directory);
        _device = Devices.CreateLogDevice(Path.Combine(directory, "opens.log"), preallocateFile: false,
            deleteOnClose: false, recoverDevice: true);
        _log = new FasterLog(new FasterLogSettings
        {
            LogDevice = _device,
            PageSizeBits = 16,
            MemorySizeBits = 20,
            SegmentSizeBits = segmentSizeBits,
            LogCommitDir = Path.Combine(directory, "commits"),
            // A torn entry at the tail is detected, not replayed as a record.
            LogChecksum = LogChecksumType.PerEntry,
            RemoveOutdatedCommits = true,
        });
        _loop = Task.Run(CommitLoopAsync);
    }

    /// <summary>Commits issued so far (each one a device flush and a metadata write).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>The address the next entry gets: everything appended so far lies below it.</summary>
    public long TailAddress => _log.TailAddress;

    public long BeginAddress => _log.BeginAddress;

    /// <summary>Tests only: commits stop until cleared, so entries can be caught appended but not yet committed.</summary>
    internal bool HoldCommitsForTests
    {
        get => _holdForTests;
        set
        {
            _holdForTests = value;
            if (!value) _wake.Release();
        }
    }

    /// <summary>Appends the entry and completes once a commit covering it is on stable storage.</summary>
    public Task AppendAndCommitAsync(ReadOnlySpan<byte> entry)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Under the gate, so the loop's swap of the waiting list cannot fall between the append and the enlisting:
        // every waiter the loop takes was appended before the commit it then issues.
        lock (_gate)
        {
            _log.Enqueue(entry);
            _waiting.Add(done);
        }
        _wake.Release();
        return done.Task;
    }

    /// <summary>Appends without waiting; the entry is committed with the next group commit.</summary>
    public void Append(ReadOnlySpan<byte> entry)
    {
        lock (_gate) _log.Enqueue(entry);
        _wake.Release();
    }

    private async Task CommitLoopAsync()
    {
        var token = _stop.Token;
        while (true)
        {
            try
            {
                await _wake.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            while (_wake.CurrentCount > 0) _wake.Wait(0);
            if (_holdForTests) continue;
            // The commit may open a new segment file: as the server, whichever pool thread this continuation runs on.
            Datapath.Identity.ServerIdentityScope.EnsureServerThread();
            List<TaskCompletionSource> batch;
            lock (_gate)
            {
                batch = _waiting;
                _waiting = [];
            }
            try
            {
                await _log.CommitAsync(token).ConfigureAwait(false);
                Interlocked.Increment(ref _commits);
                foreach (var w in batch) w.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var w in batch) w.TrySetException(e);
                if (token.IsCancellationRequested) return;
            }
        }
    }

    /// <summary>Every committed entry from <paramref name="from"/> on, in log order (recovery).</summary>
    public IEnumerable<(long Address, byte[] Entry)> ReadCommitted(long from)
    {
        long begin = Math.Max(from, _log.BeginAddress);
        long end = _log.CommittedUntilAddress;
        if (begin >= end) yield break;
        using var it = _log.Scan(begin, end);
        while (it.GetNext(out byte[] entry, out int length, out long address))
            yield return (address, length == entry.Length ? entry : entry[..length]);
    }

    /// <summary>Drops entries below <paramref name="address"/> (a checkpoint covers them), at the next commit.</summary>
    public void TruncateBefore(long address) => _log.TruncateUntilPageStart(address);

    /// <summary>Tests only: stops without committing what is pending, as a crash would (in-process crash tests).</summary>
    internal async ValueTask AbandonForTestsAsync()
    {
        _holdForTests = true;
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var w in _waiting) w.TrySetCanceled();
            _waiting = [];
        }
        _log.Dispose();
        _device.Dispose();
    }

    /// <summary>Commits what is pending (shutdown), then stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        _holdForTests = false;
        List<TaskCompletionSource> batch;
        lock (_gate)
        {
            batch = _waiting;
            _waiting = [];
        }
        try
        {
            await _log.CommitAsync().ConfigureAwait(false);
            foreach (var w in batch) w.TrySetResult();
        }
        catch (Exception e)
        {
            foreach (var w in batch) w.TrySetException(e);
        }
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _log.Dispose();
        _device.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
