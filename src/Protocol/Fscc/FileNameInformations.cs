using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

/// <summary>
/// [MS-FSCC] 2.4.28 FileNameInformation (FILE_NAME_INFORMATION): FileNameLength (4) then the UTF-16LE name. The same
/// layout serves FileNormalizedNameInformation and FileAlternateNameInformation (2.4.5).
/// </summary>
public readonly ref struct FileNameInformation
{
    public const int FixedSize = 4;

    private FileNameInformation(ReadOnlySpan<byte> name) => FileNameUtf16 = name;

    public ReadOnlySpan<byte> FileNameUtf16 { get; }
    public string FileName => Utf16ToString(FileNameUtf16);

    /// <summary>False when FileNameLength reaches past the buffer (a truncated STATUS_BUFFER_OVERFLOW answer does).</summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileNameInformation value)
    {
        value = default;
        if (buffer.Length < FixedSize) return false;
        uint length = U32(buffer, 0);
        if (length > (uint)(buffer.Length - FixedSize)) return false;
        value = new FileNameInformation(buffer.Slice(FixedSize, (int)length));
        return true;
    }

    /// <summary>Returns 4 + name bytes, or -1 when that does not fit (see <see cref="WriteTruncated"/>).</summary>
    public static int Write(Span<byte> dest, ReadOnlySpan<char> fileName)
    {
        if (dest.Length < FixedSize + 2 * fileName.Length) return -1;
        W32(dest, 0, 2 * fileName.Length);
        return FixedSize + WriteUtf16(dest[FixedSize..], fileName);
    }

    /// <summary>
    /// [MS-FSA] 2.1.5.12: when the name does not fit, as much of it as fits is copied, FileNameLength still gives the
    /// whole length, and the query answers STATUS_BUFFER_OVERFLOW. Returns bytes written (-1 if not even 4 fit) and
    /// whether the name was cut.
    /// </summary>
    public static int WriteTruncated(Span<byte> dest, ReadOnlySpan<char> fileName, out bool truncated)
    {
        truncated = false;
        if (dest.Length < FixedSize) return -1;
        W32(dest, 0, 2 * fileName.Length);
        int chars = Math.Min(fileName.Length, (dest.Length - FixedSize) / 2);
        truncated = chars < fileName.Length;
        return FixedSize + WriteUtf16(dest[FixedSize..], fileName[..chars]);
    }
}

/// <summary>
/// [MS-FSCC] 2.4.2 FileAllInformation (FILE_ALL_INFORMATION): Basic (40), Standard (24), Internal (8), Ea (4), Access (4),
/// Position (8), Mode (4), Alignment (4) and Name (4 + name), packed without padding — 100 bytes before the name.
/// </summary>
public readonly ref struct FileAllInformation
{
    public const int FixedSize = 100;

    private const int OffBasic = 0, OffStandard = 40, OffInternal = 64, OffEa = 72, OffAccess = 76, OffPosition = 80, OffMode = 88,
        OffAlignment = 92, OffName = 96;

    private readonly ReadOnlySpan<byte> _b;

    private FileAllInformation(ReadOnlySpan<byte> b, ReadOnlySpan<byte> name)
    {
        _b = b;
        FileNameUtf16 = name;
    }

    public FileBasicInformation Basic { get { FileBasicInformation.TryParse(_b[OffBasic..], out var v); return v; } }
    public FileStandardInformation Standard { get { FileStandardInformation.TryParse(_b[OffStandard..], out var v); return v; } }
    public ulong IndexNumber => U64(_b, OffInternal);
    public uint EaSize => U32(_b, OffEa);
    public uint AccessFlags => U32(_b, OffAccess);
    public long CurrentByteOffset => I64(_b, OffPosition);
    public uint Mode => U32(_b, OffMode);
    public uint AlignmentRequirement => U32(_b, OffAlignment);
    public ReadOnlySpan<byte> FileNameUtf16 { get; }
    public string FileName => Utf16ToString(FileNameUtf16);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileAllInformation value)
    {
        value = default;
        if (buffer.Length < FixedSize) return false;
        if (!FileNameInformation.TryParse(buffer[OffName..], out var name)) return false;
        value = new FileAllInformation(buffer, name.FileNameUtf16);
        return true;
    }

    /// <summary>
    /// Writes the whole structure; returns bytes written or -1 when the 100-byte fixed part does not fit
    /// (STATUS_INFO_LENGTH_MISMATCH). A name that does not fit is cut as in <see cref="FileNameInformation.WriteTruncated"/>
    /// and <paramref name="truncated"/> is set (STATUS_BUFFER_OVERFLOW). Samba sends the name with a leading backslash ("\h").
    /// </summary>
    public static int Write(Span<byte> dest, in FileMetadata file, uint accessFlags, long currentByteOffset, uint mode,
        uint alignmentRequirement, ReadOnlySpan<char> fileName, out bool truncated)
    {
        truncated = false;
        if (dest.Length < FixedSize) return -1;
        FileBasicInformation.Write(dest[OffBasic..], file);
        FileStandardInformation.Write(dest[OffStandard..], file);
        W64(dest, OffInternal, file.FileId);
        W32(dest, OffEa, file.EaSize);
        W32(dest, OffAccess, accessFlags);
        W64(dest, OffPosition, currentByteOffset);
        W32(dest, OffMode, mode);
        W32(dest, OffAlignment, alignmentRequirement);
        return OffName + FileNameInformation.WriteTruncated(dest[OffName..], fileName, out truncated);
    }
}

