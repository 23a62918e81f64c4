using FastSmb.Datapath.Sessions.Status;

namespace FastSmb.Datapath.Sessions;

public sealed partial class DurableOpen
{
    /// <summary>Whether the open is disconnected and until when, read together under the entry's lock (a reconnect or
    /// the scavenger may change both at any time).</summary>
    internal (bool Disconnected, DateTime Until) CapturePhase()
    {
        lock (_lock) return (_phase == Phase.Disconnected, DisconnectedUntil);
    }

    /// <summary>A record of this open while it is disconnected (no owner: the admin thread reads it), else null. The
    /// old session and tree connect are gone, so SessionId and TreeId are 0; the owner is the user who may reclaim it.</summary>
    internal OpenStatus? CaptureIfDisconnected(DateTime utcNow)
    {
        if (!CapturePhase().Disconnected) return null;
        var status = Open.CaptureStatus(utcNow, 0, 0, Owner, "");
        return status.Disconnected ? status : null;
    }
}
