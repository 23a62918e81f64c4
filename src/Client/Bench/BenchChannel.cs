using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.Client.Bench;

/// <summary>
/// One logged-on connection driven directly for load: requests are built in one reusable buffer and several may be
/// in flight ([MS-SMB2] 3.2.4.1: each takes the next message ids and CreditCharge credits; responses are matched by
/// MessageId). Takes the message ids and credits over from the <see cref="Smb2ClientConnection"/> that set the session
/// up. Signs and encrypts as that connection would. One task at a time.
/// </summary>
internal sealed class BenchChannel
{
    private const int FramePrefix = 4;
    private readonly Smb2ClientConnection _connection;
    private readonly Stream _stream;
    private readonly uint _treeId;
    private readonly byte[] _send;
    private byte[] _receive;
    private readonly byte[] _prefix = new byte[FramePrefix];
    private ulong _nextMessageId;
    private int _credits;

    public BenchChannel(Smb2ClientConnection connection, Stream stream, uint treeId, int maxPayload)
    {
        _connection = connection;
        _stream = stream;
        _treeId = treeId;
        _send = new byte[FramePrefix + Smb2Header.Size + 128 + maxPayload];
        _receive = new byte[Smb2Header.Size + 128 + maxPayload];
        (_nextMessageId, _credits) = connection.TakeSequence();
    }

    public int Credits => _credits;

    /// <summary>Gives the message ids and credits back to the connection (for LOGOFF etc. through it).</summary>
    public void Release() => _connection.ResumeSequence(_nextMessageId, _credits);

    /// <summary>[MS-SMB2] 3.2.4.1.5: one credit per 64 KiB of payload, for dialects with multi-credit requests.</summary>
    public ushort ChargeFor(int payload) =>
        _connection.Dialect.SupportsMultiCredit() ? (ushort)Math.Max(1, (payload + 65535) / 65536) : (ushort)1;

    private Span<byte> Body => _send.AsSpan(FramePrefix + Smb2Header.Size);

    public ValueTask<ulong> PostReadAsync(FileId fileId, long offset, int length)
    {
        if (_rdmaBuffers is not null && Smb2ClientRdma.UsesRdma(length, _inlineThreshold))
        {
            // [MS-SMB2] 2.2.19 over SMB Direct: the server RDMA-writes the data into a registered buffer of ours.
            Span<byte> info = stackalloc byte[BufferDescriptorV1.Size];
            var region = NextRdmaBuffer().Region;
            new BufferDescriptorV1(region.RemoteAddress, region.RemoteKey, (uint)length).Write(info);
            int r = ReadRequest.Write(Body, 0, 0, (uint)length, (ulong)offset, fileId, 0, Smb2Channel.RdmaV1, 0, info);
            return PostAsync(Smb2Command.Read, ChargeFor(length), r);
        }
        int n = ReadRequest.Write(Body, 0, 0, (uint)length, (ulong)offset, fileId, 0, 0, 0);
        return PostAsync(Smb2Command.Read, ChargeFor(length), n);
    }

    public ValueTask<ulong> PostWriteAsync(FileId fileId, long offset, ReadOnlySpan<byte> data)
    {
        if (_rdmaBuffers is not null && Smb2ClientRdma.UsesRdma(data.Length, _inlineThreshold))
        {
            // [MS-SMB2] 2.2.21 over SMB Direct: the server RDMA-reads the data from a registered buffer of ours. The
            // buffers hold the payload already when it is the one they were filled with (every measured WRITE).
            Span<byte> info = stackalloc byte[BufferDescriptorV1.Size];
            var region = NextRdmaBuffer().Region;
            if (!data.Overlaps(_rdmaPayload)) data.CopyTo(region.Memory.Span);
            new BufferDescriptorV1(region.RemoteAddress, region.RemoteKey, (uint)data.Length).Write(info);
            int w = WriteRequest.WriteRdma(Body, (ulong)offset, fileId, Smb2Channel.RdmaV1, (uint)data.Length, info);
            return PostAsync(Smb2Command.Write, ChargeFor(data.Length), w);
        }
        int n = WriteRequest.Write(Body, (ulong)offset, fileId, data);
        return PostAsync(Smb2Command.Write, ChargeFor(data.Length), n);
    }

    private Smb2ClientRdmaBuffer[]? _rdmaBuffers;
    private byte[] _rdmaPayload = [];
    private int _nextRdmaBuffer;
    private int _inlineThreshold;

