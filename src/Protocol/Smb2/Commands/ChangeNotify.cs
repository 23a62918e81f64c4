using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.35 CompletionFilter bits (FILE_NOTIFY_CHANGE_*).</summary>
public static class CompletionFilter
{
    public const uint FileName = 0x00000001;
    public const uint DirName = 0x00000002;
    public const uint Attributes = 0x00000004;
    public const uint Size = 0x00000008;
    public const uint LastWrite = 0x00000010;
    public const uint LastAccess = 0x00000020;
    public const uint Creation = 0x00000040;
    public const uint Ea = 0x00000080;
    public const uint Security = 0x00000100;
    public const uint StreamName = 0x00000200;
    public const uint StreamSize = 0x00000400;
    public const uint StreamWrite = 0x00000800;
    public const uint All = 0x00000FFF;
}

/// <summary>[MS-SMB2] 2.2.35 SMB2 CHANGE_NOTIFY Request.</summary>
public readonly ref struct ChangeNotifyRequest
{
    /// <summary>"The client MUST set this field to 32, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 32;
    public const int Size = 32;
    /// <summary>SMB2_WATCH_TREE: "The request MUST monitor changes on any file or directory contained beneath the directory specified by FileId."</summary>
    public const ushort FlagWatchTree = 0x0001;

    private const int OffFlags = 2, OffOutputBufferLength = 4, OffFileId = 8, OffCompletionFilter = 24, OffReserved = 28;

    private readonly ReadOnlySpan<byte> _body;

    private ChangeNotifyRequest(ReadOnlySpan<byte> body) => _body = body;

    public ushort Flags => U16(_body, OffFlags);
    public bool WatchTree => (Flags & FlagWatchTree) != 0;
    /// <summary>"The maximum number of bytes the server is allowed to return in the SMB2 CHANGE_NOTIFY Response."</summary>
    public uint OutputBufferLength => U32(_body, OffOutputBufferLength);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    /// <summary>"Specifies the types of changes to monitor"; <see cref="Commands.CompletionFilter"/> bits.</summary>
    public uint CompletionFilter => U32(_body, OffCompletionFilter);

    public static bool TryParse(ReadOnlySpan<byte> message, out ChangeNotifyRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new ChangeNotifyRequest(body);
        return true;
    }

    /// <summary>Client side; returns 32.</summary>
    public static int Write(Span<byte> body, ushort flags, uint outputBufferLength, FileId fileId, uint completionFilter)
    {
        W16(body, 0, StructureSize);
        W16(body, OffFlags, flags);
        W32(body, OffOutputBufferLength, outputBufferLength);
        fileId.Write(body[OffFileId..]);
        W32(body, OffCompletionFilter, completionFilter);
        W32(body, OffReserved, 0u); // "This field MUST NOT be used and MUST be reserved. The client MUST set this field to 0"
        return Size;
    }
}

/// <summary>
/// [MS-SMB2] 2.2.36 SMB2 CHANGE_NOTIFY Response. The buffer is a chain of [MS-FSCC] 2.7.1 FILE_NOTIFY_INFORMATION
/// entries; it usually follows an interim STATUS_PENDING response (async).
/// </summary>
public readonly ref struct ChangeNotifyResponse
{
    /// <summary>"The server MUST set this field to 9, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = OutputBufferResponse.StructureSize;
    public const int FixedSize = OutputBufferResponse.FixedSize;
    public const ushort OutputBufferOffsetValue = OutputBufferResponse.OutputBufferOffsetValue;

    private ChangeNotifyResponse(ReadOnlySpan<byte> output) => OutputBuffer = output;

    public ReadOnlySpan<byte> OutputBuffer { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out ChangeNotifyResponse value)
    {
        value = default;
        if (!OutputBufferResponse.TryParse(message, out var output)) return false;
        value = new ChangeNotifyResponse(output);
        return true;
    }

    /// <summary>Writes the 8-byte fixed part (OutputBufferOffset 0x48) and returns 8; the caller appends the notifications at <c>body[8..]</c>.</summary>
    public static int WriteHeader(Span<byte> body, uint outputBufferLength) => OutputBufferResponse.WriteHeader(body, outputBufferLength);

    /// <summary><see cref="WriteHeader"/> plus a copy of <paramref name="outputBuffer"/>; returns 8 + its length (9 when empty).</summary>
    public static int Write(Span<byte> body, ReadOnlySpan<byte> outputBuffer) => OutputBufferResponse.Write(body, outputBuffer);
}
