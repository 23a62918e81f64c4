using System.Threading.Channels;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Client.Smb2;

/// <summary>
/// An oplock or lease break notification the server sent unsolicited ([MS-SMB2] 2.2.23.1 / 2.2.23.2, MessageId
/// 0xFFFFFFFFFFFFFFFF). For an oplock: <see cref="FileId"/> and <see cref="OplockLevel"/>; for a lease:
/// <see cref="LeaseKey"/>, the states and <see cref="NewEpoch"/>.
/// </summary>
public sealed record Smb2BreakNotification(bool IsLease, FileId FileId, byte OplockLevel, Guid LeaseKey,
    uint CurrentLeaseState, uint NewLeaseState, ushort NewEpoch, bool AckRequired)
{
    /// <summary>[MS-SMB2] 3.2.5.19: the unsolicited OPLOCK_BREAK message in <paramref name="message"/>, if it is one
    /// (the body's size tells an oplock break, 24, from a lease break, 44).</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out Smb2BreakNotification? notification)
    {
        notification = null;
        if (!Smb2Header.TryParse(message, out var header) || header.Command != Smb2Command.OplockBreak
            || header.MessageId != ulong.MaxValue) return false;
        if (LeaseBreakNotification.TryParse(message, out var lease))
        {
            notification = new Smb2BreakNotification(true, default, 0, new Guid(lease.LeaseKey), lease.CurrentLeaseState,
                lease.NewLeaseState, lease.NewEpoch, lease.AckRequired);
            return true;
        }
        if (OplockBreakNotification.TryParse(message, out var oplock))
        {
            // An oplock break to level II or none from a higher level always wants an acknowledgment (3.3.4.6).
            notification = new Smb2BreakNotification(false, oplock.FileId, oplock.OplockLevel, Guid.Empty, 0, 0, 0, true);
            return true;
        }
        return false;
    }
}

/// <summary>
/// Break notifications arriving on the connection: while a request is outstanding they are taken out of the way of
/// its response (when <see cref="CollectBreaks"/> is set) and queued on <see cref="Breaks"/> and raised as
/// <see cref="BreakReceived"/>; with none outstanding, <see cref="WaitForBreakAsync"/> reads the next one. The
/// acknowledgments are <see cref="AcknowledgeLeaseBreakAsync"/> and <see cref="AcknowledgeOplockBreakAsync"/>.
/// </summary>
public sealed partial class Smb2ClientConnection
{
    private readonly Channel<Smb2BreakNotification> _breaks = Channel.CreateUnbounded<Smb2BreakNotification>(
        new UnboundedChannelOptions { SingleWriter = true });

    /// <summary>Take break notifications out of the response stream of <see cref="SendAsync"/> (off by default:
    /// tests that read breaks with <see cref="ReceiveAsync"/> themselves keep seeing them there).</summary>
    public bool CollectBreaks { get; set; }

    /// <summary>The break notifications collected, in the order they arrived.</summary>
    public ChannelReader<Smb2BreakNotification> Breaks => _breaks.Reader;

    /// <summary>Raised on the thread that read a break notification, before it is queued on <see cref="Breaks"/>.</summary>
    public event Action<Smb2BreakNotification>? BreakReceived;

    /// <summary>Whether <paramref name="response"/> was a break notification, now collected.</summary>
    private bool CollectIfBreak(Smb2Response response)
    {
        if (!CollectBreaks || !Smb2BreakNotification.TryParse(response.Message, out var notification)) return false;
        BreakReceived?.Invoke(notification!);
        _breaks.Writer.TryWrite(notification!);
        return true;
    }

    /// <summary>
    /// The next break notification: one already collected, or the next message read from the connection, which must
    /// then have no request outstanding (the client runs one request at a time). Throws
    /// <see cref="InvalidDataException"/> if another message arrives instead.
    /// </summary>
    public async Task<Smb2BreakNotification> WaitForBreakAsync(CancellationToken cancellationToken = default)
    {
        if (_breaks.Reader.TryRead(out var queued)) return queued;
        cancellationToken.ThrowIfCancellationRequested();
        var response = await ReceiveAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!Smb2BreakNotification.TryParse(response.Message, out var notification))
            throw new InvalidDataException($"expected a break notification, got {response.Command} {response.Status}");
        BreakReceived?.Invoke(notification!);
        return notification!;
    }

    /// <summary>[MS-SMB2] 2.2.24.2 Lease Break Acknowledgment of <paramref name="leaseKey"/> at <paramref name="leaseState"/>
    /// (SMB2_LEASE_* bits, at most the state the break offered).</summary>
    public Task<Smb2Response> AcknowledgeLeaseBreakAsync(uint treeId, Guid leaseKey, uint leaseState)
    {
        var key = leaseKey.ToByteArray();
        return SendAsync(Smb2Command.OplockBreak, b => LeaseBreakAcknowledgment.Write(b, key, leaseState), treeId);
    }

    /// <summary>[MS-SMB2] 2.2.24.1 Oplock Break Acknowledgment of <paramref name="fileId"/> at <paramref name="oplockLevel"/>.</summary>
    public Task<Smb2Response> AcknowledgeOplockBreakAsync(uint treeId, FileId fileId, byte oplockLevel) =>
        SendAsync(Smb2Command.OplockBreak, b => OplockBreakAcknowledgment.Write(b, oplockLevel, fileId), treeId);
}