    /// <summary>
    /// Moves READ/WRITE payloads by RDMA (SMB2_CHANNEL_RDMA_V1) through <paramref name="slots"/> buffers registered on
    /// <paramref name="connection"/>, used round-robin (the server answers one connection's READ/WRITEs in order, so a
    /// buffer is free again by the time its turn comes with slots = depth + 1), each filled with
    /// <paramref name="payload"/>, which WRITEs of it then need not copy. READ/WRITEs of at most
    /// <paramref name="inlineThreshold"/> bytes still travel inline (<see cref="Smb2ClientRdma.UsesRdma"/>).
    /// </summary>
    public void UseRdma(SmbDirect.SmbDirectConnection connection, int slots, byte[] payload, int inlineThreshold)
    {
        _inlineThreshold = inlineThreshold;
        _rdmaPayload = payload;
        _rdmaBuffers = new Smb2ClientRdmaBuffer[slots];
        for (int i = 0; i < slots; i++)
        {
            _rdmaBuffers[i] = new Smb2ClientRdmaBuffer(connection, Math.Max(payload.Length, 4096));
            payload.CopyTo(_rdmaBuffers[i].Memory);
        }
    }

    private Smb2ClientRdmaBuffer NextRdmaBuffer() => _rdmaBuffers![_nextRdmaBuffer++ % _rdmaBuffers.Length];

    public ValueTask<ulong> PostEchoAsync() => PostAsync(Smb2Command.Echo, 1, EchoRequest.Write(Body));

    public ValueTask<ulong> PostCreateAsync(string name, uint desiredAccess, uint disposition, bool persistent = false)
    {
        Span<byte> contexts = stackalloc byte[64];
        int length = 0;
        if (persistent)
        {
            var writer = new CreateContextWriter(contexts);
            DurableHandleContexts.WriteRequestV2(writer.Add("DH2Q"u8, DurableHandleContexts.RequestV2Size), 0,
                DurableHandleContexts.FlagPersistent, Guid.NewGuid());
            length = writer.Length;
        }
        // impersonation level 2 (Impersonation), FILE_ATTRIBUTE_NORMAL, share read|write|delete,
        // FILE_NON_DIRECTORY_FILE
        int n = CreateRequest.Write(Body, 0, 2, desiredAccess, 0x80, 7, disposition, 0x40, name, contexts[..length]);
        return PostAsync(Smb2Command.Create, 1, n);
    }

    public ValueTask<ulong> PostCloseAsync(FileId fileId) => PostAsync(Smb2Command.Close, 1, CloseRequest.Write(Body, 0, fileId));

    private async ValueTask<ulong> PostAsync(Smb2Command command, ushort charge, int bodyLength)
    {
        if (_credits < charge) throw new InvalidOperationException($"out of credits ({_credits} left, {charge} needed)");
        int length = Smb2Header.Size + bodyLength;
        var message = _send.AsMemory(FramePrefix, length);
        ulong messageId = _nextMessageId;
        // ask for enough credits to keep the pipeline full, as Windows clients do
        ushort request = (ushort)Math.Min(512, charge * 2 + 8);
        ushort sentCharge = _connection.Dialect.SupportsMultiCredit() ? charge : (ushort)0;
        Smb2Header.WriteRequest(message.Span, command, sentCharge, request, Smb2HeaderFlags.None, messageId, _treeId,
            _connection.SessionId);
        _nextMessageId += charge;
        _credits -= charge;
        if (_connection.EncryptRequests && _connection.CanEncrypt)
        {
            await _connection.SendRawAsync(_connection.Seal(message.Span)).ConfigureAwait(false);
            return messageId;
        }
        if (_connection.SignRequests && _connection.SigningKey.Length > 0)
        {
            Smb2Header.SetFlags(message.Span, Smb2HeaderFlags.Signed);
            Smb2Signer.Sign(message.Span, _connection.SigningAlgorithm, _connection.SigningKey);
        }
        BinaryPrimitives.WriteUInt32BigEndian(_send, (uint)length);
        await _stream.WriteAsync(_send.AsMemory(0, FramePrefix + length)).ConfigureAwait(false);
        return messageId;
    }

    /// <summary>The next response (decrypted if it came in a TRANSFORM message). The memory is valid until the next
    /// call. Credits granted are added.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync()
    {
        await _stream.ReadExactlyAsync(_prefix).ConfigureAwait(false);
        int length = (int)(BinaryPrimitives.ReadUInt32BigEndian(_prefix) & 0xFFFFFF);
        if (length > _receive.Length) _receive = new byte[length];
        await _stream.ReadExactlyAsync(_receive.AsMemory(0, length)).ConfigureAwait(false);
        ReadOnlyMemory<byte> message = _receive.AsMemory(0, length);
        if (Protocol.Smb2.Transform.TransformHeader.IsTransform(message.Span))
            message = _connection.Unseal(message.ToArray());
        if (!Smb2Header.TryParse(message.Span, out var header))
            throw new InvalidDataException("the server sent a message that is not SMB2");
        _credits += header.CreditRequest;
        return message;
    }
}
