using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa.Oplocks;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files.Oplocks;

/// <summary>
/// [MS-SMB2] 3.3.5.22 SMB2 OPLOCK_BREAK from the client: an oplock break acknowledgment (2.2.24.1, 24 bytes,
/// answered by 2.2.25.1) or a lease break acknowledgment (2.2.24.2, 36 bytes, answered by 2.2.25.2). The FSA's
/// state machine decides; the waiting CREATEs it releases complete on their own connections. Stateless.
/// </summary>
internal static class OplockBreakHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (request.Tree!.IsPipe) return NtStatus.InvalidParameter;
        if (OplockBreakAcknowledgment.TryParse(request.Message, out var oplockAck)) return AcknowledgeOplock(ref request, oplockAck, response);
        if (LeaseBreakAcknowledgment.TryParse(request.Message, out var leaseAck)) return AcknowledgeLease(ref request, leaseAck, response);
        return NtStatus.InvalidParameter;
    }

    private static NtStatus AcknowledgeOplock(ref Smb2Request request, OplockBreakAcknowledgment ack, ResponseBuffer response)
    {
        var status = FileOpens.Find(ref request, ack.FileId, out var open, out var file);
        if (status != NtStatus.Success) return status;
        // 3.3.5.22.1: the client acknowledges with level II or none; anything else is not an oplock level to go to.
        byte level = ack.OplockLevel;
        if (level is not (OplockLevel.None or OplockLevel.II)) return NtStatus.InvalidParameter;
        status = file.Volume.ShareModes.AcknowledgeOplock(file, CachingGrant.FromOplockLevel(level), out var granted);
        if (status != NtStatus.Success) return status;
        response.Advance(OplockBreakResponse.Write(response.GetBodySpan(OplockBreakResponse.Size),
            CachingGrant.ToOplockLevel(granted), open.FileId));
        return NtStatus.Success;
    }

    private static NtStatus AcknowledgeLease(ref Smb2Request request, LeaseBreakAcknowledgment ack, ResponseBuffer response)
    {
        // 3.3.5.22.2: leases are a 2.1+ feature; the lease is the client's (ClientGuid + LeaseKey).
        if (request.Connection.Dialect is Protocol.Smb2.Smb2Dialect.Smb202) return NtStatus.NotSupported;
        var volume = request.Tree!.Volume;
        if (volume is null) return NtStatus.ObjectNameNotFound;
        var key = new Guid(ack.LeaseKey);
        var status = volume.ShareModes.AcknowledgeLease(request.Connection.ClientGuid, key,
            (CachingState)(ack.LeaseState & 7), out _);
        if (status != NtStatus.Success) return status;
        response.Advance(LeaseBreakResponse.Write(response.GetBodySpan(LeaseBreakResponse.Size), ack.LeaseKey, ack.LeaseState));
        return NtStatus.Success;
    }
}
