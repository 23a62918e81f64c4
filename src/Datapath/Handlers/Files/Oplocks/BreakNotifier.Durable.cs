using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files.Oplocks;

internal sealed partial class BreakNotifier
{
    /// <summary>Where breaks go: the open's connection, session, tree connect and FileId as the client knows them.</summary>
    internal sealed record Destination(Smb2Connection Connection, Smb2Session Session, TreeConnect Tree, FileId FileId);

    private Destination _target = new(connection, session, tree, fileId);

    /// <summary>Read from whichever thread breaks; replaced whole (one reference) when a durable open reconnects.</summary>
    internal Destination Target => Volatile.Read(ref _target);

    /// <summary>The durable open this notifier's open became (null for others).</summary>
    internal DurableOpen? Durable { get; set; }

    /// <summary>[MS-SMB2] 3.3.5.9.7 / 3.3.5.9.12: the open reconnected — its breaks go to the new connection, with
    /// the FileId the reconnect handed out.</summary>
    internal void Retarget(Smb2Connection connection, Smb2Session session, TreeConnect tree, FileId fileId) =>
        Volatile.Write(ref _target, new Destination(connection, session, tree, fileId));

    /// <summary>
    /// A disconnected durable open cannot be told of a break ([MS-SMB2] 3.3.4.6/3.3.4.7: no connection to send it
    /// on), so, as Windows and Samba do, the open is closed instead (smb2.durable-open.oplock, .lease, .open: the
    /// other client's open goes through at once and the reconnect then fails). The close runs off the FSA's lock;
    /// it releases the grant, which wakes the open that waits for the break.
    /// </summary>
    private bool CloseIfDisconnected()
    {
        if (Durable is not { IsDisconnected: true } durable) return false;
        ThreadPool.UnsafeQueueUserWorkItem(static d => d.Table.CloseDisconnected(d), durable, preferLocal: false);
        return true;
    }
}
