using System.Buffers.Binary;
using System.Text;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>
/// Pieces shared by the three NTLM messages ([MS-NLMP] 2.2): the "NTLMSSP\0" signature, the message type,
/// the 8-byte (Len, MaxLen, BufferOffset) field descriptors, and the VERSION structure (2.2.2.10).
/// </summary>
internal static class NtlmWire
{
    public static ReadOnlySpan<byte> Signature => "NTLMSSP\0"u8;
    public const int FieldSize = 8;
    public const int VersionSize = 8;

    public const uint TypeNegotiate = 1, TypeChallenge = 2, TypeAuthenticate = 3;

    /// <summary>Checks the signature and message type and that <paramref name="fixedLength"/> bytes are there.</summary>
    public static bool HasHeader(ReadOnlySpan<byte> m, uint type, int fixedLength) =>
        m.Length >= fixedLength && m.Length >= 12 && m[..8].SequenceEqual(Signature)
        && BinaryPrimitives.ReadUInt32LittleEndian(m[8..]) == type;

    /// <summary>
    /// Reads a field descriptor at <paramref name="at"/> and checks that the buffer it points to lies inside the
    /// message; an empty field (Len 0) is always valid whatever its offset says.
    /// </summary>
    public static bool TryField(ReadOnlySpan<byte> m, int at, out int offset, out int length)
    {
        length = BinaryPrimitives.ReadUInt16LittleEndian(m[at..]);
        uint off = BinaryPrimitives.ReadUInt32LittleEndian(m[(at + 4)..]);
        offset = 0;
        if (length == 0) return true;
        if (off > (uint)m.Length || (uint)m.Length - off < (uint)length) return false;
        offset = (int)off;
        return true;
    }

    public static void WriteField(Span<byte> m, int at, int offset, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(m[at..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(m[(at + 2)..], (ushort)length);
        BinaryPrimitives.WriteUInt32LittleEndian(m[(at + 4)..], (uint)offset);
    }

    /// <summary>
    /// Appends <paramref name="data"/> to the payload at <paramref name="cursor"/> and fills its descriptor.
    /// </summary>
    public static void Put(Span<byte> m, int descriptorAt, ReadOnlySpan<byte> data, ref int cursor)
    {
        WriteField(m, descriptorAt, cursor, data.Length);
        data.CopyTo(m[cursor..]);
        cursor += data.Length;
    }

    /// <summary>
    /// [MS-NLMP] 2.2.2.10 VERSION: ProductMajor, ProductMinor, ProductBuild, 3 reserved bytes, and
    /// NTLMRevisionCurrent = NTLMSSP_REVISION_W2K3 (0x0F). FastSmb reports 10.0 build 0.
    /// </summary>
    public static void WriteVersion(Span<byte> dest)
    {
        dest[..VersionSize].Clear();
        dest[0] = 10;
        dest[7] = 0x0F;
    }

    public static string DecodeString(ReadOnlySpan<byte> bytes, NtlmNegotiateFlags flags) =>
        (flags & NtlmNegotiateFlags.Unicode) != 0 ? Encoding.Unicode.GetString(bytes) : Encoding.Latin1.GetString(bytes);

    public static byte[] EncodeString(string s, NtlmNegotiateFlags flags) =>
        (flags & NtlmNegotiateFlags.Unicode) != 0 ? Encoding.Unicode.GetBytes(s) : Encoding.Latin1.GetBytes(s);
}
