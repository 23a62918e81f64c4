using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// Runs a file system call that may block for long off the connection's owner ([MS-SMB2] 3.3.4.2: a request that
/// cannot complete at once gets an interim STATUS_PENDING). The call goes to the connection's
/// <see cref="BlockingCallPool"/>; if it finishes within the pool's bound the handler answers as usual, otherwise
/// the request goes async and its final response is written by <paramref name="writeBody"/> when the call ends.
/// CANCEL abandons it (STATUS_CANCELLED) only while it has not started. A request inside a compound, or on a
/// connection without a pool, runs the call inline, as before. Stateless.
/// </summary>
internal static class BlockingCalls
{
    /// <summary>The call's status, or <see cref="NtStatus.Pending"/> when the request went async (the caller returns
    /// it as is).</summary>
    public static NtStatus Run(ref Smb2Request request, Func<NtStatus> call, AsyncResponder.BodyWriter writeBody)
    {
        var pool = request.Connection.BlockingCalls;
        // A compound's commands answer together (and a related one needs this one's outcome): those stay inline.
        if (pool is null || request.Connection.Post is null || request.IsRelated || request.Header.NextCommand != 0)
            return call();
        var blocking = new BlockingCall(call, request.Tree?.UnixIdentity);
        pool.Enqueue(blocking);
        if (blocking.TryFinishWithin(pool.InterimAfter)) return blocking.Result;
        var operation = request.GoAsync();
        blocking.CompleteLater(request.Connection, operation, (connection, op, status) =>
            AsyncResponder.Complete(connection, op, status, status.IsError() ? null : writeBody));
        return NtStatus.Pending;
    }
}
