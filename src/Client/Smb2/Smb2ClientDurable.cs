using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Client.Smb2;

/// <summary>What a durable CREATE or reconnect returned.</summary>
public readonly record struct DurableCreateResult(NtStatus Status, FileId FileId, byte OplockLevel, bool DurableV1,
    bool DurableV2, uint TimeoutMs, uint CreateAction, uint LeaseState, bool Persistent = false);

/// <summary>
/// The client's side of durable handles ([MS-SMB2] 3.2.4.3.5 / 3.2.4.4): a CREATE asking for a durable v1 (DHnQ) or
/// v2 (DH2Q, with a CreateGuid) open with a batch oplock or a lease, a reconnect after a lost connection (DHnC, or DH2C
/// for a v2 open), and a replay of a CREATE (SMB2_FLAGS_REPLAY_OPERATION with the same CreateGuid).
/// </summary>
public static class Smb2ClientDurable
{
    private const uint GenericAll = 0x10000000, ShareAll = 7;

    /// <summary>
    /// Opens <paramref name="name"/> asking for durability: v1 when <paramref name="createGuid"/> is empty, else v2
    /// with that CreateGuid and <paramref name="timeoutMs"/>. With <paramref name="leaseKey"/>, a lease of
    /// <paramref name="leaseState"/> (RWH by default), else the oplock <paramref name="oplockLevel"/> (batch).
    /// The result is the final response (a persistent open's CREATE may answer only once the server's commit is
    /// durable, after an interim STATUS_PENDING); with <paramref name="returnInterim"/> a CREATE that goes async
    /// returns its interim response instead, for tests of what happens while it waits.
    /// </summary>
    public static async Task<DurableCreateResult> CreateDurableAsync(this Smb2ClientConnection c, uint treeId, string name,
        Guid createGuid = default, uint timeoutMs = 0, Guid? leaseKey = null, uint leaseState = 7,
        byte oplockLevel = OplockLevel.Batch, uint disposition = 3, uint shareAccess = ShareAll, bool replay = false,
        bool persistent = false, bool returnInterim = false)
    {
        var contexts = new byte[512];
        var writer = new CreateContextWriter(contexts);
        if (createGuid == Guid.Empty)
            DurableHandleContexts.WriteRequestV1(writer.Add("DHnQ"u8, DurableHandleContexts.RequestV1Size));
        else
            DurableHandleContexts.WriteRequestV2(writer.Add("DH2Q"u8, DurableHandleContexts.RequestV2Size), timeoutMs,
                persistent ? DurableHandleContexts.FlagPersistent : 0, createGuid);
        byte level = oplockLevel;
        if (leaseKey is { } key)
        {
            level = OplockLevel.Lease;
            LeaseContext.Write(writer.Add("RqLs"u8, LeaseContext.SizeV1), 1, key, leaseState, 0, Guid.Empty, 0);
        }
        var list = contexts.AsMemory(0, writer.Length);
        var response = await c.SendAsync(Smb2Command.Create, body => CreateRequest.Write(body, level, 2, GenericAll, 0,
            shareAccess, disposition, 0, name, list.Span), treeId,
            flags: replay ? Smb2HeaderFlags.ReplayOperation : Smb2HeaderFlags.None, returnInterim: returnInterim).ConfigureAwait(false);
        return Read(response);
    }

    /// <summary>
    /// Reclaims a durable open on this (new) connection: DH2C with <paramref name="createGuid"/> for a v2 open, DHnC
    /// for a v1 one; a leased open must name its <paramref name="leaseKey"/> again.
    /// </summary>
    public static async Task<DurableCreateResult> ReconnectDurableAsync(this Smb2ClientConnection c, uint treeId, string name,
        FileId fileId, Guid createGuid = default, Guid? leaseKey = null)
    {
        var contexts = new byte[512];
        var writer = new CreateContextWriter(contexts);
        if (createGuid == Guid.Empty)
            DurableHandleContexts.WriteReconnectV1(writer.Add("DHnC"u8, DurableHandleContexts.ReconnectV1Size), fileId);
        else
            DurableHandleContexts.WriteReconnectV2(writer.Add("DH2C"u8, DurableHandleContexts.ReconnectV2Size), fileId, createGuid, 0);
        byte level = OplockLevel.None;
        if (leaseKey is { } key)
        {
            level = OplockLevel.Lease;
            LeaseContext.Write(writer.Add("RqLs"u8, LeaseContext.SizeV1), 1, key, 0, 0, Guid.Empty, 0);
        }
        var list = contexts.AsMemory(0, writer.Length);
        var response = await c.SendAsync(Smb2Command.Create, body => CreateRequest.Write(body, level, 2, GenericAll, 0,
            ShareAll, 1, 0, name, list.Span), treeId).ConfigureAwait(false);
        return Read(response);
    }

    private static DurableCreateResult Read(Smb2Response response)
    {
        if (response.Status != NtStatus.Success || !CreateResponse.TryParse(response.Message, out var cr))
            return new DurableCreateResult(response.Status, default, 0, false, false, 0, 0, 0);
        bool v1 = false, v2 = false;
        uint timeout = 0, leaseState = 0, flags = 0;
        foreach (var (name, data) in cr.GetCreateContexts())
        {
            if (name.SequenceEqual("DHnQ"u8)) v1 = true;
            else if (name.SequenceEqual("DH2Q"u8) && DurableHandleContexts.TryParseResponseV2(data, out timeout, out flags)) v2 = true;
            else if (name.SequenceEqual("RqLs"u8) && LeaseContext.TryParse(data, true, out var lease)) leaseState = lease.LeaseState;
        }
        return new DurableCreateResult(response.Status, cr.FileId, cr.OplockLevel, v1, v2, timeout, cr.CreateAction, leaseState,
            (flags & DurableHandleContexts.FlagPersistent) != 0);
    }
}
