using FastSmb.Datapath.Sessions.Status;
using FastSmb.Fsa.Oplocks;

namespace FastSmb.Datapath.Sessions;

public sealed partial class Open
{
    /// <summary>When the CREATE (or the durable reconnect) made this open (UTC), for `fastsmb status`.</summary>
    public DateTime OpenedAtUtc { get; } = DateTime.UtcNow;

    /// <summary>
    /// The open as a record. Called by its owner, or for a disconnected durable open (which has none) by the admin
    /// thread: what it reads is then either fixed at CREATE (name, access, share mode), a single reference or byte
    /// written elsewhere under another lock (the oplock or lease state: a stale value only shows the state of a moment
    /// earlier), or copied under its own lock (byte-range locks, the durable phase).
    /// </summary>
    internal OpenStatus CaptureStatus(DateTime utcNow, ulong sessionId, uint treeId, string user, string clientAddress)
    {
        var file = File;
        var grant = file?.Grant;
        var durable = Durable;
        var phase = durable?.CapturePhase() ?? default;
        var locks = file is null ? [] : file.ListLocks();
        var lockRecords = new LockStatus[locks.Count];
        for (int i = 0; i < locks.Count; i++) lockRecords[i] = new LockStatus(locks[i].Offset, locks[i].Length, locks[i].Exclusive);
        return new OpenStatus(sessionId, treeId, Tree.ShareName, Name, FileId.Persistent, FileId.Volatile)
        {
            User = user,
            ClientAddress = clientAddress,
            GrantedAccess = GrantedAccess,
            ShareAccess = file is null ? 0 : (uint)file.ShareAccess,
            IsDirectory = file?.IsDirectory ?? false,
            IsPipe = Pipe is not null,
            Caching = Describe(grant),
            LeaseKey = grant is { IsLease: true } ? grant.LeaseKey : null,
            Durable = durable is not null,
            Persistent = durable?.IsPersistent ?? false,
            DurableTimeoutMs = durable?.TimeoutMs ?? 0,
            Disconnected = phase.Disconnected,
            DisconnectedUntilUtc = phase.Disconnected ? phase.Until : null,
            TimeLeftMs = phase.Disconnected ? Math.Max(0, (long)(phase.Until - utcNow).TotalMilliseconds) : null,
            OpenedAtUtc = OpenedAtUtc,
            Locks = lockRecords,
        };
    }

    /// <summary>As smbstatus words it: the oplock level, or "lease(RWH)" with the lease's caching letters.</summary>
    internal static string Describe(CachingGrant? grant)
    {
        if (grant is null) return "none";
        var state = grant.State;
        if (grant.IsLease)
        {
            if (state == CachingState.None) return "lease()";
            return "lease(" + ((state & CachingState.Read) != 0 ? "R" : "") + ((state & CachingState.Write) != 0 ? "W" : "")
                + ((state & CachingState.Handle) != 0 ? "H" : "") + ")";
        }
        return CachingGrant.ToOplockLevel(state) switch
        {
            0x09 => "batch",
            0x08 => "exclusive",
            0x01 => "level2",
            _ => "none",
        };
    }
}
