using FastSmb.SmbDirect.Rdma;
using FastSmb.SmbDirect;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.Client.Smb2;

/// <summary>
/// A client buffer registered for the server's one-sided access ([MS-SMBD] 3.1.4.3 Register Buffer): READ data is
/// RDMA-written into it, WRITE data RDMA-read from it. After a request with SMB2_CHANNEL_RDMA_V1_INVALIDATE the
/// server's response revokes the key ([MS-SMBD] 3.1.4.2); <see cref="Reregister"/> makes a fresh one.
/// </summary>
public sealed class Smb2ClientRdmaBuffer : IDisposable
{
    private readonly SmbDirectConnection _connection;

    public Smb2ClientRdmaBuffer(SmbDirectConnection connection, int length)
    {
        _connection = connection;
        Region = connection.QueuePair.RegisterMemory(length, RdmaAccess.LocalWrite | RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite);
    }

    public IRdmaMemoryRegion Region { get; private set; }
    public Memory<byte> Memory => Region.Memory;

    /// <summary>Registers a new buffer in place of one whose key the server invalidated (the contents are not kept).</summary>
    public void Reregister()
    {
        int length = Region.Length;
        Region.Dispose();
        Region = _connection.QueuePair.RegisterMemory(length, RdmaAccess.LocalWrite | RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite);
    }

    /// <summary>SMB_DIRECT_BUFFER_DESCRIPTOR_V1s ([MS-SMBD] 2.2.3.1) covering the first <paramref name="length"/>
    /// bytes in <paramref name="pieces"/> consecutive descriptors (the last takes the remainder).</summary>
    public byte[] ChannelInfo(int length, int pieces = 1)
    {
        var descriptors = new BufferDescriptorV1[pieces];
        int each = length / pieces, at = 0;
        for (int i = 0; i < pieces; i++)
        {
            int n = i == pieces - 1 ? length - at : each;
            descriptors[i] = new BufferDescriptorV1(Region.RemoteAddress + (ulong)at, Region.RemoteKey, (uint)n);
            at += n;
        }
        var info = new byte[pieces * BufferDescriptorV1.Size];
        BufferDescriptorList.Write(info, descriptors);
        return info;
    }

    public void Dispose() => Region.Dispose();
}

/// <summary>READ and WRITE with the payload over RDMA ([MS-SMB2] 3.2.4.6/3.2.4.7 with Channel SMB2_CHANNEL_RDMA_V1[_INVALIDATE]).</summary>
public static class Smb2ClientRdma
{
    /// <summary>[MS-SMB2] 3.2.4.1.5: one credit per 64 KiB.</summary>
    private static ushort Charge(int length) => (ushort)Math.Max(1, (length + 65535) / 65536);

    /// <summary>
    /// READ/WRITE of at most this many bytes travel inline in the SMB Direct data transfer messages (Channel
    /// SMB2_CHANNEL_NONE), larger ones by RDMA: registering, describing and RDMA-moving a few KiB costs more than the
    /// few extra fragments. 4096 is the Linux cifs client's rdma_readwrite_threshold; Windows sends small I/O inline too.
    /// </summary>
    public const int DefaultInlineThreshold = 4096;

    /// <summary>Whether a READ/WRITE of <paramref name="length"/> bytes should move by RDMA rather than inline.</summary>
    public static bool UsesRdma(int length, int inlineThreshold = DefaultInlineThreshold) => length > inlineThreshold;

