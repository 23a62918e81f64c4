using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.6 SessionFlags of the SESSION_SETUP response.</summary>
[Flags]
public enum Smb2SessionFlags : ushort
{
    None = 0,
    IsGuest = 0x0001,
    IsNull = 0x0002,
    EncryptData = 0x0004,
}

/// <summary>[MS-SMB2] 2.2.5 SMB2 SESSION_SETUP Request.</summary>
public readonly ref struct SessionSetupRequest
{
    /// <summary>"The client MUST set this field to 25, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 25;
    public const int FixedSize = 24;
    /// <summary>SMB2_SESSION_FLAG_BINDING: bind an existing session to a new connection (3.x multichannel).</summary>
    public const byte FlagBinding = 0x01;

    private const int OffFlags = 2, OffSecurityMode = 3, OffCapabilities = 4, OffChannel = 8, OffSecurityBufferOffset = 12,
        OffSecurityBufferLength = 14, OffPreviousSessionId = 16, OffBuffer = 24;

    private readonly ReadOnlySpan<byte> _body;

    private SessionSetupRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> securityBuffer)
    {
        _body = body;
        SecurityBuffer = securityBuffer;
    }

    public byte Flags => _body[OffFlags];
    public bool IsBinding => (Flags & FlagBinding) != 0;
    /// <summary>The 1-byte form of <see cref="Smb2SecurityMode"/>.</summary>
    public Smb2SecurityMode SecurityMode => (Smb2SecurityMode)_body[OffSecurityMode];
    public Smb2GlobalCapabilities Capabilities => (Smb2GlobalCapabilities)U32(_body, OffCapabilities);
    /// <summary>"This field MUST NOT be used and MUST be reserved. The client MUST set this to 0, and the server MUST ignore it on receipt."</summary>
    public uint Channel => U32(_body, OffChannel);
    public ulong PreviousSessionId => U64(_body, OffPreviousSessionId);
    public ReadOnlySpan<byte> SecurityBuffer { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out SessionSetupRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U16(body, OffSecurityBufferOffset), U16(body, OffSecurityBufferLength), FixedSize,
                out var security)) return false;
        value = new SessionSetupRequest(body, security);
        return true;
    }

    /// <summary>Client side: fixed part + security buffer at offset 88; returns 24 + its length.</summary>
    public static int Write(Span<byte> body, byte flags, byte securityMode, uint capabilities, ulong previousSessionId,
        ReadOnlySpan<byte> securityBuffer)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        body[OffFlags] = flags;
        body[OffSecurityMode] = securityMode;
        W32(body, OffCapabilities, capabilities);
        W16(body, OffSecurityBufferOffset, OffsetOf(OffBuffer));
        W16(body, OffSecurityBufferLength, securityBuffer.Length);
        W64(body, OffPreviousSessionId, previousSessionId);
        securityBuffer.CopyTo(body[OffBuffer..]);
        return OffBuffer + securityBuffer.Length;
    }
}

/// <summary>[MS-SMB2] 2.2.6 SMB2 SESSION_SETUP Response.</summary>
public readonly ref struct SessionSetupResponse
{
    /// <summary>"The server MUST set this to 9, indicating the size of the fixed part of the response structure not including the header."</summary>
    public const ushort StructureSize = 9;
    public const int FixedSize = 8;

    private const int OffSessionFlags = 2, OffSecurityBufferOffset = 4, OffSecurityBufferLength = 6, OffBuffer = 8;

    private readonly ReadOnlySpan<byte> _body;

    private SessionSetupResponse(ReadOnlySpan<byte> body, ReadOnlySpan<byte> securityBuffer)
    {
        _body = body;
        SecurityBuffer = securityBuffer;
    }

    public Smb2SessionFlags SessionFlags => (Smb2SessionFlags)U16(_body, OffSessionFlags);
    public ReadOnlySpan<byte> SecurityBuffer { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out SessionSetupResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U16(body, OffSecurityBufferOffset), U16(body, OffSecurityBufferLength), FixedSize,
                out var security)) return false;
        value = new SessionSetupResponse(body, security);
        return true;
    }

    /// <summary>Fixed part + security buffer at offset 72; returns 8 + its length.</summary>
    public static int Write(Span<byte> body, ushort sessionFlags, ReadOnlySpan<byte> securityBuffer)
    {
        W16(body, 0, StructureSize);
        W16(body, OffSessionFlags, sessionFlags);
        W16(body, OffSecurityBufferOffset, OffsetOf(OffBuffer));
        W16(body, OffSecurityBufferLength, securityBuffer.Length);
        securityBuffer.CopyTo(body[OffBuffer..]);
        return OffBuffer + securityBuffer.Length;
    }
}
