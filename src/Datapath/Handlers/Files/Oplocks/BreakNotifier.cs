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
/// break notification) on the connection that owns the open's session: the FSA calls it from whichever thread
/// caused the break, and it only posts the work to that connection's owner, which writes and sends the frame.
/// Immutable.
/// </summary>
internal sealed class BreakNotifier(Smb2Connection connection, Smb2Session session, TreeConnect tree, FileId fileId)
    : IOplockBreakSink
{
    public void SendBreak(CachingGrant grant, CachingState current, CachingState breakTo, bool ackRequired)
    {
        var post = connection.Post;
        if (post is null) return;
        // Copied now, under the table lock: the grant may move on before the owner runs.
        bool isLease = grant.IsLease;
        var leaseKey = grant.LeaseKey;
        ushort epoch = grant.LeaseVersion >= 2 ? grant.Epoch : (ushort)0;
        post(c => Send(c, isLease, leaseKey, epoch, current, breakTo, ackRequired));
    }

    private void Send(Smb2Connection c, bool isLease, Guid leaseKey, ushort epoch, CachingState current,
        CachingState breakTo, bool ackRequired)
    {
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
        c.Outbox.Enqueue(buffer.CompleteFrame().ToArray());
    }
}
