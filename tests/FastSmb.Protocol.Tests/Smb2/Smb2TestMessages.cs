using FastSmb.Protocol.Smb2;

namespace FastSmb.Protocol.Tests.Smb2;

/// <summary>Builds whole messages (64-byte header + body) for codec tests, the way the dispatcher hands them over.</summary>
internal static class Smb2TestMessages
{
    public delegate int BodyWriter(Span<byte> body);

    /// <summary>A request header for <paramref name="command"/> followed by whatever <paramref name="write"/> puts in the body.</summary>
    public static byte[] Request(Smb2Command command, BodyWriter write, int capacity = 4096)
    {
        var buf = new byte[capacity];
        Smb2Header.WriteRequest(buf, command, 1, 1, Smb2HeaderFlags.None, 7, 1, 0x1122334455667788);
        int n = write(buf.AsSpan(Smb2Header.Size));
        return buf.AsSpan(0, Smb2Header.Size + n).ToArray();
    }

    public static byte[] Response(Smb2Command command, BodyWriter write, int capacity = 4096, NtStatus status = NtStatus.Success)
    {
        var buf = new byte[capacity];
        Smb2Header.WriteResponse(buf, command, status, 1, 1, Smb2HeaderFlags.None, 7, 1, 0x1122334455667788);
        int n = write(buf.AsSpan(Smb2Header.Size));
        return buf.AsSpan(0, Smb2Header.Size + n).ToArray();
    }

    /// <summary>A request whose body is <paramref name="body"/> verbatim (for hand-built malformed bodies).</summary>
    public static byte[] RawRequest(Smb2Command command, byte[] body) =>
        Request(command, b => { body.CopyTo(b); return body.Length; });

    public static void PutU16(byte[] message, int bodyOffset, int value) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(Smb2Header.Size + bodyOffset), (ushort)value);

    public static void PutU32(byte[] message, int bodyOffset, uint value) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(Smb2Header.Size + bodyOffset), value);

    public static Smb2Command CommandOf(byte[] message) =>
        (Smb2Command)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(12));
}