    /// <summary>
    /// READ into <paramref name="buffer"/>'s first bytes, inline up to <paramref name="inlineThreshold"/> bytes (the data
    /// comes in the response and is copied into the buffer) and by RDMA above. Returns the status, the count and the response.
    /// </summary>
    public static async Task<(NtStatus Status, int Count, Smb2Response Response)> ReadAsync(this Smb2ClientConnection c,
        uint treeId, FileId fileId, ulong offset, Smb2ClientRdmaBuffer buffer, int length, int inlineThreshold = DefaultInlineThreshold)
    {
        if (UsesRdma(length, inlineThreshold)) return await c.ReadRdmaAsync(treeId, fileId, offset, buffer, length).ConfigureAwait(false);
        var response = await c.SendAsync(Smb2Command.Read, body => ReadRequest.Write(body, 0, 0, (uint)length, offset, fileId, 0,
            Smb2Channel.None, 0), treeId, Charge(length)).ConfigureAwait(false);
        int count = 0;
        if (response.Status == NtStatus.Success && ReadResponse.TryParse(response.Message, out var r))
        {
            count = Math.Min(r.Data.Length, length);
            r.Data[..count].CopyTo(buffer.Memory.Span);
        }
        return (response.Status, count, response);
    }

    /// <summary>WRITE of <paramref name="buffer"/>'s first <paramref name="length"/> bytes, inline up to
    /// <paramref name="inlineThreshold"/> bytes and by RDMA above; returns the status and Count.</summary>
    public static async Task<(NtStatus Status, int Count)> WriteAsync(this Smb2ClientConnection c, uint treeId, FileId fileId,
        ulong offset, Smb2ClientRdmaBuffer buffer, int length, int inlineThreshold = DefaultInlineThreshold)
    {
        if (UsesRdma(length, inlineThreshold)) return await c.WriteRdmaAsync(treeId, fileId, offset, buffer, length).ConfigureAwait(false);
        var response = await c.SendAsync(Smb2Command.Write, body => WriteRequest.Write(body, offset, fileId, buffer.Memory.Span[..length]),
            treeId, Charge(length)).ConfigureAwait(false);
        int count = response.Status == NtStatus.Success && WriteResponse.TryParse(response.Message, out var w) ? (int)w.Count : 0;
        return (response.Status, count);
    }

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes at <paramref name="offset"/> into <paramref name="buffer"/>'s first
    /// bytes. Returns the status and the count the server wrote (the response's DataRemaining; DataLength is 0).
    /// <paramref name="channelInfo"/> overrides the descriptors (tests of bad ones).
    /// </summary>
    public static async Task<(NtStatus Status, int Count, Smb2Response Response)> ReadRdmaAsync(this Smb2ClientConnection c,
        uint treeId, FileId fileId, ulong offset, Smb2ClientRdmaBuffer buffer, int length, bool invalidate = false,
        int pieces = 1, byte[]? channelInfo = null)
    {
        var info = channelInfo ?? buffer.ChannelInfo(length, pieces);
        uint channel = invalidate ? Smb2Channel.RdmaV1Invalidate : Smb2Channel.RdmaV1;
        var response = await c.SendAsync(Smb2Command.Read, body => ReadRequest.Write(body, 0, 0, (uint)length, offset, fileId, 0,
            channel, 0, info), treeId, Charge(length)).ConfigureAwait(false);
        int count = response.Status == NtStatus.Success && ReadResponse.TryParse(response.Message, out var r) ? (int)r.DataRemaining : 0;
        return (response.Status, count, response);
    }

    /// <summary>Writes <paramref name="buffer"/>'s first <paramref name="length"/> bytes at <paramref name="offset"/>; returns the status and Count.</summary>
    public static async Task<(NtStatus Status, int Count)> WriteRdmaAsync(this Smb2ClientConnection c, uint treeId, FileId fileId,
        ulong offset, Smb2ClientRdmaBuffer buffer, int length, bool invalidate = false, int pieces = 1, byte[]? channelInfo = null)
    {
        var info = channelInfo ?? buffer.ChannelInfo(length, pieces);
        uint channel = invalidate ? Smb2Channel.RdmaV1Invalidate : Smb2Channel.RdmaV1;
        var response = await c.SendAsync(Smb2Command.Write, body => WriteRequest.WriteRdma(body, offset, fileId, channel, (uint)length, info),
            treeId, Charge(length)).ConfigureAwait(false);
        int count = response.Status == NtStatus.Success && WriteResponse.TryParse(response.Message, out var w) ? (int)w.Count : 0;
        return (response.Status, count);
    }
}
