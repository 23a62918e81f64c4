using System.Buffers;
using System.Threading.Tasks.Sources;

namespace FastSmb.Datapath.CoreLoops;

/// <summary>
/// One reusable awaitable ring operation (a connection's receive, or its send): no allocation per operation. Its
/// continuation runs synchronously on the loop thread that reaped the completion (the connection's owner continues
/// inline, as on the socket engine with inline completions). At most one in flight.
/// </summary>
internal sealed class RingOperation : IValueTaskSource<int>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<int> _core; // RunContinuationsAsynchronously = false: inline on the loop

    /// <summary>Keeps the managed buffer the kernel reads or writes still until the completion.</summary>
    public MemoryHandle Pin;
    public bool InFlight;
    public bool CancelRequested;
    public CancellationToken Token;

    public short Start(CancellationToken token)
    {
        _core.Reset();
        InFlight = true;
        CancelRequested = false;
        Token = token;
        return _core.Version;
    }

    public void Succeed(int result)
    {
        Release();
        _core.SetResult(result);
    }

    public void Fail(Exception error)
    {
        Release();
        _core.SetException(error);
    }

    private void Release()
    {
        InFlight = false;
        Pin.Dispose();
        Pin = default;
    }

    public int GetResult(short token) => _core.GetResult(token);
    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
