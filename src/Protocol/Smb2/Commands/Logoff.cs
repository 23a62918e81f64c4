using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.7 SMB2 LOGOFF Request: StructureSize and Reserved only.</summary>
public readonly ref struct LogoffRequest
{
    /// <summary>"The client MUST set this field to 4, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 4;
    public const int Size = 4;

    public static bool TryParse(ReadOnlySpan<byte> message, out LogoffRequest value)
    {
        value = default;
        return TryGetBody(message, StructureSize, out _);
    }

    /// <summary>Client side; returns 4.</summary>
    public static int Write(Span<byte> body) => FourByteBody.Write(body, StructureSize);
}

/// <summary>[MS-SMB2] 2.2.8 SMB2 LOGOFF Response: StructureSize and Reserved only.</summary>
public readonly ref struct LogoffResponse
{
    /// <summary>"The server MUST set this field to 4, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 4;
    public const int Size = 4;

    public static bool TryParse(ReadOnlySpan<byte> message, out LogoffResponse value)
    {
        value = default;
        return TryGetBody(message, StructureSize, out _);
    }

    /// <summary>Returns 4.</summary>
    public static int Write(Span<byte> body) => FourByteBody.Write(body, StructureSize);
}
