using System.Security.Cryptography;
using System.Text;
using FastSmb.Protocol.Crypto;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>
/// The NTLMv2 computations of [MS-NLMP] 3.3.2, key exchange (3.4.5.1 / 3.1.5.1.2), the MIC (3.1.5.1.2) and the
/// session-security keys (3.4.5.2 SIGNKEY, 3.4.5.3 SEALKEY). Pure functions; thread-safe.
/// </summary>
public static class NtlmV2
{
    public const int KeySize = 16;
    public const int ChallengeSize = 8;
    /// <summary>NTLMv2_CLIENT_CHALLENGE up to its AvPairs: RespType, HiRespType, Reserved1-2, TimeStamp, ChallengeFromClient, Reserved3.</summary>
    public const int ClientChallengeHeaderSize = 28;
    /// <summary>An NtChallengeResponse of exactly this size is NTLMv1 (2.2.2.6), which FastSmb refuses.</summary>
    public const int NtlmV1ResponseSize = 24;

    /// <summary>NT hash, NTOWFv1 of 3.3.1: MD4(UNICODE(Passwd)). What the user store keeps.</summary>
    public static byte[] NtHash(string password) => Md4.HashData(Encoding.Unicode.GetBytes(password));

    /// <summary>
    /// NTOWFv2 = HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(ConcatenationOf(Uppercase(User), UserDom))). Given the NT
    /// hash, so the server never needs the password. The result is ResponseKeyNT (= ResponseKeyLM).
    /// </summary>
    public static void ResponseKeyNt(ReadOnlySpan<byte> ntHash, string user, string domain, Span<byte> key16)
    {
        byte[] identity = Encoding.Unicode.GetBytes(user.ToUpperInvariant() + domain);
        HMACMD5.HashData(ntHash, identity, key16);
    }

    /// <summary>
    /// NTProofStr = HMAC_MD5(ResponseKeyNT, ConcatenationOf(CHALLENGE_MESSAGE.ServerChallenge, temp)), where temp is
    /// the NTLMv2_CLIENT_CHALLENGE (everything in NtChallengeResponse after the first 16 bytes).
    /// </summary>
    public static void NtProofStr(ReadOnlySpan<byte> responseKeyNt, ReadOnlySpan<byte> serverChallenge,
        ReadOnlySpan<byte> temp, Span<byte> proof16)
    {
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, responseKeyNt);
        h.AppendData(serverChallenge);
        h.AppendData(temp);
        h.GetHashAndReset(proof16);
    }

    /// <summary>
    /// temp = RespType 1, HiRespType 1, Z(6), Time, ClientChallenge, Z(4), ServerName (an AV_PAIR list ending with
    /// MsvAvEOL), Z(4).
    /// </summary>
    public static byte[] BuildTemp(long fileTime, ReadOnlySpan<byte> clientChallenge, ReadOnlySpan<byte> avPairs)
    {
        var t = new byte[ClientChallengeHeaderSize + avPairs.Length + 4];
        t[0] = 1;
        t[1] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(t.AsSpan(8), fileTime);
        clientChallenge.CopyTo(t.AsSpan(16));
        avPairs.CopyTo(t.AsSpan(ClientChallengeHeaderSize));
        return t;
    }

    /// <summary>LMv2 response: HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) || ClientChallenge (24 bytes).</summary>
    public static byte[] LmV2Response(ReadOnlySpan<byte> responseKey, ReadOnlySpan<byte> serverChallenge,
        ReadOnlySpan<byte> clientChallenge)
    {
        var r = new byte[24];
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, responseKey);
        h.AppendData(serverChallenge);
        h.AppendData(clientChallenge);
        h.GetHashAndReset(r.AsSpan(0, 16));
        clientChallenge.CopyTo(r.AsSpan(16));
        return r;
    }

    /// <summary>SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr); for NTLMv2 it is also the KeyExchangeKey (3.4.5.1).</summary>
    public static void SessionBaseKey(ReadOnlySpan<byte> responseKeyNt, ReadOnlySpan<byte> ntProofStr, Span<byte> key16) =>
        HMACMD5.HashData(responseKeyNt, ntProofStr, key16);

    /// <summary>
    /// RC4K(KeyExchangeKey, x): the client encrypts its random ExportedSessionKey, the server decrypts
    /// EncryptedRandomSessionKey — the same operation.
    /// </summary>
    public static void Rc4K(ReadOnlySpan<byte> keyExchangeKey, ReadOnlySpan<byte> input16, Span<byte> output16) =>
        Rc4.Transform(keyExchangeKey, input16, output16);

    /// <summary>
    /// MIC = HMAC_MD5(ExportedSessionKey, ConcatenationOf(NEGOTIATE_MESSAGE, CHALLENGE_MESSAGE, AUTHENTICATE_MESSAGE))
    /// with the AUTHENTICATE's MIC field set to zero.
    /// </summary>
    public static void Mic(ReadOnlySpan<byte> exportedSessionKey, ReadOnlySpan<byte> negotiate,
        ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> authenticate, Span<byte> mic16)
    {
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, exportedSessionKey);
        h.AppendData(negotiate);
        h.AppendData(challenge);
        h.AppendData(authenticate[..NtlmAuthenticateMessage.MicOffset]);
        h.AppendData(stackalloc byte[NtlmAuthenticateMessage.MicSize]);
        h.AppendData(authenticate[(NtlmAuthenticateMessage.MicOffset + NtlmAuthenticateMessage.MicSize)..]);
        h.GetHashAndReset(mic16);
    }

    private static ReadOnlySpan<byte> ClientSignMagic => "session key to client-to-server signing key magic constant\0"u8;
    private static ReadOnlySpan<byte> ServerSignMagic => "session key to server-to-client signing key magic constant\0"u8;
    private static ReadOnlySpan<byte> ClientSealMagic => "session key to client-to-server sealing key magic constant\0"u8;
    private static ReadOnlySpan<byte> ServerSealMagic => "session key to server-to-client sealing key magic constant\0"u8;

    /// <summary>SIGNKEY (3.4.5.2) with extended session security: MD5(ExportedSessionKey || magic).</summary>
    public static void SignKey(ReadOnlySpan<byte> exportedSessionKey, bool clientToServer, Span<byte> key16)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        h.AppendData(exportedSessionKey);
        h.AppendData(clientToServer ? ClientSignMagic : ServerSignMagic);
        h.GetHashAndReset(key16);
    }

    /// <summary>
    /// SEALKEY (3.4.5.3) with extended session security: the key is cut to 16, 7 or 5 bytes by NEGOTIATE_128 /
    /// NEGOTIATE_56 / neither, then MD5(key || magic).
    /// </summary>
    public static void SealKey(ReadOnlySpan<byte> exportedSessionKey, NtlmNegotiateFlags flags, bool clientToServer,
        Span<byte> key16)
    {
        int len = (flags & NtlmNegotiateFlags.Negotiate128) != 0 ? 16
            : (flags & NtlmNegotiateFlags.Negotiate56) != 0 ? 7 : 5;
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        h.AppendData(exportedSessionKey[..len]);
        h.AppendData(clientToServer ? ClientSealMagic : ServerSealMagic);
        h.GetHashAndReset(key16);
    }

    /// <summary>FILETIME now: 100 ns ticks since 1601-01-01 UTC, as MsvAvTimestamp and TimeStamp carry.</summary>
    public static long FileTimeNow() => DateTime.UtcNow.ToFileTimeUtc();
}
