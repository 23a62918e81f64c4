namespace FastSmb.Datapath.Identity;

/// <summary>
/// Runs the file system calls of one request as its user: entered by the dispatcher around the handler of a
/// request on a disk tree, on the thread that runs it (handlers are synchronous), and disposed when the handler
/// returns or throws, which puts the thread back to <see cref="ThreadCredentials.Server"/>. Nothing else may run
/// on the thread in between; a handler that continued elsewhere would lose the identity, so none does. A thread
/// started inside the scope inherits the user's credentials for good (clone copies them), so a handler must not
/// start threads, or queue work that could make the thread pool start one, from inside the scope.
/// </summary>
public ref struct IdentityScope
{
    private bool _switched;

    /// <summary>Switches the calling thread to <paramref name="identity"/>; does nothing for null, or when the
    /// server cannot switch (<see cref="ThreadCredentials.CanSwitch"/>), or when it is the server's own.</summary>
    public static IdentityScope Enter(UnixIdentity? identity)
    {
        var scope = new IdentityScope();
        if (identity is null || !ThreadCredentials.CanSwitch || identity.Equals(ThreadCredentials.Server)) return scope;
        try
        {
            ThreadCredentials.Apply(identity);
        }
        catch
        {
            ThreadCredentials.Apply(ThreadCredentials.Server);
            throw;
        }
        scope._switched = true;
        return scope;
    }

    public void Dispose()
    {
        if (!_switched) return;
        _switched = false;
        ThreadCredentials.Apply(ThreadCredentials.Server);
    }
}
