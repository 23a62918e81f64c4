using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.SmbDirect;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// READ and WRITE whose payload travels over RDMA instead of inside the SMB2 message: Channel SMB2_CHANNEL_RDMA_V1 or
/// SMB2_CHANNEL_RDMA_V1_INVALIDATE with SMB_DIRECT_BUFFER_DESCRIPTOR_V1 channel info ([MS-SMB2] 2.2.19/2.2.21,
/// 3.3.5.12/3.3.5.13; [MS-SMBD] 2.2.3.1, 3.1.4.5/3.1.4.6). The checks are <see cref="RdmaChannel.Validate"/>'s (on a
/// TCP connection every RDMA channel is STATUS_INVALID_PARAMETER). The payload passes through the connection's
/// registered staging buffer: the file is read straight into it and RDMA-written from it, or RDMA-read into it and
/// written to the file from it.
/// The owner waits for the transfer (one READ/WRITE at a time per connection, like ksmbd's worker); a transfer that
/// fails is an RC error, the SMB Direct connection is already down, and the request is answered with
/// STATUS_CONNECTION_DISCONNECTED into a connection that will not carry it.
/// </summary>
internal static class RdmaTransfer
{
    private static IRdmaDataPath? DataPathOf(ref Smb2Request request) =>
        request.Connection.RemoteEndPoint is RdmaEndPoint { DataPath: { } path } ? path : null;

    private static NtStatus Plan(ref Smb2Request request, uint channel, ReadOnlySpan<byte> channelInfo, uint length,
        out IRdmaDataPath path, out RdmaChannel.Plan plan)
    {
        var dataPath = DataPathOf(ref request);
        path = dataPath!;
        var status = RdmaChannel.Validate((ushort)request.Connection.Dialect, channel, channelInfo, length, dataPath is not null,
            dataPath?.MaxReadWriteSize ?? 0, dataPath?.MaxBufferDescriptors ?? 0, out var p);
        plan = p ?? default;
        if (status != NtStatus.Success) return status;
        // [MS-SMB2] 3.3.5.12/3.3.5.13 with SMB2_CHANNEL_RDMA_V1_INVALIDATE: the response revokes the client's
        // registration (the first descriptor's token, as Windows and ksmbd do), whatever its status.
        if (plan.Invalidate) path.InvalidateOnNextSend(plan.InvalidateToken);
        return NtStatus.Success;
    }

    /// <summary>[MS-SMB2] 3.3.5.12: READ over RDMA. The data is RDMA-written into ReadChannelInfo's buffers; the
    /// response carries DataLength 0 and DataRemaining = the bytes written (as Windows, ksmbd and Linux cifs read it).</summary>
    public static NtStatus Read(ref Smb2Request request, ResponseBuffer response, in ReadRequest read, FsaOpen file)
    {
        var status = Plan(ref request, read.Channel, read.ReadChannelInfo, read.Length, out var path, out var plan);
        if (status != NtStatus.Success) return status;

        int length = (int)read.Length;
        status = file.Volume.Read(file, (long)read.Offset, path.Staging.Span[..length], out int count);
        if (status != NtStatus.Success) return status;
        if ((count == 0 && length > 0) || count < read.MinimumCount) return NtStatus.EndOfFile;
        if (count > 0 && !path.WriteToPeerAsync(plan.Descriptors, count).GetAwaiter().GetResult())
            return Disconnected(ref request);
        file.Position = (long)read.Offset + count;
        var body = response.GetBodySpan(ReadResponse.FixedSize + 1);
        ReadResponse.WriteHeader(body, 0, (uint)count);
        body[ReadResponse.FixedSize] = 0; // StructureSize 17 counts one byte of Buffer
        response.Advance(ReadResponse.FixedSize + 1);
        return NtStatus.Success;
    }

    /// <summary>
    /// [MS-SMB2] 3.3.5.13: WRITE over RDMA. RemainingBytes is the length to RDMA-read from WriteChannelInfo's buffers;
    /// the request carries no data of its own (Length 0). On success <paramref name="data"/> is the pulled payload,
    /// valid until the connection's next transfer.
    /// </summary>
    public static NtStatus PullWriteData(scoped ref Smb2Request request, scoped in WriteRequest write, out ReadOnlySpan<byte> data)
    {
        data = default;
        var status = RdmaChannel.ValidateWriteInline(write.Channel, write.Length);
        if (status != NtStatus.Success) return status;
        status = Plan(ref request, write.Channel, write.WriteChannelInfo, write.RemainingBytes, out var path, out var plan);
        if (status != NtStatus.Success) return status;
        int length = (int)write.RemainingBytes;
        if (length > 0 && !path.ReadFromPeerAsync(plan.Descriptors, length).GetAwaiter().GetResult())
            return Disconnected(ref request);
        data = path.Staging.Span[..length];
        return NtStatus.Success;
    }

    private static NtStatus Disconnected(ref Smb2Request request)
    {
        request.Connection.RequestDisconnect("an RDMA transfer failed");
        return NtStatus.ConnectionDisconnected;
    }
}
