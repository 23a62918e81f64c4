using FastSmb.Protocol.SmbDirect;

namespace FastSmb.SmbDirect;

/// <summary>
/// What the SMB2 READ/WRITE handlers need from an RDMA-capable connection ([MS-SMB2] 3.3.5.12/3.3.5.13 with
/// SMB2_CHANNEL_RDMA_V1[_INVALIDATE]; [MS-SMBD] 3.1.4.5/3.1.4.6): a staging buffer the payload passes through and
/// one-sided transfers between it and the client's registered buffers. Implemented by <see cref="SmbDirectConnection"/>
/// (the provider lives in this process) and by <c>ProxiedSmbDirectConnection</c> (the provider lives in
/// <c>fastsmb rdma-proxy</c>; the staging buffer is the memory both processes map). Used by the connection's owner,
/// one transfer at a time.
/// </summary>
public interface IRdmaDataPath
{
    /// <summary>The negotiated [MS-SMBD] MaxReadWriteSize: the most one READ/WRITE may move over RDMA.</summary>
    int MaxReadWriteSize { get; }

    /// <summary>How many buffer descriptors one channel info may carry (local policy).</summary>
    int MaxBufferDescriptors { get; }

    /// <summary>At least <see cref="MaxReadWriteSize"/> bytes: a READ's file data is read into it, a WRITE's data lands in it.</summary>
    Memory<byte> Staging { get; }

    /// <summary>RDMA-writes <c>Staging[..length]</c> into the peer's buffers. False when the connection failed (it is then down).</summary>
    Task<bool> WriteToPeerAsync(IReadOnlyList<BufferDescriptorV1> descriptors, int length);

    /// <summary>RDMA-reads <paramref name="length"/> bytes of the peer's buffers into <c>Staging[..length]</c>. False when the connection failed.</summary>
    Task<bool> ReadFromPeerAsync(IReadOnlyList<BufferDescriptorV1> descriptors, int length);

    /// <summary>The next message sent revokes <paramref name="token"/> (send-with-invalidate, [MS-SMBD] 3.1.4.2).</summary>
    void InvalidateOnNextSend(uint token);
}
