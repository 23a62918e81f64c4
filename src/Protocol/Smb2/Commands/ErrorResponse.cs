using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// [MS-SMB2] 2.2.2 SMB2 ERROR Response: sent for any command that fails (and for the interim STATUS_PENDING
/// response, 3.3.4.2). View for the client; <see cref="Write(Span{byte}, ReadOnlySpan{byte})"/> for the server.
/// </summary>
public readonly ref struct ErrorResponse
{
    /// <summary>"The server MUST set this field to 9 ... regardless of how long ErrorData[] actually is."</summary>
    public const ushort StructureSize = 9;
    public const int FixedSize = 8;

    private const int OffErrorContextCount = 2, OffByteCount = 4, OffErrorData = 8;

    private readonly ReadOnlySpan<byte> _body;

    private ErrorResponse(ReadOnlySpan<byte> body, ReadOnlySpan<byte> errorData)
    {
        _body = body;
        ErrorData = errorData;
    }

    /// <summary>Non-zero only in 3.1.1, where ErrorData is then a list of 2.2.2.1 error contexts.</summary>
    public byte ErrorContextCount => _body[OffErrorContextCount];
    public uint ByteCount => U32(_body, OffByteCount);
    public ReadOnlySpan<byte> ErrorData { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out ErrorResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        // ErrorData follows the fixed part directly; ByteCount says how much of it there is.
        uint count = U32(body, OffByteCount);
        if (!TryGetBuffer(message, (uint)OffsetOf(OffErrorData), count, FixedSize, out var data)) return false;
        value = new ErrorResponse(body, data);
        return true;
    }

    /// <summary>
    /// Writes the error body and returns its length: 8 + ErrorData, and 9 when ErrorData is empty because
    /// "If the ByteCount field is zero then the server MUST supply an ErrorData field that is one byte in length,
    /// and SHOULD set that byte to zero".
    /// </summary>
    public static int Write(Span<byte> body, ReadOnlySpan<byte> errorData = default) => Write(body, 0, errorData);

    /// <summary>3.1.1 form: <paramref name="errorData"/> holds <paramref name="errorContextCount"/> error contexts.</summary>
    public static int Write(Span<byte> body, byte errorContextCount, ReadOnlySpan<byte> errorData)
    {
        W16(body, 0, StructureSize);
        body[OffErrorContextCount] = errorContextCount;
        body[3] = 0;
        W32(body, OffByteCount, errorData.Length);
        if (errorData.IsEmpty)
        {
            body[OffErrorData] = 0;
            return FixedSize + 1;
        }
        errorData.CopyTo(body[OffErrorData..]);
        return FixedSize + errorData.Length;
    }
}
