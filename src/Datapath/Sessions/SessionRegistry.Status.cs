using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Sessions.Status;

namespace FastSmb.Datapath.Sessions;

public sealed partial class SessionRegistry
{
    /// <summary>How long <see cref="SnapshotAsync"/> waits for the connections' owners by default.</summary>
    public static readonly TimeSpan DefaultSnapshotTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A copy of every session, tree connect and open, for `fastsmb status`. Safe from any thread (the admin socket's).
    /// <para>
    /// How it is taken without touching the request path: a session's trees, opens and channels are plain collections
    /// that only its owner mutates, under its connection's gate, with no locks inside them — as the core loops keep all
    /// per-connection state. So the copy of each session is a message to its owner (<see cref="Smb2Connection.Post"/>,
    /// the same way a lock grant or a break reaches another connection): it runs between two requests of that
    /// connection, on its core loop, and reads a consistent state. Requests pay nothing: no lock, no version counter, no
    /// copy while nobody asks; a `status` costs each connection one posted work item. A per-session lock-free snapshot
    /// kept current by every CREATE and CLOSE would be the alternative, but it would put an allocation and a publish on
    /// the hot path for a command run by hand. A disconnected durable open has no owner; it is copied from
    /// <see cref="DurableOpenTable"/> under its entry's lock.
    /// </para>
    /// <para>
    /// Not atomic across sessions (as smbstatus is not): each session is copied at its own moment. A session whose
    /// connection is closing, or whose owner does not answer within <paramref name="timeout"/>, is left out and counted
    /// in <see cref="ServerStatus.SessionsNotReached"/>.
    /// </para>
    /// </summary>
    public async Task<ServerStatus> SnapshotAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        int notReached = 0;
        var pending = new List<Task<SessionCapture?>>();
        foreach (var session in _sessions.Values)
        {
            if (LiveConnectionOf(session) is not { Post: { } post })
            {
                notReached++;
                continue;
            }
            var done = new TaskCompletionSource<SessionCapture?>(TaskCreationOptions.RunContinuationsAsynchronously);
            post(_ =>
            {
                try
                {
                    // Logged off meanwhile: no longer in the registry, not shown.
                    done.TrySetResult(TryGet(session.SessionId, out var current) && current == session
                        ? session.CaptureStatus(DateTime.UtcNow) : null);
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            });
            pending.Add(done.Task);
        }
        try
        {
            await Task.WhenAll(pending).WaitAsync(timeout ?? DefaultSnapshotTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Those not done by now are counted below.
        }

        var sessions = new List<SessionStatus>();
        var trees = new List<TreeConnectStatus>();
        var opens = new List<OpenStatus>();
        foreach (var task in pending)
        {
            if (!task.IsCompletedSuccessfully) { notReached++; continue; }
            if (task.Result is not { } capture) continue;
            sessions.Add(capture.Session);
            trees.AddRange(capture.Trees);
            opens.AddRange(capture.Opens);
        }
        var now = DateTime.UtcNow;
        AddDisconnectedDurableOpens(now, opens);
        sessions.Sort((a, b) => a.CreatedAtUtc.CompareTo(b.CreatedAtUtc));
        return new ServerStatus(now, sessions, trees, opens) { SessionsNotReached = notReached };
    }

    /// <summary>The disconnected durable opens; one that a session copied while it was still connected is replaced by
    /// its disconnected record, which is newer.</summary>
    private void AddDisconnectedDurableOpens(DateTime utcNow, List<OpenStatus> opens)
    {
        foreach (var durable in Durable.Opens)
        {
            if (durable.CaptureIfDisconnected(utcNow) is not { } status) continue;
            opens.RemoveAll(o => o.Durable && o.PersistentFileId == status.PersistentFileId);
            opens.Add(status);
        }
    }

    /// <summary>A connection of <paramref name="session"/> that still has an owner: the one that created it, else any
    /// bound channel. The channel list is the owner's, read here without its gate, so a concurrent change may make the
    /// read fail: the session is then reported as not reached rather than read under a lock.</summary>
    private static Smb2Connection? LiveConnectionOf(Smb2Session session)
    {
        if (!session.Connection.IsClosed) return session.Connection;
        try
        {
            foreach (var channel in session.Channels.ToArray())
                if (channel is { IsBound: true, Connection.IsClosed: false }) return channel.Connection;
        }
        catch (ArgumentException)
        {
        }
        return null;
    }
}
