using System.Buffers.Binary;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>
/// [MS-NLMP] 2.2.1.3 AUTHENTICATE_MESSAGE, a view over the client's last token. The MIC (16 bytes at offset 72)
/// exists only when the client sent a VERSION and left room for it before the payload; whether it must be
/// checked is said by MsvAvFlags in the NTLMv2 response (3.3.2 / 3.2.5.1.2), not by this structure.
/// </summary>
public readonly ref struct NtlmAuthenticateMessage
{
    private const int OffLm = 12, OffNt = 20, OffDomain = 28, OffUser = 36, OffWorkstation = 44, OffSessionKey = 52,
        OffFlags = 60, OffVersion = 64;
    public const int MicOffset = 72, MicSize = 16;
    public const int MinimumSize = 64;
    private const int FixedSizeWithMic = 88;

    private readonly ReadOnlySpan<byte> _b;
    private readonly int _payloadStart;

    private NtlmAuthenticateMessage(ReadOnlySpan<byte> b, int payloadStart)
    {
        _b = b; _payloadStart = payloadStart;
    }

    public ReadOnlySpan<byte> Bytes => _b;
    public NtlmNegotiateFlags Flags => (NtlmNegotiateFlags)BinaryPrimitives.ReadUInt32LittleEndian(_b[OffFlags..]);
    public ReadOnlySpan<byte> LmChallengeResponse => Field(OffLm);
    public ReadOnlySpan<byte> NtChallengeResponse => Field(OffNt);
    public ReadOnlySpan<byte> DomainName => Field(OffDomain);
    public ReadOnlySpan<byte> UserName => Field(OffUser);
    public ReadOnlySpan<byte> Workstation => Field(OffWorkstation);
    public ReadOnlySpan<byte> EncryptedRandomSessionKey => Field(OffSessionKey);
    /// <summary>True when the fixed part has room for a MIC (all payload starts at or after offset 88).</summary>
    public bool HasMicField => _payloadStart >= FixedSizeWithMic && _b.Length >= FixedSizeWithMic;
    public ReadOnlySpan<byte> Mic => HasMicField ? _b.Slice(MicOffset, MicSize) : default;

    public string GetUserName() => NtlmWire.DecodeString(UserName, Flags);
    public string GetDomainName() => NtlmWire.DecodeString(DomainName, Flags);
    public string GetWorkstation() => NtlmWire.DecodeString(Workstation, Flags);

    private ReadOnlySpan<byte> Field(int at)
    {
        NtlmWire.TryField(_b, at, out int off, out int len); // validated in TryParse
        return _b.Slice(off, len);
    }

    public static bool TryParse(ReadOnlySpan<byte> message, out NtlmAuthenticateMessage result)
    {
        result = default;
        if (!NtlmWire.HasHeader(message, NtlmWire.TypeAuthenticate, MinimumSize)) return false;
        int payloadStart = message.Length;
        foreach (int at in (ReadOnlySpan<int>)[OffLm, OffNt, OffDomain, OffUser, OffWorkstation, OffSessionKey])
        {
            if (!NtlmWire.TryField(message, at, out int off, out int len)) return false;
            if (len > 0)
            {
                // Buffers may not overlap the fixed header (64 bytes without a VERSION).
                if (off < MinimumSize) return false;
                payloadStart = Math.Min(payloadStart, off);
            }
        }
        result = new NtlmAuthenticateMessage(message, payloadStart);
        return true;
    }

    /// <summary>Size of a message written by <see cref="Write"/>.</summary>
    public static int GetSize(int lm, int nt, int domain, int user, int workstation, int sessionKey) =>
        FixedSizeWithMic + lm + nt + domain + user + workstation + sessionKey;

    /// <summary>
    /// Writes an AUTHENTICATE with a VERSION and a zeroed MIC field (the caller computes the MIC over the
    /// result and stores it at <see cref="MicOffset"/>). Strings are already encoded. Returns the length.
    /// </summary>
    public static int Write(Span<byte> dest, NtlmNegotiateFlags flags, ReadOnlySpan<byte> lmResponse,
        ReadOnlySpan<byte> ntResponse, ReadOnlySpan<byte> domain, ReadOnlySpan<byte> user,
        ReadOnlySpan<byte> workstation, ReadOnlySpan<byte> encryptedRandomSessionKey)
    {
        dest[..FixedSizeWithMic].Clear();
        NtlmWire.Signature.CopyTo(dest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], NtlmWire.TypeAuthenticate);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffFlags..], (uint)(flags | NtlmNegotiateFlags.Version));
        NtlmWire.WriteVersion(dest[OffVersion..]);
        int cursor = FixedSizeWithMic;
        // Payload order as Windows writes it: names first, then responses; any order is legal.
        NtlmWire.Put(dest, OffDomain, domain, ref cursor);
        NtlmWire.Put(dest, OffUser, user, ref cursor);
        NtlmWire.Put(dest, OffWorkstation, workstation, ref cursor);
        NtlmWire.Put(dest, OffLm, lmResponse, ref cursor);
        NtlmWire.Put(dest, OffNt, ntResponse, ref cursor);
        NtlmWire.Put(dest, OffSessionKey, encryptedRandomSessionKey, ref cursor);
        return cursor;
    }
}
