using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.3 / 2.2.4 SecurityMode (the 2-byte NEGOTIATE form; SESSION_SETUP uses the low byte).</summary>
[Flags]
public enum Smb2SecurityMode : ushort
{
    None = 0,
    SigningEnabled = 0x0001,
    SigningRequired = 0x0002,
}

/// <summary>[MS-SMB2] 2.2.3 / 2.2.4 Capabilities (SMB2_GLOBAL_CAP_*).</summary>
[Flags]
public enum Smb2GlobalCapabilities : uint
{
    None = 0,
    Dfs = 0x00000001,
    Leasing = 0x00000002,
    LargeMtu = 0x00000004,
    MultiChannel = 0x00000008,
    PersistentHandles = 0x00000010,
    DirectoryLeasing = 0x00000020,
    Encryption = 0x00000040,
    Notifications = 0x00000080,
}

/// <summary>[MS-SMB2] 2.2.3 SMB2 NEGOTIATE Request.</summary>
public readonly ref struct NegotiateRequest
{
    /// <summary>"The client MUST set this field to 36, indicating the size of a NEGOTIATE request."</summary>
    public const ushort StructureSize = 36;
    public const int FixedSize = 36;

    private const int OffDialectCount = 2, OffSecurityMode = 4, OffCapabilities = 8, OffClientGuid = 12, OffDialects = 36;
    internal const int OffNegotiateContextOffset = 28, OffNegotiateContextCount = 32;

    private readonly ReadOnlySpan<byte> _body;

    private NegotiateRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> contexts)
    {
        _body = body;
        NegotiateContexts = contexts;
    }

    public ushort DialectCount => U16(_body, OffDialectCount);
    public Smb2SecurityMode SecurityMode => (Smb2SecurityMode)U16(_body, OffSecurityMode);
    public Smb2GlobalCapabilities Capabilities => (Smb2GlobalCapabilities)U32(_body, OffCapabilities);
    public Guid ClientGuid => new(_body.Slice(OffClientGuid, 16));
    /// <summary>Meaningful only when 3.1.1 is offered; otherwise these 8 bytes are ClientStartTime (see <see cref="ClientStartTime"/>).</summary>
    public uint NegotiateContextOffset => U32(_body, OffNegotiateContextOffset);
    public ushort NegotiateContextCount => U16(_body, OffNegotiateContextCount);
    /// <summary>The pre-3.1.1 reading of bytes 28..35 ("MUST NOT be used ... MUST be set to 0").</summary>
    public ulong ClientStartTime => U64(_body, OffNegotiateContextOffset);
    /// <summary>The Dialects array, DialectCount little-endian 16-bit values.</summary>
    public ReadOnlySpan<byte> Dialects => _body.Slice(OffDialects, 2 * DialectCount);
    public Smb2Dialect GetDialect(int i) => (Smb2Dialect)U16(_body, OffDialects + 2 * i);

    public bool Offers(Smb2Dialect dialect)
    {
        for (int i = 0; i < DialectCount; i++)
            if (GetDialect(i) == dialect) return true;
        return false;
    }

    /// <summary>The NegotiateContextList from NegotiateContextOffset to the end of the message; empty unless 3.1.1 is offered.</summary>
    public ReadOnlySpan<byte> NegotiateContexts { get; }

    public NegotiateContextList GetNegotiateContexts() =>
        new(NegotiateContexts, NegotiateContexts.IsEmpty ? 0 : NegotiateContextCount);

    public static bool TryParse(ReadOnlySpan<byte> message, out NegotiateRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        int count = U16(body, OffDialectCount);
        // 3.3.5.4: "If the DialectCount of the SMB2 NEGOTIATE Request is 0, the server MUST fail the request with
        // STATUS_INVALID_PARAMETER."
        if (count == 0) return false;
        if (body.Length < OffDialects + 2 * count) return false;

        var contexts = ReadOnlySpan<byte>.Empty;
        bool offers311 = false;
        for (int i = 0; i < count; i++)
            if (U16(body, OffDialects + 2 * i) == (ushort)Smb2Dialect.Smb311) offers311 = true;
        ushort contextCount = U16(body, OffNegotiateContextCount);
        if (offers311 && contextCount > 0)
        {
            uint offset = U32(body, OffNegotiateContextOffset);
            // 2.2.3: NegotiateContextOffset is "the offset, in bytes, from the beginning of the SMB2 header to the first,
            // 8-byte-aligned negotiate context"; it follows the Dialects array.
            if (offset % 8 != 0 || offset < (uint)OffsetOf(OffDialects + 2 * count) || offset > (uint)message.Length) return false;
            contexts = message[(int)offset..];
            if (!NegotiateContextList.TryValidate(contexts, contextCount)) return false;
        }
        value = new NegotiateRequest(body, contexts);
        return true;
    }

    /// <summary>
    /// Client side: writes the fixed part and the Dialects array; returns 36 + 2·dialects. For 3.1.1 append contexts
    /// with <see cref="NegotiateContextWriter.ForRequest"/>.
    /// </summary>
    public static int Write(Span<byte> body, ushort securityMode, uint capabilities, Guid clientGuid,
        ReadOnlySpan<Smb2Dialect> dialects, ulong clientStartTime = 0)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        W16(body, OffDialectCount, dialects.Length);
        W16(body, OffSecurityMode, securityMode);
        W32(body, OffCapabilities, capabilities);
        clientGuid.TryWriteBytes(body.Slice(OffClientGuid, 16));
        W64(body, OffNegotiateContextOffset, clientStartTime);
        for (int i = 0; i < dialects.Length; i++) W16(body, OffDialects + 2 * i, (ushort)dialects[i]);
        return OffDialects + 2 * dialects.Length;
    }
}

