using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.17 SMB2 FLUSH Request.</summary>
public readonly ref struct FlushRequest
{
    /// <summary>"The client MUST set this field to 24, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 24;
    public const int Size = 24;

    private const int OffReserved1 = 2, OffReserved2 = 4, OffFileId = 8;

    private readonly ReadOnlySpan<byte> _body;

    private FlushRequest(ReadOnlySpan<byte> body) => _body = body;

    public FileId FileId => FileId.Read(_body[OffFileId..]);

    public static bool TryParse(ReadOnlySpan<byte> message, out FlushRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        value = new FlushRequest(body);
        return true;
    }

    /// <summary>Client side; returns 24. Reserved1/Reserved2: "The client MUST set this field to 0".</summary>
    public static int Write(Span<byte> body, FileId fileId)
    {
        W16(body, 0, StructureSize);
        W16(body, OffReserved1, (ushort)0);
        W32(body, OffReserved2, 0u);
        fileId.Write(body[OffFileId..]);
        return Size;
    }
}

/// <summary>[MS-SMB2] 2.2.18 SMB2 FLUSH Response: StructureSize and Reserved only.</summary>
public readonly ref struct FlushResponse
{
    /// <summary>"The server MUST set this field to 4, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 4;
    public const int Size = 4;

    public static bool TryParse(ReadOnlySpan<byte> message, out FlushResponse value)
    {
        value = default;
        return TryGetBody(message, StructureSize, out _);
    }

    /// <summary>Returns 4.</summary>
    public static int Write(Span<byte> body) => FourByteBody.Write(body, StructureSize);
}
