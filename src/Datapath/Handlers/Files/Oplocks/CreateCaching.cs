using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Fsa.Oplocks;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files.Oplocks;

/// <summary>
/// The oplock and lease part of [MS-SMB2] 3.3.5.9 CREATE: what the request asks for (RequestedOplockLevel, the
/// SMB2_CREATE_REQUEST_LEASE(_V2) context), and what the response says was granted (OplockLevel, the
/// SMB2_CREATE_RESPONSE_LEASE(_V2) context). Stateless.
/// </summary>
internal static class CreateCaching
{
    /// <summary>
    /// Reads the request's oplock or lease ask. A lease counts only with RequestedOplockLevel
    /// SMB2_OPLOCK_LEVEL_LEASE, a dialect of 2.1 or later (3.3.5.9.8; v2 from 3.0, 3.3.5.9.11) and an "RqLs" context
    /// of a lease's length; otherwise, as in Windows, the open gets no lease and no oplock.
    /// </summary>
    public static CachingRequest Build(ref Smb2Request request, in CreateRequest create, CreateContextList contexts,
        FileId fileId, PendingRequest pending)
    {
        var connection = request.Connection;
        var sink = new BreakNotifier(connection, request.Session!, request.Tree!, fileId);
        bool overwrites = (CreateDisposition)create.CreateDisposition is CreateDisposition.Overwrite
            or CreateDisposition.OverwriteIf or CreateDisposition.Supersede;
        byte level = create.RequestedOplockLevel;
        if (level == OplockLevel.Lease)
        {
            bool leasing = connection.Dialect is not (Smb2Dialect.Smb202 or Smb2Dialect.Wildcard);
            if (leasing && contexts.TryFind("RqLs"u8, out var data)
                && LeaseContext.TryParse(data, connection.Dialect.IsSmb3(), out var lease))
            {
                return new CachingRequest
                {
                    IsLease = true,
                    Requested = (CachingState)(lease.LeaseState & 7),
                    ClientGuid = connection.ClientGuid,
                    LeaseKey = lease.LeaseKey,
                    ParentLeaseKey = (lease.LeaseFlags & LeaseContext.FlagParentLeaseKeySet) != 0 ? lease.ParentLeaseKey : Guid.Empty,
                    LeaseVersion = lease.Version,
                    Epoch = lease.Epoch,
                    Overwrites = overwrites,
                    Sink = sink,
                    OnBreaksDone = pending.Wake,
                    FirstAttempt = !pending.IsRetry,
                    KernelOplocks = request.Tree!.KernelOplocks,
                };
            }
            level = OplockLevel.None;
        }
        return new CachingRequest
        {
            Requested = CachingGrant.FromOplockLevel(level),
            Overwrites = overwrites,
            Sink = sink,
            OnBreaksDone = pending.Wake,
            FirstAttempt = !pending.IsRetry,
            KernelOplocks = request.Tree!.KernelOplocks,
        };
    }

    /// <summary>The response's OplockLevel, and the lease context when a lease was asked for and granted.</summary>
    public static byte Respond(FsaOpen file, CachingRequest caching, ref CreateContextWriter contexts)
    {
        var grant = file.Grant;
        if (!caching.IsLease) return grant is { IsLease: false } ? grant.OplockLevel : OplockLevel.None;
        if (grant is not { IsLease: true }) return OplockLevel.None;
        uint flags = grant.Breaking ? LeaseContext.FlagBreakInProgress : 0;
        if (grant.LeaseVersion >= 2 && grant.ParentLeaseKey != Guid.Empty) flags |= LeaseContext.FlagParentLeaseKeySet;
        // The lease answers in the version it was created with, whatever this request used (smb2.lease.v2_epoch2/3).
        int version = grant.LeaseVersion >= 2 ? 2 : 1;
        var data = contexts.Add("RqLs"u8, version == 2 ? LeaseContext.SizeV2 : LeaseContext.SizeV1);
        LeaseContext.Write(data, version, grant.LeaseKey, (uint)grant.State, flags, grant.ParentLeaseKey, grant.Epoch);
        return OplockLevel.Lease;
    }
}
