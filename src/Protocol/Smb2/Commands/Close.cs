using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.15 SMB2 CLOSE Request.</summary>
public readonly ref struct CloseRequest
{
    /// <summary>"The client MUST set this field to 24, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 24;
    public const int Size = 24;
    /// <summary>SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB: "the client is requesting that the server return the attributes".</summary>
    public const ushort FlagPostQueryAttrib = 0x0001;

    private const int OffFlags = 2, OffFileId = 8;

    private readonly ReadOnlySpan<byte> _body;

    private CloseRequest(ReadOnlySpan<byte> body) => _body = body;

    public ushort Flags => U16(_body, OffFlags);
    public bool PostQueryAttributes => (Flags & FlagPostQueryAttrib) != 0;
    public FileId FileId => FileId.Read(_body[OffFileId..]);

    public static bool TryParse(ReadOnlySpan<byte> message, out CloseRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new CloseRequest(body);
        return true;
    }

    /// <summary>Client side; returns 24.</summary>
    public static int Write(Span<byte> body, ushort flags, FileId fileId)
    {
        W16(body, 0, StructureSize);
        W16(body, OffFlags, flags);
        W32(body, 4, 0u);
        fileId.Write(body[OffFileId..]);
        return Size;
    }
}

/// <summary>[MS-SMB2] 2.2.16 SMB2 CLOSE Response.</summary>
public readonly ref struct CloseResponse
{
    /// <summary>"The server MUST set this field to 60, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 60;
    public const int Size = 60;

    private const int OffFlags = 2, OffCreationTime = 8, OffLastAccessTime = 16, OffLastWriteTime = 24, OffChangeTime = 32,
        OffAllocationSize = 40, OffEndOfFile = 48, OffFileAttributes = 56;

    private readonly ReadOnlySpan<byte> _body;

    private CloseResponse(ReadOnlySpan<byte> body) => _body = body;

    public ushort Flags => U16(_body, OffFlags);
    public long CreationTime => I64(_body, OffCreationTime);
    public long LastAccessTime => I64(_body, OffLastAccessTime);
    public long LastWriteTime => I64(_body, OffLastWriteTime);
    public long ChangeTime => I64(_body, OffChangeTime);
    public long AllocationSize => I64(_body, OffAllocationSize);
    public long EndOfFile => I64(_body, OffEndOfFile);
    public uint FileAttributes => U32(_body, OffFileAttributes);

    public static bool TryParse(ReadOnlySpan<byte> message, out CloseResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new CloseResponse(body);
        return true;
    }

    /// <summary>
    /// Returns 60. Without SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB in <paramref name="flags"/> the attribute fields "MUST be
    /// set to 0" (2.2.16) — pass zeros.
    /// </summary>
    public static int Write(Span<byte> body, ushort flags, long creationTime, long lastAccessTime, long lastWriteTime,
        long changeTime, long allocationSize, long endOfFile, uint fileAttributes)
    {
        W16(body, 0, StructureSize);
        W16(body, OffFlags, flags);
        W32(body, 4, 0u);
        Fscc.FileNetworkOpenInformation.WriteFields(body[OffCreationTime..], creationTime, lastAccessTime, lastWriteTime,
            changeTime, allocationSize, endOfFile, fileAttributes);
        return Size;
    }
}
