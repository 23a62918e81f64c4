using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.13 SMB2 CREATE Request.</summary>
public readonly ref struct CreateRequest
{
    /// <summary>"The client MUST set this field to 57, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 57;
    public const int FixedSize = 56;

    private const int OffSecurityFlags = 2, OffRequestedOplockLevel = 3, OffImpersonationLevel = 4, OffSmbCreateFlags = 8,
        OffDesiredAccess = 24, OffFileAttributes = 28, OffShareAccess = 32, OffCreateDisposition = 36, OffCreateOptions = 40,
        OffNameOffset = 44, OffNameLength = 46, OffCreateContextsOffset = 48, OffCreateContextsLength = 52, OffBuffer = 56;

    private readonly ReadOnlySpan<byte> _body;
    private readonly int _contextCount;

    private CreateRequest(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name, ReadOnlySpan<byte> contexts, int contextCount)
    {
        _body = body;
        NameUtf16 = name;
        CreateContexts = contexts;
        _contextCount = contextCount;
    }

    /// <summary>"This field MUST NOT be used and MUST be reserved. The client MUST set this to 0, and the server MUST ignore it."</summary>
    public byte SecurityFlags => _body[OffSecurityFlags];
    public byte RequestedOplockLevel => _body[OffRequestedOplockLevel];
    public uint ImpersonationLevel => U32(_body, OffImpersonationLevel);
    /// <summary>"This field MUST NOT be used and MUST be reserved. The client SHOULD set this field to zero, and the server MUST ignore it."</summary>
    public ulong SmbCreateFlags => U64(_body, OffSmbCreateFlags);
    public uint DesiredAccess => U32(_body, OffDesiredAccess);
    public uint FileAttributes => U32(_body, OffFileAttributes);
    public uint ShareAccess => U32(_body, OffShareAccess);
    public uint CreateDisposition => U32(_body, OffCreateDisposition);
    public uint CreateOptions => U32(_body, OffCreateOptions);
    /// <summary>Path relative to the share root, UTF-16LE, no leading backslash; empty for the share root.</summary>
    public ReadOnlySpan<byte> NameUtf16 { get; }
    public string Name => Utf16ToString(NameUtf16);
    /// <summary>The raw create context chain (CreateContextsOffset/Length); validated by TryParse.</summary>
    public ReadOnlySpan<byte> CreateContexts { get; }
    public CreateContextList GetCreateContexts() => new(CreateContexts, _contextCount);

    public static bool TryParse(ReadOnlySpan<byte> message, out CreateRequest value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        // NameOffset: "from the beginning of the SMB2 header to the 8-byte aligned file name"; NameLength in bytes.
        if (!TryGetBuffer(message, U16(body, OffNameOffset), U16(body, OffNameLength), FixedSize, out var name)) return false;
        if (!TryGetBuffer(message, U32(body, OffCreateContextsOffset), U32(body, OffCreateContextsLength), FixedSize,
                out var contexts)) return false;
        if (!CreateContextList.TryValidate(contexts, out int count)) return false;
        value = new CreateRequest(body, name, contexts, count);
        return true;
    }

    /// <summary>
    /// Client side: the name at offset 120 and the contexts 8-aligned after it. "In the request, the Buffer field MUST
    /// be at least one byte in length", so an empty name with no contexts still writes one zero byte.
    /// Build contexts in place with <c>new CreateContextWriter(body[ContextsPosition(name.Length * 2)..])</c> if wanted.
    /// </summary>
    public static int Write(Span<byte> body, byte requestedOplockLevel, uint impersonationLevel, uint desiredAccess,
        uint fileAttributes, uint shareAccess, uint createDisposition, uint createOptions, ReadOnlySpan<char> name,
        ReadOnlySpan<byte> createContexts)
    {
        body[..FixedSize].Clear();
        W16(body, 0, StructureSize);
        body[OffRequestedOplockLevel] = requestedOplockLevel;
        W32(body, OffImpersonationLevel, impersonationLevel);
        W32(body, OffDesiredAccess, desiredAccess);
        W32(body, OffFileAttributes, fileAttributes);
        W32(body, OffShareAccess, shareAccess);
        W32(body, OffCreateDisposition, createDisposition);
        W32(body, OffCreateOptions, createOptions);
        int nameBytes = WriteUtf16(body[OffBuffer..], name);
        W16(body, OffNameOffset, OffsetOf(OffBuffer));
        W16(body, OffNameLength, nameBytes);
        int end = OffBuffer + nameBytes;
        if (!createContexts.IsEmpty)
        {
            int pos = ContextsPosition(nameBytes);
            body[end..pos].Clear();
            createContexts.CopyTo(body[pos..]);
            W32(body, OffCreateContextsOffset, OffsetOf(pos));
            W32(body, OffCreateContextsLength, createContexts.Length);
            end = pos + createContexts.Length;
        }
        if (end == OffBuffer) body[end++] = 0;
        return end;
    }

    /// <summary>Body position of the create contexts after a name of <paramref name="nameBytes"/> bytes.</summary>
    public static int ContextsPosition(int nameBytes) => Align8(OffBuffer + nameBytes);
}

