using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Fsa.Notify;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.19 SMB2 CHANGE_NOTIFY: the first request on a directory open sets up its watch ([MS-FSA] 2.1.5.11:
/// filter, tree flag and buffer size stay those of that request); a request finds the changes buffered since the last
/// one, or waits (async, cancellable) for the next. Changes that do not fit the request's OutputBufferLength, or that
/// overflowed the watch's buffer, answer STATUS_NOTIFY_ENUM_DIR. Stateless; the watch lives on the <see cref="Open"/>.
/// </summary>
internal static class ChangeNotifyHandler
{
    /// <summary>The largest FILE_NOTIFY_INFORMATION chain an answer carries (the async responder's body limit).</summary>
    private const int MaxOutput = 64 * 1024 - ChangeNotifyResponse.FixedSize;

    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!ChangeNotifyRequest.TryParse(request.Message, out var notify)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, notify.FileId, out var open, out var file);
        if (status != NtStatus.Success) return status;
        // [MS-SMB2] 3.3.5.19: only a directory can be watched, within the negotiated transact size.
        if (!file.IsDirectory) return NtStatus.InvalidParameter;
        var connection = request.Connection;
        if (notify.OutputBufferLength > connection.MaxTransactSize) return NtStatus.InvalidParameter;
        // [MS-FSA] 2.1.5.11: watching needs FILE_LIST_DIRECTORY.
        if ((file.GrantedAccess & AccessMask.ReadData) == 0) return NtStatus.AccessDenied;

        var notifier = file.Volume.ChangeNotifier;
        open.Watch ??= notifier.Watch(file, notify.WatchTree, (NotifyFilter)notify.CompletionFilter, notify.OutputBufferLength,
            _ => connection.Post?.Invoke(c => Deliver(c, open)), kernel: open.Tree.KernelChangeNotify);
        if (open.Watch.DirectoryDeletePending) return NtStatus.DeletePending;
        if (!open.HasPendingNotifies && notifier.TryTake(open.Watch, out var changes, out bool overflowed))
        {
            var body = response.GetBodySpan(ChangeNotifyResponse.FixedSize + Room(notify.OutputBufferLength) + 1);
            status = Encode(body, changes, overflowed, notify.OutputBufferLength, out int written);
            response.Advance(written);
            return status;
        }

        var op = request.GoAsync();
        (open.PendingNotifies ??= new()).Add((op, notify.OutputBufferLength));
        op.OnCancel = () => open.PendingNotifies?.RemoveAll(p => p.Operation == op);
        return NtStatus.Pending;
    }

    /// <summary>As the connection's owner, after a change reached the watch: the oldest waiting request takes what is
    /// buffered.</summary>
    private static void Deliver(Smb2Connection connection, Open open)
    {
        if (open.Watch is not { } watch || open.PendingNotifies is not { Count: > 0 } pending) return;
        if (watch.DirectoryDeletePending)
        {
            foreach (var (waiting, _) in pending.ToArray()) AsyncResponder.Complete(connection, waiting, NtStatus.DeletePending, null);
            pending.Clear();
            return;
        }
        var notifier = open.File!.Volume.ChangeNotifier;
        if (!notifier.TryTake(watch, out var changes, out bool overflowed)) return;
        var (operation, length) = pending[0];
        pending.RemoveAt(0);
        var status = overflowed || Size(changes) > Room(length) ? NtStatus.NotifyEnumDir : NtStatus.Success;
        AsyncResponder.Complete(connection, operation, status, body =>
        {
            Encode(body, changes, overflowed, length, out int written);
            return written;
        });
    }

    private static int Room(uint outputBufferLength) => (int)Math.Min(outputBufferLength, (uint)MaxOutput);

    private static int Size(FileChange[] changes)
    {
        int total = 0;
        foreach (var change in changes) total += ChangeNotifier.EntrySize(change);
        return total;
    }

    /// <summary>The response body: the FILE_NOTIFY_INFORMATION chain, or an empty buffer with STATUS_NOTIFY_ENUM_DIR
    /// when the changes overflowed or do not fit <paramref name="outputBufferLength"/> ([MS-SMB2] 3.3.5.19).</summary>
    private static NtStatus Encode(Span<byte> body, FileChange[] changes, bool overflowed, uint outputBufferLength, out int written)
    {
        int room = Room(outputBufferLength);
        if (!overflowed && Size(changes) <= room)
        {
            var writer = new FileNotifyInformationWriter(body.Slice(ChangeNotifyResponse.FixedSize, room));
            bool fits = true;
            foreach (var change in changes)
                fits &= writer.TryAdd((FileNotifyAction)change.Action, change.Name);
            if (fits)
            {
                ChangeNotifyResponse.WriteHeader(body, (uint)writer.Length);
                written = ChangeNotifyResponse.FixedSize + Math.Max(1, writer.Length);
                if (writer.Length == 0) body[ChangeNotifyResponse.FixedSize] = 0;
                return NtStatus.Success;
            }
        }
        written = ChangeNotifyResponse.Write(body, default);
        return NtStatus.NotifyEnumDir;
    }
}
