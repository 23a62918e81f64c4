namespace FastSmb.Datapath.CoreLoops;

/// <summary>
/// The server's core loops, one per configured core, loop <c>i</c> pinned to CPU <c>i</c> (modulo the CPUs the
/// machine has). A new connection is placed once, on the loop with the fewest connections, and stays there.
/// </summary>
public sealed class CoreLoopGroup : IDisposable
{
    private readonly CoreLoop[] _loops;

    public CoreLoopGroup(int cores, CoreLoopOptions options, Action<Exception> onError, bool pin = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 1);
        _loops = new CoreLoop[cores];
        try
        {
            for (int i = 0; i < cores; i++)
                _loops[i] = new CoreLoop(i, pin ? i % Environment.ProcessorCount : null, options, onError);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<CoreLoop> Loops => _loops;

    /// <summary>The loop with the fewest open connections (the lowest index on a tie), counted as placed on it.</summary>
    public CoreLoop Place()
    {
        // Called by the one accepting thread per listener; a race between two listeners at worst places two
        // connections on the same loop, which placement tolerates (it balances, it does not partition).
        var best = _loops[0];
        for (int i = 1; i < _loops.Length; i++)
            if (_loops[i].ConnectionCount < best.ConnectionCount) best = _loops[i];
        best.ConnectionPlaced();
        return best;
    }

    public void Dispose()
    {
        foreach (var loop in _loops) loop?.Dispose();
    }
}
