using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>FSCTL/IOCTL control codes that reach an SMB2 server ([MS-SMB2] 2.2.31, [MS-FSCC] 2.3).</summary>
public static class FsctlCodes
{
    public const uint FSCTL_DFS_GET_REFERRALS = 0x00060194;
    public const uint FSCTL_DFS_GET_REFERRALS_EX = 0x000601B0;
    public const uint FSCTL_SET_SPARSE = 0x000900C4;
    public const uint FSCTL_GET_COMPRESSION = 0x0009003C;
    public const uint FSCTL_SET_COMPRESSION = 0x0009C040;
    public const uint FSCTL_FILE_LEVEL_TRIM = 0x00098208;
    public const uint FSCTL_GET_OBJECT_ID = 0x0009009C;
    public const uint FSCTL_SET_OBJECT_ID = 0x00090098;
    public const uint FSCTL_DELETE_OBJECT_ID = 0x000900A0;
    public const uint FSCTL_SET_REPARSE_POINT = 0x000900A4;
    public const uint FSCTL_DELETE_REPARSE_POINT = 0x000900AC;
    public const uint FSCTL_SET_ZERO_DATA = 0x000980C8;
    public const uint FSCTL_QUERY_ALLOCATED_RANGES = 0x000940CF;
    public const uint FSCTL_GET_REPARSE_POINT = 0x000900A8;
    public const uint FSCTL_CREATE_OR_GET_OBJECT_ID = 0x000900C0;
    public const uint FSCTL_GET_INTEGRITY_INFORMATION = 0x0009027C;
    public const uint FSCTL_DUPLICATE_EXTENTS_TO_FILE = 0x00098344;
    public const uint FSCTL_PIPE_PEEK = 0x0011400C;
    public const uint FSCTL_PIPE_WAIT = 0x00110018;
    public const uint FSCTL_PIPE_TRANSCEIVE = 0x0011C017;
    public const uint FSCTL_SRV_COPYCHUNK = 0x001440F2;
    public const uint FSCTL_SRV_COPYCHUNK_WRITE = 0x001480F2;
    public const uint FSCTL_SRV_ENUMERATE_SNAPSHOTS = 0x00144064;
    public const uint FSCTL_SRV_REQUEST_RESUME_KEY = 0x00140078;
    public const uint FSCTL_SRV_READ_HASH = 0x001441BB;
    public const uint FSCTL_LMR_REQUEST_RESILIENCY = 0x001401D4;
    public const uint FSCTL_QUERY_NETWORK_INTERFACE_INFO = 0x001401FC;
    public const uint FSCTL_VALIDATE_NEGOTIATE_INFO = 0x00140204;
}

/// <summary>[MS-SMB2] 2.2.31 SMB2 IOCTL Request.</summary>
public readonly ref struct IoctlRequest
{
    /// <summary>"The client MUST set this field to 57, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 57;
    public const int FixedSize = 56;
    /// <summary>SMB2_0_IOCTL_IS_FSCTL: "the request is an FSCTL"; otherwise an IOCTL.</summary>
    public const uint FlagIsFsctl = 0x00000001;

    private const int OffCtlCode = 4, OffFileId = 8, OffInputOffset = 24, OffInputCount = 28, OffMaxInputResponse = 32,
        OffOutputOffset = 36, OffOutputCount = 40, OffMaxOutputResponse = 44, OffFlags = 48, OffBuffer = 56;

    private readonly ReadOnlySpan<byte> _body;

    private IoctlRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> input, ReadOnlySpan<byte> output)
    {
        _body = body;
        Input = input;
        Output = output;
    }

    public uint CtlCode => U32(_body, OffCtlCode);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    public ReadOnlySpan<byte> Input { get; }
    /// <summary>Output data sent with the request; "SHOULD be 0" bytes for most FSCTLs.</summary>
    public ReadOnlySpan<byte> Output { get; }
    public uint MaxInputResponse => U32(_body, OffMaxInputResponse);
    public uint MaxOutputResponse => U32(_body, OffMaxOutputResponse);
    public uint Flags => U32(_body, OffFlags);
    public bool IsFsctl => (Flags & FlagIsFsctl) != 0;

    public static bool TryParse(ReadOnlySpan<byte> message, out IoctlRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U32(body, OffInputOffset), U32(body, OffInputCount), FixedSize, out var input)) return false;
        if (!TryGetBuffer(message, U32(body, OffOutputOffset), U32(body, OffOutputCount), FixedSize, out var output)) return false;
        value = new IoctlRequest(body, input, output);
        return true;
    }

    /// <summary>Client side: input at offset 120 (OutputOffset also 120, OutputCount 0, as smbclient sends); returns 56 + input length.</summary>
    public static int Write(Span<byte> body, uint ctlCode, FileId fileId, ReadOnlySpan<byte> input, uint maxInputResponse,
        uint maxOutputResponse, uint flags)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        W32(body, OffCtlCode, ctlCode);
        fileId.Write(body[OffFileId..]);
        W32(body, OffInputOffset, OffsetOf(OffBuffer));
        W32(body, OffInputCount, input.Length);
        W32(body, OffMaxInputResponse, maxInputResponse);
        W32(body, OffOutputOffset, OffsetOf(OffBuffer));
        W32(body, OffMaxOutputResponse, maxOutputResponse);
        W32(body, OffFlags, flags);
        input.CopyTo(body[OffBuffer..]);
        return FixedSize + input.Length;
    }
}

