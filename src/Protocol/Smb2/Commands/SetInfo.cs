using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.39 SMB2 SET_INFO Request.</summary>
public readonly ref struct SetInfoRequest
{
    /// <summary>"The client MUST set this field to 33, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 33;
    public const int FixedSize = 32;

    private const int OffInfoType = 2, OffFileInfoClass = 3, OffBufferLength = 4, OffBufferOffset = 8, OffReserved = 10,
        OffAdditionalInformation = 12, OffFileId = 16, OffBuffer = 32;

    private readonly ReadOnlySpan<byte> _body;

    private SetInfoRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> buffer)
    {
        _body = body;
        Buffer = buffer;
    }

    /// <summary>"The type of information being set. The valid values are as follows" (file, filesystem, security, quota).</summary>
    public Smb2InfoType InfoType => (Smb2InfoType)_body[OffInfoType];
    /// <summary>A <c>FastSmb.Protocol.Fscc.FileInformationClass</c> or <c>FsInformationClass</c> depending on <see cref="InfoType"/>; 0 for security.</summary>
    public byte FileInfoClass => _body[OffFileInfoClass];
    /// <summary>"Provides indexing information": the <see cref="SecurityInformation"/> bits for SMB2_0_INFO_SECURITY, else 0.</summary>
    public uint AdditionalInformation => U32(_body, OffAdditionalInformation);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    /// <summary>"A variable-length buffer that contains the information being set for the request", BufferLength bytes at BufferOffset.</summary>
    public ReadOnlySpan<byte> Buffer { get; }

    public static bool TryParse(ReadOnlySpan<byte> message, out SetInfoRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U16(body, OffBufferOffset), U32(body, OffBufferLength), FixedSize, out var buffer)) return false;
        value = new SetInfoRequest(body, buffer);
        return true;
    }

    /// <summary>Client side: the buffer at offset 96; returns 32 + buffer length (33 when empty).</summary>
    public static int Write(Span<byte> body, Smb2InfoType infoType, byte fileInfoClass, uint additionalInformation, FileId fileId,
        ReadOnlySpan<byte> buffer)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        body[OffInfoType] = (byte)infoType;
        body[OffFileInfoClass] = fileInfoClass;
        W32(body, OffBufferLength, buffer.Length);
        W16(body, OffBufferOffset, OffsetOf(OffBuffer));
        W16(body, OffReserved, (ushort)0); // "This field MUST NOT be used and MUST be reserved. The client MUST set this field to 0"
        W32(body, OffAdditionalInformation, additionalInformation);
        fileId.Write(body[OffFileId..]);
        if (buffer.IsEmpty)
        {
            body[OffBuffer] = 0;
            return FixedSize + 1;
        }
        buffer.CopyTo(body[OffBuffer..]);
        return FixedSize + buffer.Length;
    }

    /// <summary>Body position where <see cref="Write"/> puts the buffer, for building the information in place first.</summary>
    public const int BufferPosition = OffBuffer;
}

/// <summary>[MS-SMB2] 2.2.40 SMB2 SET_INFO Response: StructureSize only.</summary>
public readonly ref struct SetInfoResponse
{
    /// <summary>"The server MUST set this field to 2, indicating the size of the response structure, not including the header."</summary>
    public const ushort StructureSize = 2;
    public const int Size = 2;

    public static bool TryParse(ReadOnlySpan<byte> message, out SetInfoResponse value)
    {
        value = default;
        return TryGetBody(message, StructureSize, out _);
    }

    /// <summary>Returns 2.</summary>
    public static int Write(Span<byte> body)
    {
        W16(body, 0, StructureSize);
        return Size;
    }
}
