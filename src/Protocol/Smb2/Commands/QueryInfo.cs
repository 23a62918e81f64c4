using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.37 InfoType: which kind of information QUERY_INFO / SET_INFO (2.2.39) is about.</summary>
public enum Smb2InfoType : byte
{
    /// <summary>SMB2_0_INFO_FILE: FileInfoClass is an [MS-FSCC] 2.4 FileInformationClass.</summary>
    File = 0x01,
    /// <summary>SMB2_0_INFO_FILESYSTEM: FileInfoClass is an [MS-FSCC] 2.5 FsInformationClass.</summary>
    FileSystem = 0x02,
    /// <summary>SMB2_0_INFO_SECURITY: FileInfoClass "MUST be 0"; AdditionalInformation says which parts of the descriptor.</summary>
    Security = 0x03,
    /// <summary>SMB2_0_INFO_QUOTA: FileInfoClass is FileQuotaInformation; the input buffer is SMB2_QUERY_QUOTA_INFO.</summary>
    Quota = 0x04,
}

/// <summary>[MS-SMB2] 2.2.37 AdditionalInformation for SMB2_0_INFO_SECURITY ([MS-DTYP] 2.4.7 SECURITY_INFORMATION).</summary>
public static class SecurityInformation
{
    public const uint Owner = 0x00000001;
    public const uint Group = 0x00000002;
    public const uint Dacl = 0x00000004;
    public const uint Sacl = 0x00000008;
    public const uint Label = 0x00000010;
    public const uint Attribute = 0x00000020;
    public const uint Scope = 0x00000040;
    public const uint Backup = 0x00010000;
}

/// <summary>[MS-SMB2] 2.2.37 SMB2 QUERY_INFO Request.</summary>
public readonly ref struct QueryInfoRequest
{
    /// <summary>"The client MUST set this field to 41, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 41;
    public const int FixedSize = 40;
    /// <summary>SL_RESTART_SCAN: "Restart the scan for EAs from the beginning." (FileFullEaInformation only.)</summary>
    public const uint FlagRestartScan = 0x00000001;
    /// <summary>SL_RETURN_SINGLE_ENTRY: "Return a single EA entry in the response buffer."</summary>
    public const uint FlagReturnSingleEntry = 0x00000002;
    /// <summary>SL_INDEX_SPECIFIED: "The caller has specified an EA index."</summary>
    public const uint FlagIndexSpecified = 0x00000004;

    private const int OffInfoType = 2, OffFileInfoClass = 3, OffOutputBufferLength = 4, OffInputBufferOffset = 8,
        OffInputBufferLength = 12, OffAdditionalInformation = 16, OffFlags = 20, OffFileId = 24, OffBuffer = 40;

    private readonly ReadOnlySpan<byte> _body;

    private QueryInfoRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> input)
    {
        _body = body;
        InputBuffer = input;
    }

    /// <summary>"The type of information queried. This field MUST contain one of the following values" — the handler rejects others.</summary>
    public Smb2InfoType InfoType => (Smb2InfoType)_body[OffInfoType];
    /// <summary>A <c>FastSmb.Protocol.Fscc.FileInformationClass</c> or <c>FsInformationClass</c> depending on <see cref="InfoType"/>.</summary>
    public byte FileInfoClass => _body[OffFileInfoClass];
    /// <summary>"The maximum number of bytes of information the server can send in the response."</summary>
    public uint OutputBufferLength => U32(_body, OffOutputBufferLength);
    /// <summary>
    /// SMB2_QUERY_QUOTA_INFO for quota queries, a FILE_GET_EA_INFORMATION list for FileFullEaInformation; for other
    /// queries "this field SHOULD be set to 0 and the server MUST ignore it" (a stale offset with length 0 parses).
    /// </summary>
    public ReadOnlySpan<byte> InputBuffer { get; }
    /// <summary>For SMB2_0_INFO_SECURITY the <see cref="SecurityInformation"/> bits; for FileFullEaInformation the EA index with SL_INDEX_SPECIFIED.</summary>
    public uint AdditionalInformation => U32(_body, OffAdditionalInformation);
    public uint Flags => U32(_body, OffFlags);
    public FileId FileId => FileId.Read(_body[OffFileId..]);

    public static bool TryParse(ReadOnlySpan<byte> message, out QueryInfoRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U16(body, OffInputBufferOffset), U32(body, OffInputBufferLength), FixedSize, out var input))
            return false;
        value = new QueryInfoRequest(body, input);
        return true;
    }

    /// <summary>
    /// Client side; returns 41 without input (InputBufferOffset 0 and one zero Buffer byte, as smbclient sends it), else
    /// 40 + input length with the input at offset 104.
    /// </summary>
    public static int Write(Span<byte> body, Smb2InfoType infoType, byte fileInfoClass, uint outputBufferLength,
        uint additionalInformation, uint flags, FileId fileId, ReadOnlySpan<byte> inputBuffer = default)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        body[OffInfoType] = (byte)infoType;
        body[OffFileInfoClass] = fileInfoClass;
        W32(body, OffOutputBufferLength, outputBufferLength);
        W32(body, OffAdditionalInformation, additionalInformation);
        W32(body, OffFlags, flags);
        fileId.Write(body[OffFileId..]);
        if (inputBuffer.IsEmpty)
        {
            body[OffBuffer] = 0;
            return FixedSize + 1;
        }
        W16(body, OffInputBufferOffset, OffsetOf(OffBuffer));
        W32(body, OffInputBufferLength, inputBuffer.Length);
        inputBuffer.CopyTo(body[OffBuffer..]);
        return FixedSize + inputBuffer.Length;
    }
}

/// <summary>
/// [MS-SMB2] 2.2.38 SMB2 QUERY_INFO Response. The buffer holds one [MS-FSCC] 2.4/2.5 structure, a security
/// descriptor or quota entries; write it in place at <c>body[FixedSize..]</c>.
/// </summary>
public readonly ref struct QueryInfoResponse
{
    /// <summary>"The server MUST set this field to 9, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = OutputBufferResponse.StructureSize;
    public const int FixedSize = OutputBufferResponse.FixedSize;
    /// <summary>Header offset of the buffer as written by <see cref="WriteHeader"/>: 64 + 8.</summary>
    public const ushort OutputBufferOffsetValue = OutputBufferResponse.OutputBufferOffsetValue;

    private QueryInfoResponse(ReadOnlySpan<byte> output) => OutputBuffer = output;

    public ReadOnlySpan<byte> OutputBuffer { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out QueryInfoResponse value)
    {
        value = default;
        if (!OutputBufferResponse.TryParse(message, out var output)) return false;
        value = new QueryInfoResponse(output);
        return true;
    }

    /// <summary>
    /// Writes the 8-byte fixed part (OutputBufferOffset 0x48) and returns 8; the caller appends the information at
    /// <c>body[8..]</c>. With STATUS_BUFFER_OVERFLOW (a truncated variable-length class, 3.3.5.20.1) the response is
    /// still this structure with the partial data.
    /// </summary>
    public static int WriteHeader(Span<byte> body, uint outputBufferLength) => OutputBufferResponse.WriteHeader(body, outputBufferLength);

    /// <summary><see cref="WriteHeader"/> plus a copy of <paramref name="outputBuffer"/>; returns 8 + its length (9 when empty).</summary>
    public static int Write(Span<byte> body, ReadOnlySpan<byte> outputBuffer) => OutputBufferResponse.Write(body, outputBuffer);
}
