using System.Buffers.Binary;
using FastSmb.Protocol;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Client.Smb2;

/// <summary>
/// A minimal SMB2 client over any byte stream: one request in flight at a time, message ids and credits tracked,
/// requests signed once a session has a key. Tests, benchmarks and admin tools build on it; it shares every codec
/// with the server. Not thread-safe.
/// </summary>
public sealed class Smb2ClientConnection(Stream stream) : IAsyncDisposable
{
    private readonly byte[] _lengthPrefix = new byte[4];
    private ulong _nextMessageId;
    private int _credits = 1;

    public Smb2Dialect Dialect { get; private set; }
    public ulong SessionId { get; set; }
    public byte[] SigningKey { get; private set; } = [];
    public SigningAlgorithm SigningAlgorithm { get; private set; }
    /// <summary>Sign every request once a key exists (the client's own policy, as "client signing = required").</summary>
    public bool SignRequests { get; set; }
    public int Credits => _credits;
    public ulong NextMessageId => _nextMessageId;

    /// <summary>Builds a request (header + body via <paramref name="writeBody"/>), sends it, and returns the response.</summary>
    public async Task<Smb2Response> SendAsync(Smb2Command command, BodyWriter writeBody, uint treeId = 0,
        ushort creditCharge = 1, ushort creditRequest = 32, Smb2HeaderFlags flags = Smb2HeaderFlags.None, bool? sign = null)
    {
        var buffer = new byte[Smb2Header.Size + 64 * 1024 + 1024];
        int bodyLength = writeBody(buffer.AsSpan(Smb2Header.Size));
        var message = buffer.AsMemory(0, Smb2Header.Size + bodyLength);
        ulong messageId = _nextMessageId;
        ushort charge = Dialect.SupportsMultiCredit() ? creditCharge : (ushort)0;
        Smb2Header.WriteRequest(message.Span, command, charge, creditRequest, flags, messageId, treeId, SessionId);
        if (sign ?? (SignRequests && SigningKey.Length > 0))
        {
            Smb2Header.SetFlags(message.Span, flags | Smb2HeaderFlags.Signed);
            Smb2Signer.Sign(message.Span, SigningAlgorithm, SigningKey);
        }
        _nextMessageId += Math.Max((ushort)1, creditCharge);
        _credits -= Math.Max((ushort)1, creditCharge);
        await SendRawAsync(message).ConfigureAwait(false);
        return await ReceiveAsync().ConfigureAwait(false);
    }

    public delegate int BodyWriter(Span<byte> body);

    /// <summary>
    /// CANCEL ([MS-SMB2] 2.2.30, 3.2.4.24) of the request sent with <paramref name="messageId"/>; with an
    /// <paramref name="asyncId"/> (from its interim response) in the async header form. CANCEL consumes no message id
    /// and has no response of its own: the cancelled request's final response follows.
    /// </summary>
    public async Task SendCancelAsync(ulong messageId, ulong asyncId = 0)
    {
        var message = new byte[Smb2Header.Size + 4];
        var flags = asyncId != 0 ? Smb2HeaderFlags.AsyncCommand : Smb2HeaderFlags.None;
        Smb2Header.WriteRequest(message, Smb2Command.Cancel, 0, 0, flags, messageId, 0, SessionId);
        if (asyncId != 0) BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(32), asyncId);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(Smb2Header.Size), 4); // StructureSize
        if (SignRequests && SigningKey.Length > 0) Smb2Signer.Sign(message, SigningAlgorithm, SigningKey);
        await SendRawAsync(message).ConfigureAwait(false);
    }

    /// <summary>Sends bytes as one Direct TCP frame, whatever they are (tests send malformed messages this way).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> message)
    {
        var frame = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)message.Length);
        message.Span.CopyTo(frame.AsSpan(4));
        await stream.WriteAsync(frame).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the next frame; null when the server closed the connection.</summary>
    public async Task<byte[]?> ReceiveFrameAsync()
    {
        if (!await ReadExactlyOrEof(_lengthPrefix).ConfigureAwait(false)) return null;
        int length = (int)(BinaryPrimitives.ReadUInt32BigEndian(_lengthPrefix) & 0xFFFFFF);
        var message = new byte[length];
        if (!await ReadExactlyOrEof(message).ConfigureAwait(false)) return null;
        return message;
    }

    /// <summary>Reads the next response; throws <see cref="EndOfStreamException"/> when the server disconnected.</summary>
    public async Task<Smb2Response> ReceiveAsync()
    {
        var message = await ReceiveFrameAsync().ConfigureAwait(false)
            ?? throw new EndOfStreamException("the server closed the connection");
        var response = new Smb2Response(message);
        if (Smb2Header.TryParse(message, out var header))
            _credits += header.CreditRequest;
        return response;
    }

    private async Task<bool> ReadExactlyOrEof(byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(read)).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    /// <summary>NEGOTIATE with the given dialects; remembers the chosen one.</summary>
    public async Task<Smb2Response> NegotiateAsync(Smb2Dialect[] dialects, ushort securityMode = 1, Guid? clientGuid = null,
        uint capabilities = 0)
    {
        var guid = clientGuid ?? Guid.NewGuid();
        var response = await SendAsync(Smb2Command.Negotiate,
            body => NegotiateRequest.Write(body, securityMode, capabilities, guid, dialects)).ConfigureAwait(false);
        if (response.Status == NtStatus.Success)
            Dialect = ReadDialect(response.Message);
        return response;
    }

    private static Smb2Dialect ReadDialect(byte[] message) =>
        NegotiateResponse.TryParse(message, out var n) ? n.DialectRevision : Smb2Dialect.None;

    /// <summary>Installs the session key once SESSION_SETUP succeeded, deriving the signing key as the server does.</summary>
    public void SetSessionKey(ReadOnlySpan<byte> gssKey)
    {
        var sessionKey = new byte[16];
        gssKey[..Math.Min(16, gssKey.Length)].CopyTo(sessionKey);
        if (Dialect.IsSmb3())
        {
            var key = new byte[16];
            Smb3Kdf.Derive(sessionKey, Smb3Kdf.Smb30SigningLabel, Smb3Kdf.Smb30SigningContext, key);
            SigningKey = key;
            SigningAlgorithm = SigningAlgorithm.AesCmac;
        }
        else
        {
            SigningKey = sessionKey;
            SigningAlgorithm = SigningAlgorithm.HmacSha256;
        }
    }

    /// <summary>True when <paramref name="response"/> carries a valid signature under the session's key.</summary>
    public bool VerifySignature(Smb2Response response) =>
        SigningKey.Length > 0 && Smb2Signer.Verify(response.Message, SigningAlgorithm, SigningKey);

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
