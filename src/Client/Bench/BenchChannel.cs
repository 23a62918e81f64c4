using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

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
        int n = ReadRequest.Write(Body, 0, 0, (uint)length, (ulong)offset, fileId, 0, 0, 0);
        return PostAsync(Smb2Command.Read, ChargeFor(length), n);
    }

    public ValueTask<ulong> PostWriteAsync(FileId fileId, long offset, ReadOnlySpan<byte> data)
    {
        int n = WriteRequest.Write(Body, (ulong)offset, fileId, data);
        return PostAsync(Smb2Command.Write, ChargeFor(data.Length), n);
    }

    public ValueTask<ulong> PostEchoAsync() => PostAsync(Smb2Command.Echo, 1, EchoRequest.Write(Body));

    public ValueTask<ulong> PostCreateAsync(string name, uint desiredAccess, uint disposition)
    {
        // impersonation level 2 (Impersonation), FILE_ATTRIBUTE_NORMAL, share read|write|delete,
        // FILE_NON_DIRECTORY_FILE
        int n = CreateRequest.Write(Body, 0, 2, desiredAccess, 0x80, 7, disposition, 0x40, name, default);
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
