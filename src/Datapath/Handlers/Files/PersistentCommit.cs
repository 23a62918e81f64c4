using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// Holds back a response until a state-store commit is durable: a CREATE granting a persistent handle ([MS-SMB2]
/// 3.3.5.9.10: the open is recorded on stable storage before the response) and a LOCK or UNLOCK on one. The response
/// body is already written; when the commit (the store's group commit, docs/state.md) has not completed yet the
/// request goes async (interim STATUS_PENDING) and the body is sent as its final response from the connection's owner
/// once the commit is done, so the core loop never waits for a disk flush. Stateless.
/// </summary>
internal static class PersistentCommit
{
    /// <summary>
    /// <see cref="NtStatus.Success"/> when the commit is already durable (the response goes out as written), else
    /// <see cref="NtStatus.Pending"/> (the caller returns it as is). <paramref name="parked"/> is the operation of a
    /// CREATE that already went async waiting for breaks. <paramref name="onFailure"/> undoes what the request did when
    /// the commit fails (the answer is then STATUS_INSUFFICIENT_RESOURCES).
    /// </summary>
    public static NtStatus Respond(ref Smb2Request request, ResponseBuffer response, ValueTask commit,
        AsyncOperation? parked, bool mayWaitInChain, Action<Smb2Connection>? onFailure)
    {
        if (commit.IsCompletedSuccessfully) return NtStatus.Success;
        var connection = request.Connection;
        // Without an owner to post the answer to, or mid-compound for a command that may not go async there
        // (Smb2Dispatcher.MayWaitInChain), the request waits for the commit in place.
        if (connection.Post is null || (parked is null && !mayWaitInChain && request.Header.NextCommand != 0))
        {
            try
            {
                commit.AsTask().GetAwaiter().GetResult();
                return NtStatus.Success;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                onFailure?.Invoke(connection);
                return NtStatus.InsufficientResources;
            }
        }
        byte[] body = response.CurrentMessage.Slice(Smb2Header.Size, response.BodyLength).ToArray();
        var op = parked ?? request.GoAsync();
        op.CompoundFileId = request.CompoundFileId;
        response.DiscardBody();
        _ = Complete(connection, op, commit, body, onFailure);
        return NtStatus.Pending;
    }

    private static async Task Complete(Smb2Connection connection, AsyncOperation op, ValueTask commit, byte[] body,
        Action<Smb2Connection>? onFailure)
    {
        bool committed = true;
        try
        {
            await commit.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            committed = false;
        }
        connection.Post?.Invoke(c =>
        {
            if (committed)
            {
                AsyncResponder.Complete(c, op, NtStatus.Success, b =>
                {
                    body.CopyTo(b);
                    return body.Length;
                });
                return;
            }
            onFailure?.Invoke(c);
            AsyncResponder.Complete(c, op, NtStatus.InsufficientResources, null);
        });
    }
}
