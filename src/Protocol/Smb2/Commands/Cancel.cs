using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// [MS-SMB2] 2.2.30 SMB2 CANCEL Request: StructureSize and Reserved only. The request it cancels is named by the
/// header (MessageId, or AsyncId with SMB2_FLAGS_ASYNC_COMMAND); the client "MUST NOT" expect a response
/// (3.3.5.16: "The server MUST NOT send a response to the SMB2 CANCEL Request"), so there is no response codec.
/// </summary>
public readonly ref struct CancelRequest
{
    /// <summary>"The client MUST set this field to 4, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 4;
    public const int Size = 4;

    public static bool TryParse(ReadOnlySpan<byte> message, out CancelRequest value)
    {
        value = default;
        return TryGetBody(message, StructureSize, out _);
    }

    /// <summary>Client side; returns 4.</summary>
    public static int Write(Span<byte> body) => FourByteBody.Write(body, StructureSize);
}
