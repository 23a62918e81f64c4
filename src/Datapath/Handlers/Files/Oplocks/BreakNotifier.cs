using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa.Oplocks;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files.Oplocks;

/// <summary>
/// Sends the breaks of one SMB open's oplock or lease ([MS-SMB2] 3.3.4.6 oplock break notification, 3.3.4.7 lease
/// break notification) to the client of the open's session: on the connection that opened it while that one lives,
/// else on any other live channel of the session (multichannel: "the server MUST send the notification on any
/// available connection in Session.ChannelList", as Windows does when a channel fails). The FSA calls it from
/// whichever thread caused the break; the frame is built and queued under the session's gate (the opening
/// connection's, which its client's channels share): by posting to that connection's owner while it lives, else by
/// taking the gate asynchronously, since the thread causing the break may hold it (a conflicting open on another
/// channel of the same client). A durable open's notifier is retargeted when the open reconnects
/// (BreakNotifier.Durable.cs), and closes the open when it is disconnected.
/// </summary>
internal sealed partial class BreakNotifier(Smb2Connection connection, Smb2Session session, TreeConnect tree, FileId fileId)
    : IOplockBreakSink
{
    public void SendBreak(CachingGrant grant, CachingState current, CachingState breakTo, bool ackRequired)
    {
        if (CloseIfDisconnected()) return;
        var (connection, session, tree, fileId) = Target;
        var post = connection.Post;
        if (post is null) return; // a connection without an owner (unit tests)
        // Copied now, under the table lock: the grant may move on before the frame is built.
        bool isLease = grant.IsLease;
        var leaseKey = grant.LeaseKey;
        ushort epoch = grant.LeaseVersion >= 2 ? grant.Epoch : (ushort)0;
        Func<Smb2Connection, byte[]> build = c => Build(c, isLease, leaseKey, epoch, current, breakTo, ackRequired);
        if (isLease && ToClientsOldestConnection(connection, session, tree, build)) return;
        // The opening connection alive: its owner sends the break ahead of the responses that follow (Samba's
        // smb2.lease.rename_wait reads the break from its next request's I/O). Posted work is dropped once that
        // connection is gone, so then the break takes the gate itself and goes on another channel.
        if (!connection.IsClosed) post(c => session.SendOnAnyLiveChannel(build, preferred: c));
        else _ = SendOnAnotherChannelAsync(build);
    }

    /// <summary>
    /// A lease belongs to the client, not to one connection ([MS-SMB2] 3.3.1.13: keyed by ClientGuid): as Samba, its
    /// break goes on the client's oldest live connection when the client has several (same ClientGuid), whichever
    /// opened the file. A frame that must be encrypted stays with its own session's channels.
    /// </summary>
    private static bool ToClientsOldestConnection(Smb2Connection opener, Smb2Session session, TreeConnect tree,
        Func<Smb2Connection, byte[]> build)
    {
        if (session.Encryptor is not null && (session.EncryptData || tree.EncryptData)) return false;
        if (opener.Client?.OldestLive() is not { } oldest || oldest == opener || oldest.Post is not { } post) return false;
        post(c =>
        {
            c.Outbox.Enqueue(build(c));
            c.WakeOwner();
        });
        return true;
    }

    private async Task SendOnAnotherChannelAsync(Func<Smb2Connection, byte[]> build)
    {
        var (connection, session, _, _) = Target;
        var gate = connection.Gate;
        try
        {
            await gate.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return; // the server is going
        }
        try
        {
            // A bound live channel; none left: the break is not sent, and the FSA's break timeout settles it
            // ([MS-SMB2] 3.3.2.1).
            session.SendOnAnyLiveChannel(build);
        }
        finally
        {
            gate.Release();
        }
    }

    private byte[] Build(Smb2Connection c, bool isLease, Guid leaseKey, ushort epoch, CachingState current,
        CachingState breakTo, bool ackRequired)
    {
        var (_, session, tree, fileId) = Target;
        using var buffer = new ResponseBuffer(256);
        buffer.BeginMessage();
        int written;
        if (isLease)
        {
            Span<byte> key = stackalloc byte[16];
            leaseKey.TryWriteBytes(key);
            // NewEpoch: "If Connection.Dialect is 3.x ... Lease.Epoch"; otherwise 0.
            written = LeaseBreakNotification.Write(buffer.GetBodySpan(LeaseBreakNotification.Size),
                c.Dialect.IsSmb3() ? epoch : (ushort)0, ackRequired ? LeaseBreakNotification.FlagAckRequired : 0, key,
                (uint)current, (uint)breakTo);
        }
        else
        {
            written = OplockBreakNotification.Write(buffer.GetBodySpan(OplockBreakNotification.Size),
                CachingGrant.ToOplockLevel(breakTo), fileId);
        }
        buffer.Advance(written);
        // MessageId 0xFFFFFFFFFFFFFFFF, SessionId and TreeId 0, no credits and no signature, as Windows and Samba
        // send it; encrypted when the session or the share requires encryption (3.3.4.1.4).
        Smb2Header.WriteResponse(buffer.CurrentMessage, Smb2Command.OplockBreak, NtStatus.Success, 0, 0,
            Smb2HeaderFlags.None, ulong.MaxValue, 0, 0);
        var encryptor = session.Encryptor;
        if (encryptor is not null && (session.EncryptData || tree.EncryptData))
            encryptor.Seal(buffer.GetTransformFrame(), session.SessionId);
        return buffer.CompleteFrame().ToArray();
    }
}
