using System.Security.Cryptography;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>Finds the NT hash (MD4 of the UTF-16LE password) of an account; false for unknown or disabled accounts.</summary>
public delegate bool NtHashLookup(string userName, out byte[] ntHash);

/// <summary>
/// The NTLM acceptor ([MS-NLMP] 3.2.5): answers a NEGOTIATE with a CHALLENGE and verifies the AUTHENTICATE —
/// NTLMv2 only (an NTLMv1/LM response is refused), key exchange, MIC — or accepts an anonymous logon.
/// One instance per exchange; owned by the connection's thread; not thread-safe.
/// </summary>
public sealed class NtlmServer
{
    /// <summary>Flags always offered; the client's Sign/Seal/KeyExch/128/56 requests are added when asked.</summary>
    private const NtlmNegotiateFlags BaseFlags =
        NtlmNegotiateFlags.RequestTarget | NtlmNegotiateFlags.Ntlm | NtlmNegotiateFlags.AlwaysSign |
        NtlmNegotiateFlags.TargetTypeServer | NtlmNegotiateFlags.ExtendedSessionSecurity |
        NtlmNegotiateFlags.TargetInfo | NtlmNegotiateFlags.Version;
    private const NtlmNegotiateFlags Echoed =
        NtlmNegotiateFlags.Sign | NtlmNegotiateFlags.Seal | NtlmNegotiateFlags.KeyExchange |
        NtlmNegotiateFlags.Negotiate128 | NtlmNegotiateFlags.Negotiate56;

    private readonly ServerIdentity _names;
    private readonly NtHashLookup _lookup;
    private byte[] _serverChallenge;
    private byte[]? _replayedChallenge;
    private byte[]? _negotiate, _challenge;
    private NtlmNegotiateFlags _challengeFlags;

    /// <param name="serverChallenge">Tests only (replaying a capture); null draws 8 bytes from RandomNumberGenerator.</param>
    public NtlmServer(ServerIdentity names, NtHashLookup lookup, byte[]? serverChallenge = null)
    {
        _names = names;
        _lookup = lookup;
        if (serverChallenge is not null && serverChallenge.Length != 8)
            throw new ArgumentException("the server challenge is 8 bytes", nameof(serverChallenge));
        _serverChallenge = serverChallenge ?? RandomNumberGenerator.GetBytes(8);
    }

    /// <summary>
    /// Tests only: an acceptor that answers with a given CHALLENGE message, byte for byte, instead of its own. A
    /// captured client AUTHENTICATE can only be verified this way, because its MIC covers the CHALLENGE the
    /// client saw (the server challenge alone is not enough).
    /// </summary>
    public static NtlmServer ForReplay(ServerIdentity names, NtHashLookup lookup, byte[] challengeMessage)
    {
        if (!NtlmChallengeMessage.TryParse(challengeMessage, out var c))
            throw new ArgumentException("not a CHALLENGE_MESSAGE", nameof(challengeMessage));
        return new NtlmServer(names, lookup, c.ServerChallenge.ToArray()) { _replayedChallenge = challengeMessage };
    }

    /// <summary>Tests only: the FILETIME put in MsvAvTimestamp; null means now.</summary>
    internal long? FixedTime { get; set; }

    public string UserName { get; private set; } = "";
    public string DomainName { get; private set; } = "";
    public string Workstation { get; private set; } = "";
    public bool IsAnonymous { get; private set; }
    /// <summary>ExportedSessionKey after a successful non-anonymous AUTHENTICATE; empty otherwise.</summary>
    public byte[] ExportedSessionKey { get; private set; } = [];
    public NtlmNegotiateFlags NegotiatedFlags { get; private set; }

    /// <summary>
    /// Consumes the NEGOTIATE and returns the CHALLENGE (STATUS_MORE_PROCESSING_REQUIRED), or
    /// STATUS_INVALID_PARAMETER for a malformed token or a second NEGOTIATE.
    /// </summary>
    public NtStatus ProcessNegotiate(ReadOnlySpan<byte> token, out byte[]? challenge)
    {
        challenge = null;
        if (_negotiate is not null || !NtlmNegotiateMessage.TryParse(token, out var negotiate)) return NtStatus.InvalidParameter;
        _negotiate = token.ToArray();

        if (_replayedChallenge is not null)
        {
            NtlmChallengeMessage.TryParse(_replayedChallenge, out var replayed);
            _challengeFlags = replayed.Flags;
            challenge = _challenge = _replayedChallenge;
            return NtStatus.MoreProcessingRequired;
        }

        var clientFlags = negotiate.Flags;
        var flags = BaseFlags | (clientFlags & Echoed);
        flags |= (clientFlags & NtlmNegotiateFlags.Unicode) != 0 || (clientFlags & NtlmNegotiateFlags.Oem) == 0
            ? NtlmNegotiateFlags.Unicode : NtlmNegotiateFlags.Oem;
        _challengeFlags = flags;

        byte[] targetInfo = new AvPairWriter()
            .Add(AvId.MsvAvNbDomainName, _names.NetBiosDomainName)
            .Add(AvId.MsvAvNbComputerName, _names.NetBiosComputerName)
            .Add(AvId.MsvAvDnsDomainName, _names.DnsDomainName)
            .Add(AvId.MsvAvDnsComputerName, _names.DnsComputerName)
            .AddTimestamp(FixedTime ?? NtlmV2.FileTimeNow())
            .ToArray();
        byte[] targetName = NtlmWire.EncodeString(_names.NetBiosComputerName, flags);
        var c = new byte[NtlmChallengeMessage.GetSize(targetName.Length, targetInfo.Length)];
        NtlmChallengeMessage.Write(c, flags, _serverChallenge, targetName, targetInfo);
        _challenge = c;
        challenge = c;
        return NtStatus.MoreProcessingRequired;
    }

