using System.Security.Cryptography;
using System.Text;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>
/// The NTLM initiator ([MS-NLMP] 3.1.5): NEGOTIATE → (CHALLENGE) → AUTHENTICATE with an NTLMv2 response, key
/// exchange and a MIC. Used by FastSmb's own client and by the tests; one instance per logon; not thread-safe.
/// </summary>
public sealed class NtlmClient
{
    /// <summary>What the client asks for; the server's CHALLENGE narrows it.</summary>
    public const NtlmNegotiateFlags RequestedFlags =
        NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.RequestTarget | NtlmNegotiateFlags.Sign |
        NtlmNegotiateFlags.Seal | NtlmNegotiateFlags.Ntlm | NtlmNegotiateFlags.AlwaysSign |
        NtlmNegotiateFlags.ExtendedSessionSecurity | NtlmNegotiateFlags.TargetInfo | NtlmNegotiateFlags.Version |
        NtlmNegotiateFlags.Negotiate128 | NtlmNegotiateFlags.KeyExchange | NtlmNegotiateFlags.Negotiate56;

    private readonly string _user, _domain, _workstation;
    private readonly byte[]? _ntHash; // null for an anonymous logon
    private byte[]? _negotiate;

    /// <summary>Logon with a password (its NT hash is computed here and the password is not kept).</summary>
    public NtlmClient(string user, string password, string domain, string workstation = "")
        : this(user, NtlmV2.NtHash(password), domain, workstation) { }

    /// <summary>Logon with an NT hash (pass-the-hash, as impacket and smbclient --pw-nt-hash allow).</summary>
    public NtlmClient(string user, byte[] ntHash, string domain, string workstation = "")
    {
        _user = user; _domain = domain; _workstation = workstation; _ntHash = ntHash;
    }

    private NtlmClient()
    {
        _user = _domain = _workstation = "";
    }

    /// <summary>An anonymous (null session) logon, [MS-NLMP] 3.1.5.1.2: empty user, empty NT response, LM = Z(1).</summary>
    public static NtlmClient CreateAnonymous() => new();

    public bool IsAnonymous => _ntHash is null;

    /// <summary>Optional SPN for MsvAvTargetName (e.g. "cifs/server"), as Windows and Samba clients send.</summary>
    public string? TargetSpn { get; init; }

    /// <summary>The ExportedSessionKey once the AUTHENTICATE is built; empty for anonymous.</summary>
    public byte[] ExportedSessionKey { get; private set; } = [];
    public NtlmNegotiateFlags NegotiatedFlags { get; private set; }

    // Test hooks: fixed "random" inputs to reproduce published vectors.
    internal byte[]? FixedClientChallenge { get; set; }
    internal byte[]? FixedRandomSessionKey { get; set; }
    internal long? FixedTime { get; set; }

    public byte[] CreateNegotiate()
    {
        var flags = RequestedFlags;
        if (IsAnonymous) flags |= NtlmNegotiateFlags.Anonymous;
        var b = new byte[40];
        NtlmNegotiateMessage.Write(b, flags);
        _negotiate = b;
        return b;
    }

