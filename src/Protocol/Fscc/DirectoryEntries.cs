using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

/// <summary>
/// Builds a QUERY_DIRECTORY output buffer: directory entries of one [MS-FSCC] 2.4 class appended 8-byte aligned with
/// NextEntryOffset chaining (<see cref="EntryChain"/>). <see cref="TryAdd"/> answers false when the next entry does not fit,
/// so the handler stops at the buffer boundary and keeps that entry for the next request. Lives on one stack frame.
/// Supported: FileDirectoryInformation (2.4.10), FileFullDirectoryInformation (2.4.14), FileBothDirectoryInformation (2.4.8),
/// FileIdBothDirectoryInformation (2.4.17), FileIdFullDirectoryInformation (2.4.18), FileNamesInformation (2.4.26),
/// FileIdExtdDirectoryInformation and FileIdExtdBothDirectoryInformation.
/// </summary>
public ref struct DirectoryEntryWriter
{
    private EntryChain _chain;
    private readonly DirectoryLayout _layout;

    /// <summary>Check <see cref="IsSupported"/> first; an unsupported class is a caller bug.</summary>
    public DirectoryEntryWriter(Span<byte> buffer, FileInformationClass informationClass)
    {
        if (!DirectoryLayout.TryGet(informationClass, out _layout))
            throw new ArgumentOutOfRangeException(nameof(informationClass), informationClass, "not a directory information class");
        _chain = new EntryChain(buffer);
    }

    /// <summary>Whether QUERY_DIRECTORY can answer this class; otherwise STATUS_INVALID_INFO_CLASS (3.3.5.18).</summary>
    public static bool IsSupported(FileInformationClass informationClass) => DirectoryLayout.TryGet(informationClass, out _);

    /// <summary>Bytes before FileName for the class, or -1 when unsupported. An entry is this + 2 × name length.</summary>
    public static int FixedSizeOf(FileInformationClass informationClass) =>
        DirectoryLayout.TryGet(informationClass, out var l) ? l.FileName : -1;

    public readonly int Count => _chain.Count;
    /// <summary>Bytes used: the end of the last entry (no padding after it), the response's OutputBufferLength.</summary>
    public readonly int Length => _chain.Length;

    /// <summary>
    /// Appends one entry; false (buffer untouched) when it does not fit. <paramref name="shortName"/> (8.3 name, at most 12
    /// characters) is used by the Both classes only; longer is cut to 12. FileIndex "MUST be set to 0" by file systems where
    /// the position of a file within the directory is not fixed — pass 0 unless the store has stable positions.
    /// </summary>
    public bool TryAdd(in FileMetadata file, scoped ReadOnlySpan<char> fileName, scoped ReadOnlySpan<char> shortName = default, uint fileIndex = 0)
    {
        var l = _layout;
        if (!_chain.TryReserve(l.FileName + 2 * fileName.Length, out var e)) return false;
        W32(e, 4, fileIndex);
        if (l.Class == FileInformationClass.FileNamesInformation)
        {
            W32(e, 8, 2 * fileName.Length);
            WriteUtf16(e[12..], fileName);
            return true;
        }
        W64(e, 8, file.CreationTime);
        W64(e, 16, file.LastAccessTime);
        W64(e, 24, file.LastWriteTime);
        W64(e, 32, file.ChangeTime);
        W64(e, 40, file.EndOfFile);
        W64(e, 48, file.AllocationSize);
        W32(e, 56, file.WireAttributes);
        W32(e, 60, 2 * fileName.Length);
        // The Extd classes carry the reparse tag in a field of its own, so their EaSize is always the EA size.
        if (l.EaSize > 0) W32(e, l.EaSize, l.ReparseTag > 0 ? file.EaSize : file.DirectoryEaField);
        if (l.ReparseTag > 0) W32(e, l.ReparseTag, (file.WireAttributes & FileAttribute.ReparsePoint) != 0 ? file.ReparseTag : 0u);
        if (l.ShortName > 0)
        {
            var sn = shortName.Length > 12 ? shortName[..12] : shortName;
            e[l.ShortName - 2] = (byte)(2 * sn.Length); // ShortNameLength
            e[l.ShortName - 1] = 0;                     // Reserved1
            var field = e.Slice(l.ShortName, 24);
            field.Clear();
            WriteUtf16(field, sn);
        }
        if (l.Reserved > 0) e.Slice(l.Reserved, l.FileId - l.Reserved).Clear();
        if (l.FileId > 0)
        {
            W64(e, l.FileId, file.FileId);
            if (l.FileIdSize == 16) W64(e, l.FileId + 8, 0UL); // FILE_ID_128: the 64-bit id, zero-extended
        }
        WriteUtf16(e[l.FileName..], fileName);
        return true;
    }
}

