using FastSmb.Datapath.State;
using FastSmb.Fsa;

namespace FastSmb.Datapath.Sessions;

public sealed partial class DurableOpenTable
{
    /// <summary>
    /// Restart recovery of a persistent open ([MS-SMB2] 3.3.5.9.12 after a server restart, as a CA cluster node takes
    /// over): the control plane has reopened the file (<paramref name="file"/>, with its share mode and byte-range
    /// locks) from the open_global record; the open comes back disconnected, reclaimable by a DH2C of its owner with
    /// its CreateGuid and FileId until <see cref="OpenGlobalRecord.DisconnectedUntilUtcTicks"/> (the store set it to
    /// restart + timeout), when the scavenger closes it and its record goes. It belongs to no live session: a detached
    /// session and tree connect stand in for the ones that died with the process.
    /// </summary>
    public DurableOpen AddRecovered(OpenGlobalRecord record, string shareName, IFsaVolume volume, FsaOpen file)
    {
        var session = new Smb2Session(record.SessionId, null!) { State = SessionState.Expired, DurableOpens = this };
        var tree = new TreeConnect(0, session, shareName, isPipe: false, share: shareName)
        {
            Volume = volume, ContinuouslyAvailable = true,
        };
        var open = new Open(new Protocol.Smb2.Commands.FileId(record.PersistentFileId, record.VolatileFileId), tree,
            record.Path, file) { GrantedAccess = record.GrantedAccess, TracksLockSequences = true };
        var durable = new DurableOpen(this, open, record.PersistentFileId)
        {
            CreateGuid = record.CreateGuid, IsPersistent = true, ClientGuid = record.ClientGuid,
            AppInstanceId = record.AppInstanceId, Owner = record.Owner, TimeoutMs = record.DurableTimeoutMs,
            RecoveredLeaseKey = record.OplockLevel == Protocol.Smb2.Commands.OplockLevel.Lease ? record.LeaseKey : null,
        };
        open.Durable = durable;
        _opens[durable.PersistentId] = durable;
        if (durable.CreateGuid != Guid.Empty) _byCreateGuid[durable.CreateGuid] = durable;
        var until = record.DisconnectedUntilUtcTicks > 0
            ? new DateTime(record.DisconnectedUntilUtcTicks, DateTimeKind.Utc)
            : DateTime.UtcNow.AddMilliseconds(record.DurableTimeoutMs);
        durable.TryDisconnect(until, static d => Expire((DurableOpen)d!));
        return durable;
    }
}
