using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.10 ShareType.</summary>
public static class Smb2ShareType
{
    public const byte Disk = 0x01;
    public const byte Pipe = 0x02;
    public const byte Print = 0x03;
}

/// <summary>
/// [MS-SMB2] 2.2.9 SMB2 TREE_CONNECT Request, including the 3.1.1 form with the 2.2.9.1 extension
/// (SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT), where the path lives in the extension's PathName.
/// </summary>
public readonly ref struct TreeConnectRequest
{
    /// <summary>"The client MUST set this field to 9 ... regardless of how long Buffer[] actually is."</summary>
    public const ushort StructureSize = 9;
    public const int FixedSize = 8;

    public const ushort FlagClusterReconnect = 0x0001;
    public const ushort FlagRedirectToOwner = 0x0002;
    public const ushort FlagExtensionPresent = 0x0004;
    /// <summary>TreeConnectContextOffset (4), TreeConnectContextCount (2), Reserved (10) before PathName.</summary>
    public const int ExtensionHeaderSize = 16;

    private const int OffFlags = 2, OffPathOffset = 4, OffPathLength = 6, OffBuffer = 8;

    private readonly ReadOnlySpan<byte> _body;

    private TreeConnectRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> path, ReadOnlySpan<byte> extension)
    {
        _body = body;
        PathUtf16 = path;
        Extension = extension;
    }

    /// <summary>3.1.1 only; "If the dialect is not 3.1.1 ... the server MUST ignore it on receipt" — the handler decides.</summary>
    public ushort Flags => U16(_body, OffFlags);
    public bool HasExtension => !Extension.IsEmpty;
    /// <summary>"\\server\share" in UTF-16LE.</summary>
    public ReadOnlySpan<byte> PathUtf16 { get; }
    public string Path => Utf16ToString(PathUtf16);
    /// <summary>The 2.2.9.1 extension (from the Buffer field to the end of the message), empty when not present.</summary>
    public ReadOnlySpan<byte> Extension { get; }
    public uint TreeConnectContextOffset => HasExtension ? U32(Extension, 0) : 0;
    public ushort TreeConnectContextCount => HasExtension ? U16(Extension, 4) : (ushort)0;

    /// <summary>
    /// PathOffset is "the offset, in bytes, of the full share path name from the beginning of the packet header" (2.2.9).
    /// With the extension, the path is the extension's PathName; the spec keeps the header-relative reading, but an
    /// offset that would land inside the extension's 16-byte fixed part cannot be header-relative, so it is taken as
    /// relative to the extension start (the reading some implementations use). Either way the path must lie inside
    /// the message.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out TreeConnectRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        uint pathOffset = U16(body, OffPathOffset), pathLength = U16(body, OffPathLength);
        var extension = ReadOnlySpan<byte>.Empty;
        ReadOnlySpan<byte> path;
        if ((U16(body, OffFlags) & FlagExtensionPresent) != 0)
        {
            if (body.Length < OffBuffer + ExtensionHeaderSize) return false;
            extension = body[OffBuffer..];
            int pathNameStart = OffsetOf(OffBuffer + ExtensionHeaderSize);
            if (pathLength != 0 && pathOffset < pathNameStart) pathOffset += (uint)OffsetOf(OffBuffer);
            if (!TryGetBuffer(message, pathOffset, pathLength, OffBuffer + ExtensionHeaderSize, out path)) return false;
        }
        else if (!TryGetBuffer(message, pathOffset, pathLength, FixedSize, out path))
        {
            return false;
        }
        value = new TreeConnectRequest(body, path, extension);
        return true;
    }

    /// <summary>Client side, without extension: path (UTF-16) at offset 72; returns 8 + its byte length.</summary>
    public static int Write(Span<byte> body, ushort flags, ReadOnlySpan<char> path)
    {
        W16(body, 0, StructureSize);
        W16(body, OffFlags, flags);
        int n = WriteUtf16(body[OffBuffer..], path);
        W16(body, OffPathOffset, OffsetOf(OffBuffer));
        W16(body, OffPathLength, n);
        return OffBuffer + n;
    }

    /// <summary>
    /// Client side, 3.1.1 with the 2.2.9.1 extension and no tree connect contexts: sets FlagExtensionPresent and puts
    /// the path in PathName (PathOffset header-relative, as 2.2.9 states).
    /// </summary>
    public static int WriteWithExtension(Span<byte> body, ushort flags, ReadOnlySpan<char> path)
    {
        W16(body, 0, StructureSize);
        W16(body, OffFlags, (ushort)(flags | FlagExtensionPresent));
        body.Slice(OffBuffer, ExtensionHeaderSize).Clear();
        int pathPos = OffBuffer + ExtensionHeaderSize;
        int n = WriteUtf16(body[pathPos..], path);
        W16(body, OffPathOffset, OffsetOf(pathPos));
        W16(body, OffPathLength, n);
        return pathPos + n;
    }
}

/// <summary>[MS-SMB2] 2.2.10 SMB2 TREE_CONNECT Response.</summary>
public readonly ref struct TreeConnectResponse
{
    /// <summary>"The server MUST set this field to 16, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 16;
    public const int Size = 16;

    private const int OffShareType = 2, OffShareFlags = 4, OffCapabilities = 8, OffMaximalAccess = 12;

    private readonly ReadOnlySpan<byte> _body;

    private TreeConnectResponse(ReadOnlySpan<byte> body) => _body = body;

    public byte ShareType => _body[OffShareType];
    public uint ShareFlags => U32(_body, OffShareFlags);
    public uint Capabilities => U32(_body, OffCapabilities);
    public uint MaximalAccess => U32(_body, OffMaximalAccess);

    public static bool TryParse(ReadOnlySpan<byte> message, out TreeConnectResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new TreeConnectResponse(body);
        return true;
    }

    /// <summary>Returns 16.</summary>
    public static int Write(Span<byte> body, byte shareType, uint shareFlags, uint capabilities, uint maximalAccess)
    {
        W16(body, 0, StructureSize);
        body[OffShareType] = shareType;
        body[3] = 0; // Reserved: "This field MUST NOT be used and MUST be reserved. The server MUST set this to 0"
        W32(body, OffShareFlags, shareFlags);
        W32(body, OffCapabilities, capabilities);
        W32(body, OffMaximalAccess, maximalAccess);
        return Size;
    }
}
