using System.Buffers.Binary;
using System.Security.Cryptography;
using FastSmb.Protocol;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Client.Smb2;

/// <summary>
/// A minimal SMB2 client over any byte stream: one request in flight at a time, message ids and credits tracked,
/// requests signed once a session has a key, SMB 3.1.1 negotiate contexts and preauth integrity, SMB 3.x
/// encryption. Tests, benchmarks and admin tools build on it; it shares every codec with the server. Not thread-safe.
/// </summary>
public sealed partial class Smb2ClientConnection(Stream stream) : IAsyncDisposable
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
    /// <summary>3.x: the ChannelSequence every request carries ([MS-SMB2] 3.2.4.1.8: bumped after a channel failed).</summary>
    public ushort ChannelSequence { get; set; }
    public ulong NextMessageId => _nextMessageId;
    /// <summary>From the NEGOTIATE response: the largest READ/WRITE the server accepts, and its capabilities.</summary>
    public uint MaxReadSize { get; private set; }
    public uint MaxWriteSize { get; private set; }
    public Smb2GlobalCapabilities ServerCapabilities { get; private set; }

    /// <summary>3.1.1: what the client offers in ENCRYPTION_CAPABILITIES (empty: the context is not sent).</summary>
    public Smb2CipherId[] OfferedCiphers { get; set; } =
        [Smb2CipherId.Aes128Gcm, Smb2CipherId.Aes128Ccm, Smb2CipherId.Aes256Gcm, Smb2CipherId.Aes256Ccm];
    /// <summary>3.1.1: what the client offers in SIGNING_CAPABILITIES (empty: the context is not sent).</summary>
    public SigningAlgorithm[] OfferedSigningAlgorithms { get; set; } = [SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac];

    /// <summary>The cipher the server chose (3.1.1 context, or AES-128-CCM for 3.0/3.0.2 with CAP_ENCRYPTION).</summary>
    public Smb2CipherId CipherId { get; private set; }
    /// <summary>3.1.1: the signing algorithm the server chose (AES-CMAC when it answered none).</summary>
    public SigningAlgorithm NegotiatedSigningAlgorithm { get; private set; } = SigningAlgorithm.AesCmac;
    /// <summary>3.1.1: Connection.PreauthIntegrityHashValue after NEGOTIATE.</summary>
    public PreauthIntegrity ConnectionPreauth { get; } = new();
    /// <summary>3.1.1: Session.PreauthIntegrityHashValue of the session being set up.</summary>
    public PreauthIntegrity SessionPreauth { get; } = new();
    private bool _sessionValid;

    private Smb2TransformCipher? _encryptor, _decryptor;
    /// <summary>Send every request in a TRANSFORM message once the session has cipher keys (the client asked, the
    /// session has SMB2_SESSION_FLAG_ENCRYPT_DATA, or a share has SMB2_SHAREFLAG_ENCRYPT_DATA).</summary>
    public bool EncryptRequests { get; set; }
    public bool CanEncrypt => _encryptor is not null;
    /// <summary>Whether the last response arrived in a TRANSFORM message.</summary>
    public bool LastResponseEncrypted { get; private set; }

    /// <summary>
    /// Builds a request (header + body via <paramref name="writeBody"/>), sends it, and returns its final response: an
    /// interim STATUS_PENDING response is not final (<see cref="IsInterimResponseTo"/>) and is waited past, unless
    /// <paramref name="returnInterim"/> or <see cref="ReturnInterimResponses"/> asks for it (to CANCEL by its AsyncId).
    /// </summary>
    public async Task<Smb2Response> SendAsync(Smb2Command command, BodyWriter writeBody, uint treeId = 0,
        ushort creditCharge = 1, ushort creditRequest = 32, Smb2HeaderFlags flags = Smb2HeaderFlags.None, bool? sign = null,
        bool returnInterim = false)
    {
        var buffer = new byte[Smb2Header.Size + 64 * 1024 + 1024];
        int bodyLength = writeBody(buffer.AsSpan(Smb2Header.Size));
        var message = buffer.AsMemory(0, Smb2Header.Size + bodyLength);
        ulong messageId = _nextMessageId;
        ushort charge = Dialect.SupportsMultiCredit() ? creditCharge : (ushort)0;
        Smb2Header.WriteRequest(message.Span, command, charge, creditRequest, flags, messageId, treeId, SessionId);
        if (ChannelSequence != 0 && Dialect.IsSmb3()) BinaryPrimitives.WriteUInt16LittleEndian(message.Span[8..], ChannelSequence);
        bool encrypt = EncryptRequests && _encryptor is not null;
        if (!encrypt && (sign ?? (SignRequests && SigningKey.Length > 0)))
        {
            Smb2Header.SetFlags(message.Span, flags | Smb2HeaderFlags.Signed);
            Smb2Signer.Sign(message.Span, SigningAlgorithm, SigningKey);
        }
        _nextMessageId += Math.Max((ushort)1, creditCharge);
        _credits -= Math.Max((ushort)1, creditCharge);
        HashRequest(command, message.Span);
        if (encrypt)
            await SendEncryptedAsync(message).ConfigureAwait(false);
        else
            await SendRawAsync(message).ConfigureAwait(false);
        var response = await ReceiveResponseToAsync(messageId, returnInterim || ReturnInterimResponses).ConfigureAwait(false);
        HashResponse(command, response);
        return response;
    }

    /// <summary>Sends one message (or chain) inside a TRANSFORM message under the session's key.</summary>
    public Task SendEncryptedAsync(ReadOnlyMemory<byte> message) => SendRawAsync(Seal(message.Span));

    /// <summary>Wraps one message (or chain) in a TRANSFORM message under the session's key, without sending it.</summary>
    public byte[] Seal(ReadOnlySpan<byte> message)
    {
        var frame = new byte[TransformHeader.Size + message.Length];
        message.CopyTo(frame.AsSpan(TransformHeader.Size));
        (_encryptor ?? throw new InvalidOperationException("no encryption key")).Seal(frame, SessionId);
        return frame;
    }

    // [MS-SMB2] 3.2.4.2.2.2 / 3.2.5.2 / 3.2.5.3.1: the client's side of the preauth integrity hash.
    private void HashRequest(Smb2Command command, ReadOnlySpan<byte> message)
    {
        if (command == Smb2Command.Negotiate)
        {
            ConnectionPreauth.Reset();
            ConnectionPreauth.Update(message);
        }
        else if (command == Smb2Command.SessionSetup && Dialect == Smb2Dialect.Smb311 && !_sessionValid)
        {
            if (SessionId == 0) SessionPreauth.CopyFrom(ConnectionPreauth);
            SessionPreauth.Update(message);
        }
    }

    private void HashResponse(Smb2Command command, Smb2Response response)
    {
        if (command == Smb2Command.Negotiate && response.Status == NtStatus.Success
            && ReadDialect(response.Message) == Smb2Dialect.Smb311)
            ConnectionPreauth.Update(response.Message);
        else if (command == Smb2Command.SessionSetup && Dialect == Smb2Dialect.Smb311 && !_sessionValid
            && response.Status == NtStatus.MoreProcessingRequired)
            SessionPreauth.Update(response.Message);
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
        LastResponseEncrypted = TransformHeader.IsTransform(message);
        if (LastResponseEncrypted) message = Decrypt(message);
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

    /// <summary>
    /// Hands the connection's message ids and credits to a caller that drives the stream itself (pipelining, as the
    /// load generator does) and takes them back with <see cref="ResumeSequence"/>.
    /// </summary>
    public (ulong NextMessageId, int Credits) TakeSequence() => (_nextMessageId, _credits);

    public void ResumeSequence(ulong nextMessageId, int credits)
    {
        _nextMessageId = nextMessageId;
        _credits = credits;
    }

    /// <summary>Decrypts a TRANSFORM message of this session (throws on a bad one).</summary>
    public byte[] Unseal(byte[] message) => Decrypt(message);

    /// <summary>Forgets the session (after LOGOFF), so that the next <c>LogonAsync</c> sets up a new one with its own
    /// preauth hash and keys.</summary>
    public void ResetSession()
    {
        SessionId = 0;
        _sessionValid = false;
        SigningKey = [];
        EncryptRequests = false;
        _encryptor?.Dispose();
        _decryptor?.Dispose();
        _encryptor = _decryptor = null;
    }

    private byte[] Decrypt(byte[] message)
    {
        if (!TransformHeader.TryParse(message, out var header) || header.SessionId != SessionId || _decryptor is null)
            throw new InvalidDataException("malformed TRANSFORM message or one for another session");
        var plaintext = new byte[header.OriginalMessageSize];
        if (!_decryptor.TryOpen(header, plaintext)) throw new InvalidDataException("TRANSFORM message failed to decrypt");
        return plaintext;
    }

    /// <summary>
    /// NEGOTIATE with the given dialects; remembers the chosen one. Offering 3.1.1 adds the PREAUTH,
    /// ENCRYPTION and SIGNING contexts (<see cref="OfferedCiphers"/>, <see cref="OfferedSigningAlgorithms"/>).
    /// </summary>
    public async Task<Smb2Response> NegotiateAsync(Smb2Dialect[] dialects, ushort securityMode = 1, Guid? clientGuid = null,
        uint capabilities = 0)
    {
        var guid = clientGuid ?? Guid.NewGuid();
        bool offers311 = Array.IndexOf(dialects, Smb2Dialect.Smb311) >= 0;
        var response = await SendAsync(Smb2Command.Negotiate, body =>
        {
            int n = NegotiateRequest.Write(body, securityMode, capabilities, guid, dialects);
            return offers311 ? WriteContexts(body, n) : n;
        }).ConfigureAwait(false);
        if (response.Status == NtStatus.Success) ApplyNegotiateResponse(response.Message);
        return response;
    }

    private void ApplyNegotiateResponse(byte[] message)
    {
        if (NegotiateResponse.TryParse(message, out var negotiated))
        {
            Dialect = negotiated.DialectRevision;
            MaxReadSize = negotiated.MaxReadSize;
            MaxWriteSize = negotiated.MaxWriteSize;
            ServerCapabilities = negotiated.Capabilities;
            CipherId = Smb2CipherId.None;
            NegotiatedSigningAlgorithm = SigningAlgorithm.AesCmac;
            if (Dialect == Smb2Dialect.Smb311)
            {
                foreach (var (type, data) in negotiated.GetNegotiateContexts())
                {
                    if (type == Smb2NegotiateContextType.EncryptionCapabilities && IdList.TryParseCounted(data, out var c))
                        CipherId = (Smb2CipherId)c[0];
                    else if (type == Smb2NegotiateContextType.SigningCapabilities && IdList.TryParseCounted(data, out var s))
                        NegotiatedSigningAlgorithm = (SigningAlgorithm)s[0];
                }
            }
            else if (Dialect.IsSmb3() && (negotiated.Capabilities & Smb2GlobalCapabilities.Encryption) != 0)
            {
                CipherId = Smb2CipherId.Aes128Ccm;
            }
        }
    }

    private int WriteContexts(Span<byte> body, int written)
    {
        var writer = NegotiateContextWriter.ForRequest(body, written);
        Span<byte> salt = stackalloc byte[32];
        RandomNumberGenerator.Fill(salt);
        PreauthIntegrityCapabilities.Write(writer.Add(Smb2NegotiateContextType.PreauthIntegrityCapabilities,
            PreauthIntegrityCapabilities.SizeOf(1, salt.Length)), Smb2HashAlgorithm.Sha512, salt);
        if (OfferedCiphers.Length > 0)
        {
            var ids = Array.ConvertAll(OfferedCiphers, c => (ushort)c);
            IdList.WriteCounted(writer.Add(Smb2NegotiateContextType.EncryptionCapabilities, IdList.SizeOfCounted(ids.Length)), ids);
        }
        if (OfferedSigningAlgorithms.Length > 0)
        {
            var ids = Array.ConvertAll(OfferedSigningAlgorithms, a => (ushort)a);
            IdList.WriteCounted(writer.Add(Smb2NegotiateContextType.SigningCapabilities, IdList.SizeOfCounted(ids.Length)), ids);
        }
        return writer.Length;
    }

    private static Smb2Dialect ReadDialect(byte[] message) =>
        NegotiateResponse.TryParse(message, out var n) ? n.DialectRevision : Smb2Dialect.None;

    /// <summary>Installs the session key once SESSION_SETUP succeeded, deriving the signing and cipher keys as
    /// the server does ([MS-SMB2] 3.2.5.3.1).</summary>
    public void SetSessionKey(ReadOnlySpan<byte> gssKey)
    {
        _sessionValid = true;
        _encryptor?.Dispose();
        _decryptor?.Dispose();
        _encryptor = _decryptor = null;
        var keys = Smb2SessionKeys.Derive(Dialect, gssKey, Dialect == Smb2Dialect.Smb311 ? SessionPreauth.Value : default,
            NegotiatedSigningAlgorithm, CipherId);
        _sessionKeys = keys;
        SigningKey = keys.SigningKey;
        SigningAlgorithm = keys.SigningAlgorithm;
        // The client encrypts what goes to the server and decrypts what comes from it.
        if (keys.ClientToServerKey is not null && keys.ServerToClientKey is not null)
        {
            _encryptor = new Smb2TransformCipher(CipherId, keys.ClientToServerKey);
            _decryptor = new Smb2TransformCipher(CipherId, keys.ServerToClientKey);
        }
    }

    /// <summary>True when <paramref name="response"/> carries a valid signature under the session's key.</summary>
    public bool VerifySignature(Smb2Response response) =>
        SigningKey.Length > 0 && Smb2Signer.Verify(response.Message, SigningAlgorithm, SigningKey);

    public ValueTask DisposeAsync()
    {
        _encryptor?.Dispose();
        _decryptor?.Dispose();
        return stream.DisposeAsync();
    }
}