/// <summary>
/// [MS-FSCC] 2.4.43 FileStreamInformation (FILE_STREAM_INFORMATION): a chain of 8-byte-aligned entries, NextEntryOffset (4),
/// StreamNameLength (4), StreamSize (8), StreamAllocationSize (8), StreamName (e.g. "::$DATA").
/// </summary>
public ref struct FileStreamInformationWriter
{
    public const int FixedSize = 24;
    private EntryChain _chain;

    public FileStreamInformationWriter(Span<byte> buffer) => _chain = new EntryChain(buffer);

    public readonly int Count => _chain.Count;
    /// <summary>Bytes used: the end of the last entry (no padding after it).</summary>
    public readonly int Length => _chain.Length;

    /// <summary>Appends one stream; false (and nothing written) when it does not fit.</summary>
    public bool TryAdd(ReadOnlySpan<char> streamName, long streamSize, long streamAllocationSize)
    {
        if (!_chain.TryReserve(FixedSize + 2 * streamName.Length, out var e)) return false;
        W32(e, 4, 2 * streamName.Length);
        W64(e, 8, streamSize);
        W64(e, 16, streamAllocationSize);
        WriteUtf16(e[FixedSize..], streamName);
        return true;
    }
}

/// <summary>One FILE_STREAM_INFORMATION entry; walk a buffer with <see cref="EntryChainReader"/>.</summary>
public readonly ref struct FileStreamInformation
{
    public const int FixedSize = 24;
    private readonly ReadOnlySpan<byte> _b;

    private FileStreamInformation(ReadOnlySpan<byte> b, ReadOnlySpan<byte> name)
    {
        _b = b;
        StreamNameUtf16 = name;
    }

    public uint NextEntryOffset => U32(_b, 0);
    public long StreamSize => I64(_b, 8);
    public long StreamAllocationSize => I64(_b, 16);
    public ReadOnlySpan<byte> StreamNameUtf16 { get; }
    public string StreamName => Utf16ToString(StreamNameUtf16);

    /// <summary>Parses the entry at the start of <paramref name="entry"/> (the rest of the buffer from that entry on).</summary>
    public static bool TryParse(ReadOnlySpan<byte> entry, out FileStreamInformation value)
    {
        value = default;
        if (entry.Length < FixedSize) return false;
        uint length = U32(entry, 4);
        if (length > (uint)(entry.Length - FixedSize)) return false;
        value = new FileStreamInformation(entry, entry.Slice(FixedSize, (int)length));
        return true;
    }
}