/// <summary>One directory entry of a known class; walk a QUERY_DIRECTORY buffer with <see cref="EntryChainReader"/>.</summary>
public readonly ref struct DirectoryEntry
{
    private readonly ReadOnlySpan<byte> _b;
    private readonly DirectoryLayout _l;

    private DirectoryEntry(ReadOnlySpan<byte> b, DirectoryLayout l, ReadOnlySpan<byte> name)
    {
        _b = b;
        _l = l;
        FileNameUtf16 = name;
    }

    private bool HasTimes => _l.Class != FileInformationClass.FileNamesInformation;

    public uint NextEntryOffset => U32(_b, 0);
    public uint FileIndex => U32(_b, 4);
    public long CreationTime => HasTimes ? I64(_b, 8) : 0;
    public long LastAccessTime => HasTimes ? I64(_b, 16) : 0;
    public long LastWriteTime => HasTimes ? I64(_b, 24) : 0;
    public long ChangeTime => HasTimes ? I64(_b, 32) : 0;
    public long EndOfFile => HasTimes ? I64(_b, 40) : 0;
    public long AllocationSize => HasTimes ? I64(_b, 48) : 0;
    public uint FileAttributes => HasTimes ? U32(_b, 56) : 0;
    /// <summary>The EaSize field (a reparse tag when FILE_ATTRIBUTE_REPARSE_POINT is set, outside the Extd classes); 0 if the class has none.</summary>
    public uint EaSize => _l.EaSize > 0 ? U32(_b, _l.EaSize) : 0;
    public uint ReparsePointTag => _l.ReparseTag > 0 ? U32(_b, _l.ReparseTag) : 0;
    /// <summary>The low 64 bits of FileId (all of it outside the Extd classes); 0 if the class has none.</summary>
    public ulong FileId => _l.FileId > 0 ? U64(_b, _l.FileId) : 0;
    public ReadOnlySpan<byte> ShortNameUtf16 => _l.ShortName > 0 ? _b.Slice(_l.ShortName, Math.Min((int)_b[_l.ShortName - 2], 24)) : default;
    public string ShortName => Utf16ToString(ShortNameUtf16);
    public ReadOnlySpan<byte> FileNameUtf16 { get; }
    public string FileName => Utf16ToString(FileNameUtf16);

    /// <summary>The fields as a <see cref="FileMetadata"/> (IsDirectory from the attributes; EaSize as sent).</summary>
    public FileMetadata ToMetadata() => new()
    {
        CreationTime = CreationTime, LastAccessTime = LastAccessTime, LastWriteTime = LastWriteTime, ChangeTime = ChangeTime,
        EndOfFile = EndOfFile, AllocationSize = AllocationSize, FileAttributes = FileAttributes, FileId = FileId,
        IsDirectory = (FileAttributes & FileAttribute.Directory) != 0,
        EaSize = _l.ReparseTag > 0 || (FileAttributes & FileAttribute.ReparsePoint) == 0 ? EaSize : 0,
        ReparseTag = _l.ReparseTag > 0 ? ReparsePointTag : (FileAttributes & FileAttribute.ReparsePoint) != 0 ? EaSize : 0,
    };

    /// <summary>Parses the entry at the start of <paramref name="entry"/>; false when short, or FileNameLength leaves it.</summary>
    public static bool TryParse(ReadOnlySpan<byte> entry, FileInformationClass informationClass, out DirectoryEntry value)
    {
        value = default;
        if (!DirectoryLayout.TryGet(informationClass, out var l)) return false;
        if (entry.Length < l.FileName) return false;
        uint nameLength = U32(entry, l.Class == FileInformationClass.FileNamesInformation ? 8 : 60);
        if (nameLength > (uint)(entry.Length - l.FileName)) return false;
        value = new DirectoryEntry(entry, l, entry.Slice(l.FileName, (int)nameLength));
        return true;
    }
}

/// <summary>Field positions of the directory classes (0 = field absent). All share the FileDirectoryInformation prefix.</summary>
internal readonly record struct DirectoryLayout(FileInformationClass Class, int EaSize, int ReparseTag, int ShortName, int Reserved,
    int FileId, int FileIdSize, int FileName)
{
    public static bool TryGet(FileInformationClass c, out DirectoryLayout layout)
    {
        layout = c switch
        {
            FileInformationClass.FileDirectoryInformation => new(c, 0, 0, 0, 0, 0, 0, 64),
            FileInformationClass.FileFullDirectoryInformation => new(c, 64, 0, 0, 0, 0, 0, 68),
            // EaSize 64, ShortNameLength 68, Reserved1 69, ShortName 70..93
            FileInformationClass.FileBothDirectoryInformation => new(c, 64, 0, 70, 0, 0, 0, 94),
            // ... Reserved2 94..95, FileId 96
            FileInformationClass.FileIdBothDirectoryInformation => new(c, 64, 0, 70, 94, 96, 8, 104),
            // EaSize 64, Reserved 68..71, FileId 72
            FileInformationClass.FileIdFullDirectoryInformation => new(c, 64, 0, 0, 68, 72, 8, 80),
            FileInformationClass.FileNamesInformation => new(c, 0, 0, 0, 0, 0, 0, 12),
            // EaSize 64, ReparsePointTag 68, FileId (128-bit) 72
            FileInformationClass.FileIdExtdDirectoryInformation => new(c, 64, 68, 0, 0, 72, 16, 88),
            // ... ShortNameLength 88, Reserved1 89, ShortName 90..113
            FileInformationClass.FileIdExtdBothDirectoryInformation => new(c, 64, 68, 90, 0, 72, 16, 114),
            _ => default,
        };
        return layout.FileName != 0;
    }
}
