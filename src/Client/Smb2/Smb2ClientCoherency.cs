using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Client.Smb2;

/// <summary>
/// LOCK ([MS-SMB2] 3.2.4.19) and CHANGE_NOTIFY (3.2.4.22) from the client side. Both may be answered with an interim
/// STATUS_PENDING: unlike <see cref="Smb2ClientConnection.SendAsync"/>'s default, these return that interim one (the
/// caller may CANCEL it by its AsyncId), and the final one arrives through <see cref="Smb2ClientConnection.ReceiveAsync"/>.
/// </summary>
public static class Smb2ClientCoherency
{
    /// <summary>Sends one LOCK request with <paramref name="locks"/> and returns the first response to it.</summary>
    public static Task<Smb2Response> LockAsync(this Smb2ClientConnection c, uint treeId, FileId fileId,
        uint lockSequence, params LockElement[] locks) =>
        c.SendAsync(Smb2Command.Lock, body => LockRequest.Write(body, lockSequence, fileId, locks), treeId, returnInterim: true);

    /// <summary>Locks or unlocks one range; returns the status of the first response (STATUS_PENDING if it waits).</summary>
    public static async Task<NtStatus> LockRangeAsync(this Smb2ClientConnection c, uint treeId, FileId fileId,
        ulong offset, ulong length, uint flags) =>
        (await c.LockAsync(treeId, fileId, 0, new LockElement(offset, length, flags)).ConfigureAwait(false)).Status;

    /// <summary>Sends a CHANGE_NOTIFY on the directory <paramref name="directory"/>.</summary>
    public static Task<Smb2Response> ChangeNotifyAsync(this Smb2ClientConnection c, uint treeId, FileId directory,
        uint completionFilter, bool watchTree = false, uint outputBufferLength = 4096) =>
        c.SendAsync(Smb2Command.ChangeNotify, body => ChangeNotifyRequest.Write(body,
            watchTree ? ChangeNotifyRequest.FlagWatchTree : (ushort)0, outputBufferLength, directory, completionFilter),
            treeId, returnInterim: true);
}
