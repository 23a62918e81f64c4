using System.Buffers.Binary;

namespace FastSmb.Protocol.Smb2;

/// <summary>
/// [MS-SMB2] 2.1 Direct TCP framing: every SMB2 message is preceded by a 4-byte header, one zero byte and a
/// 24-bit big-endian length ("Stream Protocol Length").
/// </summary>
public static class DirectTcpFraming
{
    public const int HeaderSize = 4;

    /// <summary>The largest length a 24-bit field can carry; the connection sets its own lower limit.</summary>
    public const int MaxFrameLength = 0xFFFFFF;

    public enum FrameResult { NeedMore, Complete, Invalid }

    /// <summary>
    /// Looks at buffered bytes: Complete with the message length when a whole frame is present, NeedMore when
    /// not yet, Invalid when the first byte is not zero (not a Direct TCP frame: NetBIOS session requests and
    /// garbage alike) or the length exceeds <paramref name="maxMessageLength"/>.
    /// </summary>
    public static FrameResult TryReadFrame(ReadOnlySpan<byte> buffered, int maxMessageLength, out int messageLength)
    {
        messageLength = 0;
        if (buffered.Length < HeaderSize) return FrameResult.NeedMore;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(buffered);
        if ((word >> 24) != 0) return FrameResult.Invalid;
        int length = (int)(word & 0xFFFFFF);
        if (length == 0 || length > maxMessageLength) return FrameResult.Invalid;
        messageLength = length;
        return buffered.Length - HeaderSize >= length ? FrameResult.Complete : FrameResult.NeedMore;
    }

    public static void WriteHeader(Span<byte> destination, int messageLength) =>
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)messageLength & 0xFFFFFF);
}
