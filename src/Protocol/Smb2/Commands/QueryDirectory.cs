using FastSmb.Protocol.Fscc;
using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.33 SMB2 QUERY_DIRECTORY Request.</summary>
public readonly ref struct QueryDirectoryRequest
{
    /// <summary>"The client MUST set this field to 33, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 33;
    public const int FixedSize = 32;
    /// <summary>SMB2_RESTART_SCANS: "The server MUST restart the enumeration from the beginning, but the search pattern is not changed."</summary>
    public const byte FlagRestartScans = 0x01;
    /// <summary>SMB2_RETURN_SINGLE_ENTRY: "The server MUST only return the first entry of the search results."</summary>
    public const byte FlagReturnSingleEntry = 0x02;
    /// <summary>SMB2_INDEX_SPECIFIED: "The server SHOULD return entries beginning at the byte number specified by FileIndex."</summary>
    public const byte FlagIndexSpecified = 0x04;
    /// <summary>SMB2_REOPEN: "The server MUST restart the enumeration from the beginning, and the search pattern MUST be changed to the provided value."</summary>
    public const byte FlagReopen = 0x10;

    private const int OffFileInformationClass = 2, OffFlags = 3, OffFileIndex = 4, OffFileId = 8, OffFileNameOffset = 24,
        OffFileNameLength = 26, OffOutputBufferLength = 28, OffBuffer = 32;

    private readonly ReadOnlySpan<byte> _body;

    private QueryDirectoryRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> fileName)
    {
        _body = body;
        FileNameUtf16 = fileName;
    }

    /// <summary>One of the directory classes of [MS-FSCC] 2.4; the server checks which ones it supports.</summary>
    public FileInformationClass FileInformationClass => (FileInformationClass)_body[OffFileInformationClass];
    public byte Flags => _body[OffFlags];
    public bool RestartScans => (Flags & FlagRestartScans) != 0;
    public bool ReturnSingleEntry => (Flags & FlagReturnSingleEntry) != 0;
    public bool IndexSpecified => (Flags & FlagIndexSpecified) != 0;
    public bool Reopen => (Flags & FlagReopen) != 0;
    /// <summary>"The byte offset within the directory, indicating the position at which to resume the enumeration." Only meaningful with SMB2_INDEX_SPECIFIED.</summary>
    public uint FileIndex => U32(_body, OffFileIndex);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    /// <summary>The search pattern, UTF-16LE ("*", "h", "*.txt" …). 3.3.5.18 fails an empty pattern; TryParse leaves that to the handler.</summary>
    public ReadOnlySpan<byte> FileNameUtf16 { get; }
    public string FileName => Utf16ToString(FileNameUtf16);
    /// <summary>"The maximum number of bytes the server is allowed to return in the SMB2 QUERY_DIRECTORY Response."</summary>
    public uint OutputBufferLength => U32(_body, OffOutputBufferLength);

    public static bool TryParse(ReadOnlySpan<byte> message, out QueryDirectoryRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        // FileNameOffset: "The offset, in bytes, from the beginning of the SMB2 header to the search pattern".
        if (!TryGetBuffer(message, U16(body, OffFileNameOffset), U16(body, OffFileNameLength), FixedSize, out var name)) return false;
        value = new QueryDirectoryRequest(body, name);
        return true;
    }

    /// <summary>Client side: the pattern at offset 96 (as smbclient sends it); returns 32 + pattern bytes (33 for an empty pattern).</summary>
    public static int Write(Span<byte> body, FileInformationClass fileInformationClass, byte flags, uint fileIndex, FileId fileId,
        ReadOnlySpan<char> fileName, uint outputBufferLength)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        body[OffFileInformationClass] = (byte)fileInformationClass;
        body[OffFlags] = flags;
        W32(body, OffFileIndex, fileIndex);
        fileId.Write(body[OffFileId..]);
        int nameBytes = WriteUtf16(body[OffBuffer..], fileName);
        W16(body, OffFileNameOffset, OffsetOf(OffBuffer));
        W16(body, OffFileNameLength, nameBytes);
        W32(body, OffOutputBufferLength, outputBufferLength);
        if (nameBytes == 0)
        {
            body[OffBuffer] = 0;
            return FixedSize + 1;
        }
        return FixedSize + nameBytes;
    }
}

/// <summary>
/// [MS-SMB2] 2.2.34 SMB2 QUERY_DIRECTORY Response. The buffer is a chain of [MS-FSCC] 2.4 directory entries; build it
/// in place at <c>body[FixedSize..]</c> with <c>FastSmb.Protocol.Fscc.DirectoryEntryWriter</c>.
/// </summary>
public readonly ref struct QueryDirectoryResponse
{
    /// <summary>"The server MUST set this field to 9, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = OutputBufferResponse.StructureSize;
    public const int FixedSize = OutputBufferResponse.FixedSize;
    /// <summary>Header offset of the buffer as written by <see cref="WriteHeader"/>: 64 + 8.</summary>
    public const ushort OutputBufferOffsetValue = OutputBufferResponse.OutputBufferOffsetValue;

    private QueryDirectoryResponse(ReadOnlySpan<byte> output) => OutputBuffer = output;

    /// <summary>The directory entries ("OutputBufferOffset"/"OutputBufferLength").</summary>
    public ReadOnlySpan<byte> OutputBuffer { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out QueryDirectoryResponse value)
    {
        value = default;
        if (!OutputBufferResponse.TryParse(message, out var output)) return false;
        value = new QueryDirectoryResponse(output);
        return true;
    }

    /// <summary>
    /// Writes the 8-byte fixed part (OutputBufferOffset 0x48) and returns 8; the caller appends
    /// <paramref name="outputBufferLength"/> bytes of entries at <c>body[8..]</c>, like <see cref="ReadResponse.WriteHeader"/>.
    /// An enumeration with nothing to return is STATUS_NO_MORE_FILES in an ERROR response, not an empty buffer (3.3.5.18).
    /// </summary>
    public static int WriteHeader(Span<byte> body, uint outputBufferLength) => OutputBufferResponse.WriteHeader(body, outputBufferLength);

    /// <summary><see cref="WriteHeader"/> plus a copy of <paramref name="outputBuffer"/>; returns 8 + its length.</summary>
    public static int Write(Span<byte> body, ReadOnlySpan<byte> outputBuffer) => OutputBufferResponse.Write(body, outputBuffer);
}
