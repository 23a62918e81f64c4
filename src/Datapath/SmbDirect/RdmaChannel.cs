using FastSmb.Protocol;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.Datapath.SmbDirect;

/// <summary>
/// Checks an SMB2 READ/WRITE request's RDMA channel fields before any I/O, per [MS-SMB2] 3.3.5.12 (READ) and
/// 3.3.5.13 (WRITE): "If Connection.Dialect belongs to the SMB 3.x dialect family and if any of the following
/// conditions are TRUE, the server MUST fail the request with STATUS_INVALID_PARAMETER" — a channel value the
/// dialect does not allow (RDMA_V1_INVALIDATE is 3.0.2 and later), an RDMA channel on a connection that is not
/// RDMA, an RDMA channel without channel info. Our own limits answer the same status, as ksmbd and Windows do:
/// a partial descriptor (length not a multiple of 16), more descriptors than we accept, descriptors shorter than
/// the transfer, a transfer over the negotiated MaxReadWriteSize. Pure functions.
/// </summary>
public static class RdmaChannel
{
    /// <summary>The outcome: descriptors to use, and whether the response must invalidate the first token.</summary>
    public readonly record struct Plan(BufferDescriptorV1[] Descriptors, bool Invalidate, uint Length)
    {
        /// <summary>The token a send-with-invalidate revokes for SMB2_CHANNEL_RDMA_V1_INVALIDATE.</summary>
        public uint InvalidateToken => Invalidate ? Descriptors[0].Token : 0;
    }

    /// <summary>
    /// Validates <paramref name="channel"/> and <paramref name="channelInfo"/> for a transfer of
    /// <paramref name="length"/> bytes (READ: Length; WRITE over RDMA: RemainingBytes, with Length 0).
    /// <paramref name="dialect"/> is the SMB2 dialect revision (0x0300, 0x0302, 0x0311).
    /// Returns STATUS_SUCCESS with a plan for an RDMA channel, STATUS_SUCCESS with a null plan for SMB2_CHANNEL_NONE.
    /// </summary>
    public static NtStatus Validate(ushort dialect, uint channel, ReadOnlySpan<byte> channelInfo, uint length, bool connectionIsRdma,
        int maxReadWriteSize, int maxDescriptors, out Plan? plan)
    {
        plan = null;
        if (channel == Smb2Channel.None) return NtStatus.Success;
        bool allowed = channel == Smb2Channel.RdmaV1 || (channel == Smb2Channel.RdmaV1Invalidate && dialect >= 0x0302);
        if (!allowed || dialect < 0x0300) return NtStatus.InvalidParameter;
        if (!connectionIsRdma) return NtStatus.InvalidParameter;
        if (channelInfo.IsEmpty) return NtStatus.InvalidParameter;
        if (!BufferDescriptorList.TryParse(channelInfo, out var list)) return NtStatus.InvalidParameter;
        if (list.Count > maxDescriptors) return NtStatus.InvalidParameter;
        if (length > (uint)maxReadWriteSize) return NtStatus.InvalidParameter;
        if (list.TotalLength < length) return NtStatus.InvalidParameter;
        var descriptors = new BufferDescriptorV1[list.Count];
        for (int i = 0; i < descriptors.Length; i++) descriptors[i] = list[i];
        plan = new Plan(descriptors, channel == Smb2Channel.RdmaV1Invalidate, length);
        return NtStatus.Success;
    }

    /// <summary>[MS-SMB2] 3.3.5.13: a WRITE over RDMA carries no inline data ("Length ... MUST be 0" in practice: ksmbd and Windows reject otherwise).</summary>
    public static NtStatus ValidateWriteInline(uint channel, uint inlineLength) =>
        channel is Smb2Channel.RdmaV1 or Smb2Channel.RdmaV1Invalidate && inlineLength != 0 ? NtStatus.InvalidParameter : NtStatus.Success;
}