/// <summary>[MS-SMB2] 2.2.4 SMB2 NEGOTIATE Response.</summary>
public readonly ref struct NegotiateResponse
{
    /// <summary>"The server MUST set this field to 65, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 65;
    public const int FixedSize = 64;

    private const int OffSecurityMode = 2, OffDialectRevision = 4, OffServerGuid = 8, OffCapabilities = 24,
        OffMaxTransactSize = 28, OffMaxReadSize = 32, OffMaxWriteSize = 36, OffSystemTime = 40, OffServerStartTime = 48,
        OffSecurityBufferOffset = 56, OffSecurityBufferLength = 58, OffBuffer = 64;
    internal const int OffNegotiateContextCount = 6, OffNegotiateContextOffset = 60;

    private readonly ReadOnlySpan<byte> _body;

    private NegotiateResponse(ReadOnlySpan<byte> body, ReadOnlySpan<byte> securityBuffer, ReadOnlySpan<byte> contexts)
    {
        _body = body;
        SecurityBuffer = securityBuffer;
        NegotiateContexts = contexts;
    }

    public Smb2SecurityMode SecurityMode => (Smb2SecurityMode)U16(_body, OffSecurityMode);
    public Smb2Dialect DialectRevision => (Smb2Dialect)U16(_body, OffDialectRevision);
    public ushort NegotiateContextCount => U16(_body, OffNegotiateContextCount);
    public Guid ServerGuid => new(_body.Slice(OffServerGuid, 16));
    public Smb2GlobalCapabilities Capabilities => (Smb2GlobalCapabilities)U32(_body, OffCapabilities);
    public uint MaxTransactSize => U32(_body, OffMaxTransactSize);
    public uint MaxReadSize => U32(_body, OffMaxReadSize);
    public uint MaxWriteSize => U32(_body, OffMaxWriteSize);
    /// <summary>FILETIME (100 ns since 1601, UTC).</summary>
    public long SystemTime => I64(_body, OffSystemTime);
    public long ServerStartTime => I64(_body, OffServerStartTime);
    public uint NegotiateContextOffset => U32(_body, OffNegotiateContextOffset);
    public ReadOnlySpan<byte> SecurityBuffer { get; }
    public ReadOnlySpan<byte> NegotiateContexts { get; }

    public NegotiateContextList GetNegotiateContexts() =>
        new(NegotiateContexts, NegotiateContexts.IsEmpty ? 0 : NegotiateContextCount);

    public static bool TryParse(ReadOnlySpan<byte> message, out NegotiateResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U16(body, OffSecurityBufferOffset), U16(body, OffSecurityBufferLength), FixedSize,
                out var security)) return false;
        var contexts = ReadOnlySpan<byte>.Empty;
        ushort contextCount = U16(body, OffNegotiateContextCount);
        // 2.2.4: NegotiateContextCount/Offset are used only "If the DialectRevision field is 0x0311".
        if (U16(body, OffDialectRevision) == (ushort)Smb2Dialect.Smb311 && contextCount > 0)
        {
            uint offset = U32(body, OffNegotiateContextOffset);
            if (offset % 8 != 0 || offset < (uint)OffsetOf(FixedSize) || offset > (uint)message.Length) return false;
            contexts = message[(int)offset..];
            if (!NegotiateContextList.TryValidate(contexts, contextCount)) return false;
        }
        value = new NegotiateResponse(body, security, contexts);
        return true;
    }

    /// <summary>
    /// Writes the 64-byte fixed part and the security buffer right after it (offset 128); returns 64 + its length.
    /// NegotiateContextCount/Offset are left 0; for 3.1.1 append contexts with <see cref="NegotiateContextWriter.ForResponse"/>.
    /// </summary>
    public static int Write(Span<byte> body, ushort securityMode, Smb2Dialect dialect, Guid serverGuid, uint capabilities,
        uint maxTransactSize, uint maxReadSize, uint maxWriteSize, long systemTimeFileTime, long serverStartTimeFileTime,
        ReadOnlySpan<byte> securityBuffer)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        W16(body, OffSecurityMode, securityMode);
        W16(body, OffDialectRevision, (ushort)dialect);
        serverGuid.TryWriteBytes(body.Slice(OffServerGuid, 16));
        W32(body, OffCapabilities, capabilities);
        W32(body, OffMaxTransactSize, maxTransactSize);
        W32(body, OffMaxReadSize, maxReadSize);
        W32(body, OffMaxWriteSize, maxWriteSize);
        W64(body, OffSystemTime, systemTimeFileTime);
        W64(body, OffServerStartTime, serverStartTimeFileTime);
        W16(body, OffSecurityBufferOffset, OffsetOf(OffBuffer));
        W16(body, OffSecurityBufferLength, securityBuffer.Length);
        securityBuffer.CopyTo(body[OffBuffer..]);
        return OffBuffer + securityBuffer.Length;
    }
}
