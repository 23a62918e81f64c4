using System.Buffers.Binary;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>
/// [MS-NLMP] 2.2.1.1 NEGOTIATE_MESSAGE, a view over the client's first token. Old clients send only the first
/// 16 bytes (no domain/workstation descriptors), so those are optional here, as Samba and Windows accept.
/// </summary>
public readonly ref struct NtlmNegotiateMessage
{
    public const int MinimumSize = 16;
    private const int OffFlags = 12, OffDomain = 16, OffWorkstation = 24, OffVersion = 32, FixedSize = 40;

    private readonly ReadOnlySpan<byte> _b;
    private NtlmNegotiateMessage(ReadOnlySpan<byte> b) => _b = b;

    /// <summary>The whole message, as the MIC covers it ([MS-NLMP] 3.1.5.1.2).</summary>
    public ReadOnlySpan<byte> Bytes => _b;
    public NtlmNegotiateFlags Flags => (NtlmNegotiateFlags)BinaryPrimitives.ReadUInt32LittleEndian(_b[OffFlags..]);

    public static bool TryParse(ReadOnlySpan<byte> message, out NtlmNegotiateMessage result)
    {
        result = default;
        if (!NtlmWire.HasHeader(message, NtlmWire.TypeNegotiate, MinimumSize)) return false;
        // The descriptors, when present, must point inside the message.
        if (message.Length >= OffWorkstation + NtlmWire.FieldSize)
        {
            if (!NtlmWire.TryField(message, OffDomain, out _, out _)) return false;
            if (!NtlmWire.TryField(message, OffWorkstation, out _, out _)) return false;
        }
        result = new NtlmNegotiateMessage(message);
        return true;
    }

    /// <summary>Writes a NEGOTIATE with no domain/workstation and a VERSION; returns its length (40).</summary>
    public static int Write(Span<byte> dest, NtlmNegotiateFlags flags)
    {
        dest[..FixedSize].Clear();
        NtlmWire.Signature.CopyTo(dest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], NtlmWire.TypeNegotiate);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffFlags..], (uint)flags);
        NtlmWire.WriteField(dest, OffDomain, FixedSize, 0);
        NtlmWire.WriteField(dest, OffWorkstation, FixedSize, 0);
        if ((flags & NtlmNegotiateFlags.Version) != 0) NtlmWire.WriteVersion(dest[OffVersion..]);
        return FixedSize;
    }
}