/// <summary>[MS-SMB2] 2.2.14 SMB2 CREATE Response.</summary>
public readonly ref struct CreateResponse
{
    /// <summary>"The server MUST set this field to 89, indicating the size of the request structure, not including the header."</summary>
    public const ushort StructureSize = 89;
    public const int FixedSize = 88;
    /// <summary>Body position where response create contexts go (header offset 152, 8-aligned).</summary>
    public const int ContextsPosition = 88;

    private const int OffOplockLevel = 2, OffFlags = 3, OffCreateAction = 4, OffCreationTime = 8, OffLastAccessTime = 16,
        OffLastWriteTime = 24, OffChangeTime = 32, OffAllocationSize = 40, OffEndOfFile = 48, OffFileAttributes = 56,
        OffFileId = 64, OffCreateContextsOffset = 80, OffCreateContextsLength = 84;

    private readonly ReadOnlySpan<byte> _body;
    private readonly int _contextCount;

    private CreateResponse(ReadOnlySpan<byte> body, ReadOnlySpan<byte> contexts, int contextCount)
    {
        _body = body;
        CreateContexts = contexts;
        _contextCount = contextCount;
    }

    public byte OplockLevel => _body[OffOplockLevel];
    public byte Flags => _body[OffFlags];
    public uint CreateAction => U32(_body, OffCreateAction);
    public long CreationTime => I64(_body, OffCreationTime);
    public long LastAccessTime => I64(_body, OffLastAccessTime);
    public long LastWriteTime => I64(_body, OffLastWriteTime);
    public long ChangeTime => I64(_body, OffChangeTime);
    public long AllocationSize => I64(_body, OffAllocationSize);
    public long EndOfFile => I64(_body, OffEndOfFile);
    public uint FileAttributes => U32(_body, OffFileAttributes);
    public FileId FileId => FileId.Read(_body[OffFileId..]);
    public ReadOnlySpan<byte> CreateContexts { get; }
    public CreateContextList GetCreateContexts() => new(CreateContexts, _contextCount);

    public static bool TryParse(ReadOnlySpan<byte> message, out CreateResponse value)
    {
        value = default;
        if (!TryGetBody(message, StructureSize, out var body)) return false;
        if (!TryGetBuffer(message, U32(body, OffCreateContextsOffset), U32(body, OffCreateContextsLength), FixedSize,
                out var contexts)) return false;
        if (!CreateContextList.TryValidate(contexts, out int count)) return false;
        value = new CreateResponse(body, contexts, count);
        return true;
    }

    /// <summary>
    /// Writes the 88-byte fixed part and <paramref name="createContexts"/> at <see cref="ContextsPosition"/>; returns
    /// 88 + their length. Contexts may already have been built in place with
    /// <c>new CreateContextWriter(body[CreateResponse.ContextsPosition..])</c> and passed back as that slice (the copy
    /// is then a no-op).
    /// </summary>
    public static int Write(Span<byte> body, byte oplockLevel, byte flags, uint createAction, long creationTime,
        long lastAccessTime, long lastWriteTime, long changeTime, long allocationSize, long endOfFile, uint fileAttributes,
        FileId fileId, ReadOnlySpan<byte> createContexts)
    {
        createContexts.CopyTo(body[ContextsPosition..]); // first: may overlap the destination exactly
        W16(body, 0, StructureSize);
        body[OffOplockLevel] = oplockLevel;
        body[OffFlags] = flags;
        W32(body, OffCreateAction, createAction);
        Fscc.FileNetworkOpenInformation.WriteFields(body[OffCreationTime..], creationTime, lastAccessTime, lastWriteTime,
            changeTime, allocationSize, endOfFile, fileAttributes);
        W32(body, OffCreationTime + Fscc.FileNetworkOpenInformation.FieldsSize, 0u); // Reserved2
        fileId.Write(body[OffFileId..]);
        W32(body, OffCreateContextsOffset, createContexts.IsEmpty ? 0 : OffsetOf(ContextsPosition));
        W32(body, OffCreateContextsLength, createContexts.Length);
        return FixedSize + createContexts.Length;
    }
}