    /// <summary>
    /// Verifies the AUTHENTICATE: STATUS_SUCCESS, STATUS_LOGON_FAILURE (unknown user, wrong password, NTLMv1/LM,
    /// bad MIC), or STATUS_INVALID_PARAMETER (malformed, including an NTLMv2 response whose AV_PAIR list does not
    /// parse, or no CHALLENGE sent yet).
    /// </summary>
    public NtStatus ProcessAuthenticate(ReadOnlySpan<byte> token)
    {
        if (_negotiate is null || _challenge is null || !NtlmAuthenticateMessage.TryParse(token, out var auth))
            return NtStatus.InvalidParameter;
        UserName = auth.GetUserName();
        DomainName = auth.GetDomainName();
        Workstation = auth.GetWorkstation();
        NegotiatedFlags = auth.Flags;

        ReadOnlySpan<byte> nt = auth.NtChallengeResponse, lm = auth.LmChallengeResponse;

        // [MS-NLMP] 3.2.5.1.2 / 3.3: anonymous = empty user, empty NtChallengeResponse, and an empty or Z(1)
        // LmChallengeResponse. It yields no session key.
        if (UserName.Length == 0 && nt.IsEmpty && (lm.IsEmpty || (lm.Length == 1 && lm[0] == 0)))
        {
            IsAnonymous = true;
            return NtStatus.Success;
        }

        // NTLMv2 only: a 24-byte NtChallengeResponse is NTLMv1 (2.2.2.6); anything shorter than NTProofStr plus the
        // NTLMv2_CLIENT_CHALLENGE header cannot be NTLMv2.
        if (nt.Length == NtlmV2.NtlmV1ResponseSize || nt.Length < 16 + NtlmV2.ClientChallengeHeaderSize)
            return NtStatus.LogonFailure;
        ReadOnlySpan<byte> proof = nt[..16], temp = nt[16..];
        if (temp[0] != 1 || temp[1] != 1) return NtStatus.LogonFailure;
        ReadOnlySpan<byte> clientAvPairs = temp[NtlmV2.ClientChallengeHeaderSize..];
        if (!AvPairs.TryValidate(clientAvPairs)) return NtStatus.InvalidParameter;   // like Windows: smb2.session.ntlmssp_bug14932

        if (UserName.Length == 0 || !_lookup(UserName, out byte[] ntHash) || ntHash.Length != 16)
            return NtStatus.LogonFailure;

        Span<byte> responseKey = stackalloc byte[16];
        if (!TryMatchDomain(ntHash, proof, temp, responseKey)) return NtStatus.LogonFailure;

        Span<byte> keyExchangeKey = stackalloc byte[16];
        NtlmV2.SessionBaseKey(responseKey, proof, keyExchangeKey);
        var exported = new byte[16];
        bool keyExchange = (auth.Flags & _challengeFlags & NtlmNegotiateFlags.KeyExchange) != 0;
        if (keyExchange)
        {
            if (auth.EncryptedRandomSessionKey.Length != 16) return NtStatus.LogonFailure;
            NtlmV2.Rc4K(keyExchangeKey, auth.EncryptedRandomSessionKey, exported);
        }
        else
        {
            keyExchangeKey.CopyTo(exported);
        }

        // 3.2.5.1.2: when the client says it sent a MIC (MsvAvFlags bit 0x2), it must be there and must match.
        if ((AvPairs.GetFlags(clientAvPairs) & AvFlags.MicPresent) != 0)
        {
            if (!auth.HasMicField) return NtStatus.LogonFailure;
            Span<byte> mic = stackalloc byte[16];
            NtlmV2.Mic(exported, _negotiate, _challenge, token, mic);
            if (!CryptographicOperations.FixedTimeEquals(mic, auth.Mic)) return NtStatus.LogonFailure;
        }

        ExportedSessionKey = exported;
        return NtStatus.Success;
    }

    /// <summary>Session security (server side) for the mechListMIC; null unless authenticated with a key.</summary>
    public NtlmSessionSecurity? CreateSessionSecurity() =>
        ExportedSessionKey.Length == 16 ? new NtlmSessionSecurity(ExportedSessionKey, NegotiatedFlags, isClient: false) : null;

    /// <summary>
    /// NTOWFv2 uses the user name upper-cased and the domain as the client typed it; clients disagree on that
    /// domain, so like Samba we also try it upper-cased and empty.
    /// </summary>
    private bool TryMatchDomain(byte[] ntHash, ReadOnlySpan<byte> proof, ReadOnlySpan<byte> temp, Span<byte> responseKey)
    {
        Span<byte> expected = stackalloc byte[16];
        string upper = DomainName.ToUpperInvariant();
        foreach (string domain in (ReadOnlySpan<string>)[DomainName, upper, ""])
        {
            if (!ReferenceEquals(domain, DomainName) && domain == DomainName) continue;
            NtlmV2.ResponseKeyNt(ntHash, UserName, domain, responseKey);
            NtlmV2.NtProofStr(responseKey, _serverChallenge, temp, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, proof)) return true;
        }
        return false;
    }
}
