namespace FastSmb.Datapath.Connections;

/// <summary>
/// Counts connections that have not authenticated yet, server-wide, so a flood of idle connections cannot exhaust
/// the server while authenticated clients keep working. Thread-safe.
/// </summary>
public sealed class UnauthenticatedConnections(int limit)
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Admits one more unauthenticated connection, or refuses when the limit is reached.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _count) <= limit) return true;
        Interlocked.Decrement(ref _count);
        return false;
    }

    /// <summary>The connection authenticated or closed: called exactly once per admitted connection.</summary>
    public void Leave() => Interlocked.Decrement(ref _count);
}
