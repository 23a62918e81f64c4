using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// The request-size table checked before any handler runs (the role ksmbd's smb2misc.c plays): for each of the
/// 19 commands the StructureSize the spec fixes ([MS-SMB2] 2.2.3 – 2.2.39), and where its variable buffers'
/// offset/length fields sit, so a handler only ever sees a request whose fixed part is present and whose
/// buffers lie inside the message. Handlers still parse with the command's own view.
/// </summary>
public static class Smb2RequestSizes
{
    /// <summary>How an offset/length pair is laid out in a request body. Width is 2 or 4 bytes.</summary>
    private readonly record struct BufferField(byte OffsetPos, byte OffsetWidth, byte LengthPos, byte LengthWidth);

    private readonly record struct Entry(ushort StructureSize, ushort AltStructureSize, BufferField? A, BufferField? B);

    // 2.2.9 SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT and the fixed part of the 2.2.9.1 extension.
    private const ushort TreeConnectExtensionPresent = 0x0004;
    private const int TreeConnectExtensionHeaderSize = 16;

    private static BufferField F16(byte off, byte len) => new(off, 2, len, 2);

    private static readonly Entry[] Table = Build();

    private static Entry[] Build()
    {
        var t = new Entry[19];
        t[(int)Smb2Command.Negotiate] = new(36, 0, null, null);                         // 2.2.3; dialects checked below
        t[(int)Smb2Command.SessionSetup] = new(25, 0, F16(12, 14), null);               // 2.2.5 SecurityBuffer
        t[(int)Smb2Command.Logoff] = new(4, 0, null, null);                             // 2.2.7
        t[(int)Smb2Command.TreeConnect] = new(9, 0, F16(4, 6), null);                   // 2.2.9 Path
        t[(int)Smb2Command.TreeDisconnect] = new(4, 0, null, null);                     // 2.2.11
        t[(int)Smb2Command.Create] = new(57, 0, F16(44, 46), new(48, 4, 52, 4));        // 2.2.13 Name, CreateContexts
        t[(int)Smb2Command.Close] = new(24, 0, null, null);                             // 2.2.15
        t[(int)Smb2Command.Flush] = new(24, 0, null, null);                             // 2.2.17
        t[(int)Smb2Command.Read] = new(49, 0, F16(44, 46), null);                       // 2.2.19 ReadChannelInfo
        t[(int)Smb2Command.Write] = new(49, 0, new(2, 2, 4, 4), F16(40, 42));           // 2.2.21 Data, WriteChannelInfo
        t[(int)Smb2Command.Lock] = new(48, 0, null, null);                              // 2.2.26; Locks checked below
        t[(int)Smb2Command.Ioctl] = new(57, 0, new(24, 4, 28, 4), new(36, 4, 40, 4));   // 2.2.31 Input, Output
        t[(int)Smb2Command.Cancel] = new(4, 0, null, null);                             // 2.2.30
        t[(int)Smb2Command.Echo] = new(4, 0, null, null);                               // 2.2.28
        t[(int)Smb2Command.QueryDirectory] = new(33, 0, F16(24, 26), null);             // 2.2.33 FileName
        t[(int)Smb2Command.ChangeNotify] = new(32, 0, null, null);                      // 2.2.35
        t[(int)Smb2Command.QueryInfo] = new(41, 0, new(8, 2, 12, 4), null);             // 2.2.37 InputBuffer
        t[(int)Smb2Command.SetInfo] = new(33, 0, new(8, 2, 4, 4), null);                // 2.2.39 Buffer
        t[(int)Smb2Command.OplockBreak] = new(24, 36, null, null);                      // 2.2.24.1 oplock / 2.2.24.2 lease ack
        return t;
    }

    /// <summary>The StructureSize [MS-SMB2] fixes for a request, or 0 for an unknown command.</summary>
    public static ushort StructureSizeOf(Smb2Command command) =>
        (uint)command < (uint)Table.Length ? Table[(int)command].StructureSize : (ushort)0;

    /// <summary>
    /// Validates one request message (header + body, already sliced by NextCommand). On failure
    /// <paramref name="error"/> is STATUS_INVALID_PARAMETER, what Samba (smbd_smb2_request_verify_sizes) and ksmbd
    /// answer for a wrong StructureSize, a short body or a buffer outside the message. For an unknown command code
    /// Samba and ksmbd also answer STATUS_INVALID_PARAMETER; we do the same (Windows servers were not checked here).
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> message, out NtStatus error)
    {
        error = NtStatus.InvalidParameter;
        if (!Smb2Header.TryParse(message, out var header)) return false;
        var command = header.Command;
        if ((uint)command >= (uint)Table.Length) return false;
        var e = Table[(int)command];

        if (message.Length < HeaderSize + 2) return false;
        ushort size = U16(message, HeaderSize);
        if (size != e.StructureSize && (e.AltStructureSize == 0 || size != e.AltStructureSize)) return false;
        int fixedSize = size & ~1;
        if (message.Length < HeaderSize + fixedSize) return false;
        var body = message[HeaderSize..];

        if (!CheckBuffer(message, body, e.A, fixedSize, command)) return false;
        if (!CheckBuffer(message, body, e.B, fixedSize, command)) return false;

        switch (command)
        {
            case Smb2Command.Negotiate:
                // 3.3.5.4: "If the DialectCount of the SMB2 NEGOTIATE Request is 0, the server MUST fail the request
                // with STATUS_INVALID_PARAMETER." The Dialects array follows the 36-byte fixed part.
                ushort dialects = U16(body, 2);
                if (dialects == 0 || body.Length < 36 + 2 * dialects) return false;
                break;
            case Smb2Command.Lock:
                // 2.2.26: LockCount "MUST be greater than or equal to 1"; the 48-byte structure holds the first
                // 24-byte SMB2_LOCK_ELEMENT and the rest follow.
                ushort locks = U16(body, 2);
                if (locks == 0 || body.Length < 24 + 24 * locks) return false;
                break;
        }

        error = NtStatus.Success;
        return true;
    }

    private static bool CheckBuffer(ReadOnlySpan<byte> message, ReadOnlySpan<byte> body, BufferField? field, int fixedSize,
        Smb2Command command)
    {
        if (field is not { } f) return true;
        // With the 3.1.1 tree-connect extension (2.2.9.1) the path sits inside the extension and its offset is
        // interpreted by TreeConnectRequest; here we only need the extension's 16-byte header to be present.
        if (command == Smb2Command.TreeConnect && (U16(body, 2) & TreeConnectExtensionPresent) != 0)
            return body.Length >= fixedSize + TreeConnectExtensionHeaderSize;
        uint offset = f.OffsetWidth == 2 ? U16(body, f.OffsetPos) : U32(body, f.OffsetPos);
        uint length = f.LengthWidth == 2 ? U16(body, f.LengthPos) : U32(body, f.LengthPos);
        return TryGetBuffer(message, offset, length, fixedSize, out _);
    }
}
