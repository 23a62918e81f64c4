using System.Buffers.Binary;

namespace FastSmb.Protocol.SmbDirect;

/// <summary>
/// [MS-SMBD] 2.2.3.1 Buffer Descriptor V1 Structure (SMB_DIRECT_BUFFER_DESCRIPTOR_V1): one registered RDMA buffer
/// of the peer, advertised inside an SMB2 READ/WRITE request's channel info ([MS-SMB2] 2.2.19/2.2.21, Channel
/// SMB2_CHANNEL_RDMA_V1 or SMB2_CHANNEL_RDMA_V1_INVALIDATE). 16 bytes; an array of them fills the channel info.
/// </summary>
public readonly record struct BufferDescriptorV1(ulong Offset, uint Token, uint Length)
{
    public const int Size = 16;

    // Offset (8): "The RDMA provider-specific offset, in bytes, identifying the first byte of data to be transferred
    // to or from the registered buffer." Token (4): "An RDMA provider-assigned Steering Tag for accessing the
    // registered buffer." Length (4): "The size, in bytes, of the data to be transferred to or from the registered buffer."

    public static bool TryParse(ReadOnlySpan<byte> source, out BufferDescriptorV1 value)
    {
        value = default;
        if (source.Length < Size) return false;
        value = new BufferDescriptorV1(BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]), BinaryPrimitives.ReadUInt32LittleEndian(source[12..]));
        return true;
    }

    /// <summary>Writes the 16 bytes; returns 16.</summary>
    public int Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(dest, Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], Token);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[12..], Length);
        return Size;
    }
}

/// <summary>
/// A channel info buffer read as an array of <see cref="BufferDescriptorV1"/>. Parsing only checks the shape:
/// a non-empty whole number of 16-byte descriptors. Limits (how many, how long in total) belong to the connection
/// (<c>FastSmb.Datapath.SmbDirect.RdmaChannel</c>), which knows what was negotiated.
/// </summary>
public readonly ref struct BufferDescriptorList
{
    private readonly ReadOnlySpan<byte> _b;

    private BufferDescriptorList(ReadOnlySpan<byte> b) => _b = b;

    public int Count => _b.Length / BufferDescriptorV1.Size;

    public BufferDescriptorV1 this[int index]
    {
        get
        {
            BufferDescriptorV1.TryParse(_b.Slice(index * BufferDescriptorV1.Size, BufferDescriptorV1.Size), out var d);
            return d;
        }
    }

    /// <summary>The sum of the descriptors' lengths (64-bit: 4 billion descriptors of 4 GiB cannot overflow it).</summary>
    public ulong TotalLength
    {
        get
        {
            ulong total = 0;
            for (int i = 0; i < Count; i++) total += this[i].Length;
            return total;
        }
    }

    public static bool TryParse(ReadOnlySpan<byte> channelInfo, out BufferDescriptorList value)
    {
        value = default;
        if (channelInfo.IsEmpty || channelInfo.Length % BufferDescriptorV1.Size != 0) return false;
        value = new BufferDescriptorList(channelInfo);
        return true;
    }

    /// <summary>Writes <paramref name="descriptors"/> back to back; returns bytes written.</summary>
    public static int Write(Span<byte> dest, ReadOnlySpan<BufferDescriptorV1> descriptors)
    {
        int n = 0;
        foreach (var d in descriptors) n += d.Write(dest[n..]);
        return n;
    }
}

/// <summary>[MS-SMB2] 2.2.19 / 2.2.21 Channel values for READ and WRITE requests.</summary>
public static class Smb2Channel
{
    public const uint None = 0;
    /// <summary>SMB2_CHANNEL_RDMA_V1: buffer descriptors in the channel info (3.0 and later).</summary>
    public const uint RdmaV1 = 1;
    /// <summary>SMB2_CHANNEL_RDMA_V1_INVALIDATE: as RDMA_V1, and the server invalidates the token when it responds (3.0.2 and later).</summary>
    public const uint RdmaV1Invalidate = 2;
    /// <summary>SMB2_CHANNEL_RDMA_TRANSFORM (3.1.1).</summary>
    public const uint RdmaTransform = 3;
}
