using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// The durable-handle create contexts of [MS-SMB2] 2.2.13.2.3-2.2.13.2.12 and their responses (2.2.14.2.3,
/// 2.2.14.2.12): "DHnQ" asks for a durable v1 open, "DHnC" reconnects one by FileId, "DH2Q" asks for a durable v2
/// (or persistent) open with a CreateGuid and timeout, "DH2C" reconnects one by FileId and CreateGuid. A request
/// whose context is shorter than its fixed size is STATUS_INVALID_PARAMETER ([MS-SMB2] 3.3.5.9).
/// </summary>
public static class DurableHandleContexts
{
    /// <summary>2.2.13.2.3 SMB2_CREATE_DURABLE_HANDLE_REQUEST: 16 reserved bytes.</summary>
    public const int RequestV1Size = 16;
    /// <summary>2.2.13.2.4 SMB2_CREATE_DURABLE_HANDLE_RECONNECT: the FileId.</summary>
    public const int ReconnectV1Size = 16;
    /// <summary>2.2.13.2.11 SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2: Timeout, Flags, Reserved (8), CreateGuid.</summary>
    public const int RequestV2Size = 32;
    /// <summary>2.2.13.2.12 SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2: FileId, CreateGuid, Flags.</summary>
    public const int ReconnectV2Size = 36;
    /// <summary>2.2.14.2.3 SMB2_CREATE_DURABLE_HANDLE_RESPONSE: 8 reserved bytes.</summary>
    public const int ResponseV1Size = 8;
    /// <summary>2.2.14.2.12 SMB2_CREATE_DURABLE_HANDLE_RESPONSE_V2: Timeout, Flags.</summary>
    public const int ResponseV2Size = 8;

    /// <summary>SMB2_DHANDLE_FLAG_PERSISTENT: "A persistent handle is requested/granted."</summary>
    public const uint FlagPersistent = 0x00000002;

    /// <summary>DH2Q: the Timeout (milliseconds; 0 for the server's default), Flags and CreateGuid.</summary>
    public static bool TryParseRequestV2(ReadOnlySpan<byte> data, out uint timeoutMs, out uint flags, out Guid createGuid)
    {
        timeoutMs = flags = 0;
        createGuid = Guid.Empty;
        if (data.Length < RequestV2Size) return false;
        timeoutMs = U32(data, 0);
        flags = U32(data, 4);
        createGuid = new Guid(data.Slice(16, 16));
        return true;
    }

    /// <summary>DHnC: the FileId of the open to reconnect.</summary>
    public static bool TryParseReconnectV1(ReadOnlySpan<byte> data, out FileId fileId)
    {
        fileId = default;
        if (data.Length < ReconnectV1Size) return false;
        fileId = FileId.Read(data);
        return true;
    }

    /// <summary>DH2C: the FileId, CreateGuid and Flags of the open to reconnect.</summary>
    public static bool TryParseReconnectV2(ReadOnlySpan<byte> data, out FileId fileId, out Guid createGuid, out uint flags)
    {
        fileId = default;
        createGuid = Guid.Empty;
        flags = 0;
        if (data.Length < ReconnectV2Size) return false;
        fileId = FileId.Read(data);
        createGuid = new Guid(data.Slice(16, 16));
        flags = U32(data, 32);
        return true;
    }

    /// <summary>The DH2Q response data: the timeout granted and SMB2_DHANDLE_FLAG_PERSISTENT when persistent.</summary>
    public static void WriteResponseV2(Span<byte> data, uint timeoutMs, uint flags)
    {
        W32(data, 0, timeoutMs);
        W32(data, 4, flags);
    }

    /// <summary>The client's side: DHnQ (16 zero bytes).</summary>
    public static void WriteRequestV1(Span<byte> data) => data[..RequestV1Size].Clear();

    /// <summary>The client's side: DHnC.</summary>
    public static void WriteReconnectV1(Span<byte> data, FileId fileId) => fileId.Write(data);

    /// <summary>The client's side: DH2Q.</summary>
    public static void WriteRequestV2(Span<byte> data, uint timeoutMs, uint flags, Guid createGuid)
    {
        data[..RequestV2Size].Clear();
        W32(data, 0, timeoutMs);
        W32(data, 4, flags);
        createGuid.TryWriteBytes(data[16..]);
    }

    /// <summary>The client's side: DH2C.</summary>
    public static void WriteReconnectV2(Span<byte> data, FileId fileId, Guid createGuid, uint flags)
    {
        fileId.Write(data);
        createGuid.TryWriteBytes(data[16..]);
        W32(data, 32, flags);
    }

    /// <summary>The client's side: a DH2Q response (Timeout, Flags).</summary>
    public static bool TryParseResponseV2(ReadOnlySpan<byte> data, out uint timeoutMs, out uint flags)
    {
        timeoutMs = flags = 0;
        if (data.Length < ResponseV2Size) return false;
        timeoutMs = U32(data, 0);
        flags = U32(data, 4);
        return true;
    }
}
