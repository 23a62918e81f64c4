namespace FastSmb.Datapath.Identity;

/// <summary>
/// Puts the calling thread back to the server's own credentials for the length of the scope, then restores the
/// user's identity it had: for work a handler does inside its request's <see cref="IdentityScope"/> that is the
/// server's, not the user's — above all the state store, whose FASTER devices open and create their segment files
/// lazily on whichever thread happens to trigger a flush, and which queue thread-pool work that may start a worker
/// thread (a thread inherits the creator's credentials for good). Run as the user, the store's own files under the
/// data dir are not writable: a flush fails, FASTER's allocator waits for it forever, and every thread that writes
/// the store hangs behind it (the CA-share wedge of issue 8). Costs nothing when the thread already runs as the server.
/// </summary>
public ref struct ServerIdentityScope
{
    private UnixIdentity? _restore;

    public static ServerIdentityScope Enter()
    {
        var scope = new ServerIdentityScope();
        if (!ThreadCredentials.CanSwitch) return scope;
        var current = ThreadCredentials.CurrentIdentity;
        if (ReferenceEquals(current, ThreadCredentials.Server)) return scope;
        ThreadCredentials.Apply(ThreadCredentials.Server);
        scope._restore = current;
        return scope;
    }

    /// <summary>For the store's own threads (its commit loop, its checkpoint timer) before they touch its files: a
    /// thread-pool thread started from inside a user's scope would otherwise open them as that user.</summary>
    public static void EnsureServerThread()
    {
        if (ThreadCredentials.CanSwitch && !ReferenceEquals(ThreadCredentials.CurrentIdentity, ThreadCredentials.Server))
            ThreadCredentials.Apply(ThreadCredentials.Server);
    }

    public void Dispose()
    {
        if (_restore is not { } identity) return;
        _restore = null;
        ThreadCredentials.Apply(identity);
    }
}