    /// <summary>Consumes the server's CHALLENGE and produces the AUTHENTICATE. False when the CHALLENGE is malformed.</summary>
    public bool TryProcessChallenge(ReadOnlySpan<byte> challengeToken, out byte[] authenticate)
    {
        authenticate = [];
        if (_negotiate is null) CreateNegotiate();
        if (!NtlmChallengeMessage.TryParse(challengeToken, out var challenge)) return false;

        var flags = (RequestedFlags & challenge.Flags) | NtlmNegotiateFlags.Version;
        if ((challenge.Flags & NtlmNegotiateFlags.Unicode) == 0) flags = (flags & ~NtlmNegotiateFlags.Unicode) | NtlmNegotiateFlags.Oem;
        NegotiatedFlags = flags;

        if (IsAnonymous)
        {
            flags |= NtlmNegotiateFlags.Anonymous;
            flags &= ~NtlmNegotiateFlags.KeyExchange;
            NegotiatedFlags = flags;
            authenticate = Build(flags, lm: [0], nt: [], encryptedKey: []);
            return true;
        }

        // NTLMv2 response (3.3.2). The AV pairs we return are the server's plus MsvAvFlags (MIC present),
        // a zero channel binding and our target SPN; a timestamp is kept, or added when the server sent none.
        ReadOnlySpan<byte> serverInfo = challenge.TargetInfo;
        bool serverSentTime = AvPairs.TryFind(serverInfo, AvId.MsvAvTimestamp, out var serverTime);
        long time = FixedTime ?? (serverSentTime && serverTime.Length == 8
            ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(serverTime) : NtlmV2.FileTimeNow());
        byte[] clientChallenge = FixedClientChallenge ?? RandomNumberGenerator.GetBytes(8);
        bool sendMic = serverSentTime;
        byte[] avPairs = ClientAvPairs(serverInfo, sendMic);

        Span<byte> responseKey = stackalloc byte[16];
        NtlmV2.ResponseKeyNt(_ntHash, _user, _domain, responseKey);
        byte[] temp = NtlmV2.BuildTemp(time, clientChallenge, avPairs);
        var nt = new byte[16 + temp.Length];
        NtlmV2.NtProofStr(responseKey, challenge.ServerChallenge, temp, nt.AsSpan(0, 16));
        temp.CopyTo(nt, 16);
        // 3.1.5.1.2: with a server timestamp the client SHOULD send Z(24) as LmChallengeResponse.
        byte[] lm = serverSentTime ? new byte[24] : NtlmV2.LmV2Response(responseKey, challenge.ServerChallenge, clientChallenge);

        var keyExchangeKey = new byte[16];
        NtlmV2.SessionBaseKey(responseKey, nt.AsSpan(0, 16), keyExchangeKey);
        byte[] encryptedKey = [];
        if ((flags & NtlmNegotiateFlags.KeyExchange) != 0)
        {
            ExportedSessionKey = FixedRandomSessionKey ?? RandomNumberGenerator.GetBytes(16);
            encryptedKey = new byte[16];
            NtlmV2.Rc4K(keyExchangeKey, ExportedSessionKey, encryptedKey);
        }
        else
        {
            ExportedSessionKey = keyExchangeKey;
        }

        authenticate = Build(flags, lm, nt, encryptedKey);
        if (sendMic)
            NtlmV2.Mic(ExportedSessionKey, _negotiate, challenge.Bytes, authenticate,
                authenticate.AsSpan(NtlmAuthenticateMessage.MicOffset, NtlmAuthenticateMessage.MicSize));
        return true;
    }

    /// <summary>Session security (signing keys, RC4 handles) for the mechListMIC; null before AUTHENTICATE or when anonymous.</summary>
    public NtlmSessionSecurity? CreateSessionSecurity() =>
        ExportedSessionKey.Length == 16 ? new NtlmSessionSecurity(ExportedSessionKey, NegotiatedFlags, isClient: true) : null;

    private byte[] Build(NtlmNegotiateFlags flags, byte[] lm, byte[] nt, byte[] encryptedKey)
    {
        byte[] domain = NtlmWire.EncodeString(_domain, flags);
        byte[] user = NtlmWire.EncodeString(_user, flags);
        byte[] ws = NtlmWire.EncodeString(_workstation, flags);
        var m = new byte[NtlmAuthenticateMessage.GetSize(lm.Length, nt.Length, domain.Length, user.Length, ws.Length,
            encryptedKey.Length)];
        NtlmAuthenticateMessage.Write(m, flags, lm, nt, domain, user, ws, encryptedKey);
        return m;
    }

    private byte[] ClientAvPairs(ReadOnlySpan<byte> serverInfo, bool sendMic)
    {
        var w = new AvPairWriter();
        bool hadFlags = false;
        int at = 0;
        while (serverInfo.Length - at >= 4)
        {
            var id = (AvId)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(serverInfo[at..]);
            int len = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(serverInfo[(at + 2)..]);
            if (id == AvId.MsvAvEOL || serverInfo.Length - at - 4 < len) break;
            var value = serverInfo.Slice(at + 4, len);
            if (id == AvId.MsvAvFlags && len == 4)
            {
                uint f = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value);
                w.Add(AvId.MsvAvFlags, sendMic ? f | (uint)AvFlags.MicPresent : f);
                hadFlags = true;
            }
            else if (id is not (AvId.MsvAvTargetName or AvId.MsvAvChannelBindings))
            {
                w.Add(id, value);
            }
            at += 4 + len;
        }
        if (!hadFlags && sendMic) w.Add(AvId.MsvAvFlags, (uint)AvFlags.MicPresent);
        w.Add(AvId.MsvAvChannelBindings, new byte[16]);
        if (!string.IsNullOrEmpty(TargetSpn)) w.Add(AvId.MsvAvTargetName, Encoding.Unicode.GetBytes(TargetSpn));
        return w.ToArray();
    }
}
