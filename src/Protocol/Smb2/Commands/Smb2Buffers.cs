using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// Checks shared by every command codec. All SMB2 buffer offsets are relative to the start of the 64-byte header
/// ([MS-SMB2] 2.2.1), so a codec sees the whole message (header + this command's body) and validates each
/// offset/length pair against it. Pure functions; no state.
/// </summary>
public static class Smb2Buffers
{
    public const int HeaderSize = Smb2Header.Size;

    /// <summary>
    /// Returns the body when the message holds a header and at least the fixed part of a structure whose
    /// StructureSize field equals <paramref name="structureSize"/>. An odd StructureSize counts one byte of the
    /// variable Buffer ([MS-SMB2] 2.2: "the StructureSize ... is the size of the fixed part plus 1 if there is a
    /// variable part"), so the fixed part is <c>structureSize &amp; ~1</c> bytes.
    /// </summary>
    public static bool TryGetBody(ReadOnlySpan<byte> message, ushort structureSize, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (message.Length < HeaderSize + (structureSize & ~1)) return false;
        var b = message[HeaderSize..];
        if (BinaryPrimitives.ReadUInt16LittleEndian(b) != structureSize) return false;
        body = b;
        return true;
    }

    /// <summary>
    /// Resolves a header-relative (offset, length) pair to the bytes it names. A zero length yields an empty span
    /// whatever the offset (the spec tells receivers to ignore the offset of an empty buffer in several places,
    /// e.g. 2.2.13 "If NameLength is 0 ... the server MUST ignore NameOffset"-style rules, and clients send stale ones).
    /// A non-empty buffer must start at or after the end of the fixed part (<paramref name="fixedSize"/> body bytes)
    /// and end inside the message.
    /// </summary>
    public static bool TryGetBuffer(ReadOnlySpan<byte> message, uint offset, uint length, int fixedSize, out ReadOnlySpan<byte> buffer)
    {
        buffer = default;
        if (length == 0) return true;
        if (offset < (uint)(HeaderSize + fixedSize)) return false;
        if ((ulong)offset + length > (ulong)message.Length) return false;
        buffer = message.Slice((int)offset, (int)length);
        return true;
    }

    /// <summary>Rounds up to the next multiple of 8 (create contexts, negotiate contexts, compounds).</summary>
    public static int Align8(int value) => (value + 7) & ~7;

    /// <summary>The header-relative offset of a position in the body.</summary>
    public static int OffsetOf(int bodyPosition) => HeaderSize + bodyPosition;

    /// <summary>Decodes UTF-16LE (names and paths on the wire). Allocates; use the span properties on hot paths.</summary>
    public static string Utf16ToString(ReadOnlySpan<byte> utf16) => Encoding.Unicode.GetString(utf16);

    /// <summary>Writes <paramref name="text"/> as UTF-16LE; returns bytes written.</summary>
    public static int WriteUtf16(Span<byte> dest, ReadOnlySpan<char> text)
    {
        var bytes = MemoryMarshal.AsBytes(text);
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(dest);
        }
        else
        {
            for (int i = 0; i < text.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dest[(2 * i)..], text[i]);
        }
        return bytes.Length;
    }

    internal static ushort U16(ReadOnlySpan<byte> b, int off) => BinaryPrimitives.ReadUInt16LittleEndian(b[off..]);
    internal static uint U32(ReadOnlySpan<byte> b, int off) => BinaryPrimitives.ReadUInt32LittleEndian(b[off..]);
    internal static ulong U64(ReadOnlySpan<byte> b, int off) => BinaryPrimitives.ReadUInt64LittleEndian(b[off..]);
    internal static long I64(ReadOnlySpan<byte> b, int off) => BinaryPrimitives.ReadInt64LittleEndian(b[off..]);
    internal static void W16(Span<byte> b, int off, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b[off..], v);
    internal static void W16(Span<byte> b, int off, int v) => BinaryPrimitives.WriteUInt16LittleEndian(b[off..], checked((ushort)v));
    internal static void W32(Span<byte> b, int off, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b[off..], v);
    internal static void W32(Span<byte> b, int off, int v) => BinaryPrimitives.WriteUInt32LittleEndian(b[off..], checked((uint)v));
    internal static void W64(Span<byte> b, int off, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b[off..], v);
    internal static void W64(Span<byte> b, int off, long v) => BinaryPrimitives.WriteInt64LittleEndian(b[off..], v);
}

/// <summary>The 4-byte bodies (StructureSize 4 + Reserved 2) of LOGOFF, ECHO, TREE_DISCONNECT and CANCEL.</summary>
internal static class FourByteBody
{
    public static int Write(Span<byte> body, ushort structureSize)
    {
        Smb2Buffers.W16(body, 0, structureSize);
        Smb2Buffers.W16(body, 2, (ushort)0); // Reserved: "MUST be set to 0"
        return 4;
    }
}
