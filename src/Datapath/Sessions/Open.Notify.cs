using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa.Notify;
using FastSmb.Protocol;

namespace FastSmb.Datapath.Sessions;

public sealed partial class Open
{
    /// <summary>[MS-FSA] 2.1.5.11: the change-notify watch this directory open set up with its first CHANGE_NOTIFY.</summary>
    internal NotifyWatch? Watch { get; set; }

    /// <summary>CHANGE_NOTIFY requests waiting for a change, oldest first, with their OutputBufferLength.</summary>
    internal List<(AsyncOperation Operation, uint OutputBufferLength)>? PendingNotifies { get; set; }

    internal bool HasPendingNotifies => PendingNotifies is { Count: > 0 };

    /// <summary>
    /// The directory is closing ([MS-SMB2] 3.3.5.10, [MS-FSA] 2.1.5.4): waiting CHANGE_NOTIFY requests complete with
    /// STATUS_NOTIFY_CLEANUP and the watch goes.
    /// </summary>
    private void EndNotify()
    {
        if (Watch is null) return;
        File!.Volume.ChangeNotifier.Remove(Watch);
        Watch = null;
        if (PendingNotifies is not { Count: > 0 } pending) return;
        var connection = Tree.Session.Connection;
        foreach (var (operation, _) in pending.ToArray())
            AsyncResponder.Complete(connection, operation, NtStatus.NotifyCleanup,
                body => Protocol.Smb2.Commands.ChangeNotifyResponse.Write(body, default));
        pending.Clear();
    }
}
