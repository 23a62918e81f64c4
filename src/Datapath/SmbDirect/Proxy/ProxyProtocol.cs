using System.Buffers.Binary;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.Datapath.SmbDirect.Proxy;

/// <summary>
/// What `fastsmb rdma-proxy` and the file server say to each other (both ends are FastSmb; one host).
/// Hand-off socket (SOCK_SEQPACKET, the server listens): one packet per SMB Direct connection,
/// "FSRP" version(2) maxReadWriteSize(4) maxDescriptors(4) regionLength(4) peerAddress(UTF-8), with three descriptors:
/// the server's end of the data socketpair (SOCK_STREAM: SMB2 messages with the Direct TCP 4-byte header, as over
/// TCP), of the control socketpair (SOCK_SEQPACKET), and the memfd of the payload region both map.
/// Control requests (server → proxy, one outstanding): op(1) pad(3) length-or-token(4) count(4) then count buffer
/// descriptors; op 1 RDMA-write region[..length] to the descriptors, 2 RDMA-read them into region[..length],
/// 3 make the next message a send-with-invalidate of token. Reply: one byte, 1 done, 0 failed (the connection is down).
/// </summary>
internal static class ProxyProtocol
{
    public const uint Magic = 0x50525346; // "FSRP"
    public const ushort Version = 1;
    public const int HandoffFixed = 18;
    public const byte OpWrite = 1, OpRead = 2, OpInvalidate = 3;
    public const int ControlFixed = 12;
    public const int MaxDescriptors = 64;

    public static int WriteHandoff(Span<byte> b, int maxReadWrite, int maxDescriptors, int regionLength, string peer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(b, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(b[6..], maxReadWrite);
        BinaryPrimitives.WriteInt32LittleEndian(b[10..], maxDescriptors);
        BinaryPrimitives.WriteInt32LittleEndian(b[14..], regionLength);
        int n = System.Text.Encoding.UTF8.GetBytes(peer.AsSpan(0, Math.Min(peer.Length, 200)), b[HandoffFixed..]);
        return HandoffFixed + n;
    }

    public static bool TryReadHandoff(ReadOnlySpan<byte> b, out int maxReadWrite, out int maxDescriptors, out int regionLength, out string peer)
    {
        maxReadWrite = maxDescriptors = regionLength = 0;
        peer = "";
        if (b.Length < HandoffFixed || BinaryPrimitives.ReadUInt32LittleEndian(b) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(b[4..]) != Version) return false;
        maxReadWrite = BinaryPrimitives.ReadInt32LittleEndian(b[6..]);
        maxDescriptors = BinaryPrimitives.ReadInt32LittleEndian(b[10..]);
        regionLength = BinaryPrimitives.ReadInt32LittleEndian(b[14..]);
        peer = System.Text.Encoding.UTF8.GetString(b[HandoffFixed..]);
        return maxReadWrite > 0 && regionLength >= maxReadWrite && maxDescriptors is > 0 and <= MaxDescriptors;
    }

    public static int WriteControl(Span<byte> b, byte op, uint lengthOrToken, IReadOnlyList<BufferDescriptorV1> descriptors)
    {
        b[..ControlFixed].Clear();
        b[0] = op;
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], lengthOrToken);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], descriptors.Count);
        int at = ControlFixed;
        foreach (var d in descriptors) at += d.Write(b[at..]);
        return at;
    }

    /// <summary>Parses a control request; false for anything malformed (the proxy then drops the connection).</summary>
    public static bool TryReadControl(ReadOnlySpan<byte> b, out byte op, out uint lengthOrToken, out BufferDescriptorV1[] descriptors)
    {
        op = 0;
        lengthOrToken = 0;
        descriptors = [];
        if (b.Length < ControlFixed) return false;
        op = b[0];
        lengthOrToken = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(b[8..]);
        if (count is < 0 or > MaxDescriptors || b.Length != ControlFixed + count * BufferDescriptorV1.Size) return false;
        if (op is not (OpWrite or OpRead or OpInvalidate)) return false;
        descriptors = new BufferDescriptorV1[count];
        for (int i = 0; i < count; i++)
            BufferDescriptorV1.TryParse(b[(ControlFixed + i * BufferDescriptorV1.Size)..], out descriptors[i]);
        return true;
    }
}