/// <summary>[MS-SMB2] 2.2.32 SMB2 IOCTL Response.</summary>
public readonly ref struct IoctlResponse
{
    /// <summary>"The server MUST set this field to 49 ... This value MUST be used regardless of how large Buffer[] is."</summary>
    public const ushort StructureSize = 49;
    public const int FixedSize = 48;

    private const int OffCtlCode = 4, OffFileId = 8, OffInputOffset = 24, OffInputCount = 28, OffOutputOffset = 32,
        OffOutputCount = 36, OffFlags = 40, OffBuffer = 48;

    private readonly ReadOnlySpan<byte> _body;

    private IoctlResponse(ReadOnlySpan<byte> body, ReadOnlySpan<byte> input, ReadOnlySpan<byte> output)
    {
        _body = body;
        Input = input;
        Output = output;
    }

    public uint CtlCode => U32(_body, OffCtlCode);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    public ReadOnlySpan<byte> Input { get; }
    public ReadOnlySpan<byte> Output { get; }
    public uint Flags => U32(_body, OffFlags);

    public static bool TryParse(ReadOnlySpan<byte> message, out IoctlResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U32(body, OffInputOffset), U32(body, OffInputCount), FixedSize, out var input)) return false;
        // 3.2.5.14: "If the OutputCount field in an SMB2 IOCTL Response is 0, the OutputOffset field SHOULD be ignored".
        if (!TryGetBuffer(message, U32(body, OffOutputOffset), U32(body, OffOutputCount), FixedSize, out var output)) return false;
        value = new IoctlResponse(body, input, output);
        return true;
    }

    /// <summary>
    /// Writes the 48-byte fixed part and returns 48; the caller appends <paramref name="outputCount"/> bytes of output at
    /// <c>body[48..]</c>. Per 2.2.32, InputOffset "SHOULD be set to the offset ... to the Buffer[] field" (112) with
    /// InputCount 0; OutputOffset "MUST be set to InputOffset + InputCount rounded up to a multiple of 8" (112) when there
    /// is output, and "SHOULD be set to 0" when there is none. FileId is echoed; use <see cref="FileId.Any"/> for
    /// FSCTL_DFS_GET_REFERRALS / FSCTL_PIPE_WAIT ("MUST be set to { 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF }").
    /// </summary>
    public static int WriteHeader(Span<byte> body, uint ctlCode, FileId fileId, uint outputCount)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        W32(body, OffCtlCode, ctlCode);
        fileId.Write(body[OffFileId..]);
        W32(body, OffInputOffset, OffsetOf(OffBuffer));
        W32(body, OffOutputOffset, outputCount == 0 ? 0u : (uint)OffsetOf(OffBuffer));
        W32(body, OffOutputCount, outputCount);
        return FixedSize;
    }

    /// <summary><see cref="WriteHeader"/> plus a copy of <paramref name="output"/>; returns 48 + its length.</summary>
    public static int Write(Span<byte> body, uint ctlCode, FileId fileId, ReadOnlySpan<byte> output)
    {
        WriteHeader(body, ctlCode, fileId, (uint)output.Length);
        output.CopyTo(body[OffBuffer..]);
        return FixedSize + output.Length;
    }
}
