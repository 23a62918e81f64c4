using System.Buffers.Binary;

namespace FastSmb.Protocol.Smb2.Transform;

/// <summary>
/// [MS-SMB2] 2.2.41 SMB2 TRANSFORM_HEADER: the 52 bytes in front of an encrypted message (or compound chain).
/// ProtocolId 0xFD 'S' 'M' 'B', Signature (the AEAD tag), Nonce (11 bytes for CCM, 12 for GCM, rest zero),
/// OriginalMessageSize, Reserved, Flags (3.1.1) / EncryptionAlgorithm (3.0, 3.0.2) = 0x0001, SessionId.
/// </summary>
public readonly ref struct TransformHeader
{
    public const int Size = 52;
    public const uint ProtocolIdValue = 0x424D53FD; // 0xFD 'S' 'M' 'B' read little-endian
    /// <summary>3.1.1 "Encrypted" flag and the 3.0/3.0.2 "SMB2_ENCRYPTION_AES128_CCM" value: both 0x0001.</summary>
    public const ushort FlagEncrypted = 0x0001;

    internal const int OffSignature = 4, OffNonce = 20, OffOriginalMessageSize = 36, OffReserved = 40, OffFlags = 42,
        OffSessionId = 44;
    public const int SignatureSize = 16, NonceFieldSize = 16;
    /// <summary>The AEAD additional data: "the SMB2 TRANSFORM_HEADER, excluding the ProtocolId and Signature fields"
    /// ([MS-SMB2] 3.1.4.3), bytes 20..51.</summary>
    public const int AadOffset = OffNonce, AadSize = Size - OffNonce;

    private readonly ReadOnlySpan<byte> _b;

    private TransformHeader(ReadOnlySpan<byte> message) => _b = message;

    /// <summary>The whole message: header, then <see cref="EncryptedMessage"/>.</summary>
    public ReadOnlySpan<byte> Message => _b;
    public ReadOnlySpan<byte> Signature => _b.Slice(OffSignature, SignatureSize);
    public ReadOnlySpan<byte> Nonce => _b.Slice(OffNonce, NonceFieldSize);
    public uint OriginalMessageSize => BinaryPrimitives.ReadUInt32LittleEndian(_b[OffOriginalMessageSize..]);
    public ushort Flags => BinaryPrimitives.ReadUInt16LittleEndian(_b[OffFlags..]);
    public ulong SessionId => BinaryPrimitives.ReadUInt64LittleEndian(_b[OffSessionId..]);
    public ReadOnlySpan<byte> AssociatedData => _b.Slice(AadOffset, AadSize);
    public ReadOnlySpan<byte> EncryptedMessage => _b[Size..];

    /// <summary>True when the bytes start with the TRANSFORM ProtocolId (whether or not the rest is valid).</summary>
    public static bool IsTransform(ReadOnlySpan<byte> message) =>
        message.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(message) == ProtocolIdValue;

    /// <summary>
    /// Accepts a transform message whose framing is consistent ([MS-SMB2] 3.3.5.2.1.1): the ProtocolId, a payload
    /// at least as long as an SMB2 header, OriginalMessageSize equal to the payload length, Flags 0x0001. The
    /// SessionId and the tag are the decryptor's to check.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out TransformHeader header)
    {
        header = default;
        if (message.Length < Size + Smb2Header.Size || !IsTransform(message)) return false;
        var h = new TransformHeader(message);
        if (h.OriginalMessageSize != (uint)(message.Length - Size) || h.Flags != FlagEncrypted) return false;
        header = h;
        return true;
    }

    /// <summary>Writes every field but the Signature (zeroed; the cipher fills it in).</summary>
    public static void Write(Span<byte> dest, ReadOnlySpan<byte> nonce, uint originalMessageSize, ulong sessionId)
    {
        dest[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(dest, ProtocolIdValue);
        nonce.CopyTo(dest.Slice(OffNonce, NonceFieldSize));
        BinaryPrimitives.WriteUInt32LittleEndian(dest[OffOriginalMessageSize..], originalMessageSize);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[OffFlags..], FlagEncrypted);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[OffSessionId..], sessionId);
    }
}
