using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

/// <summary>[MS-FSCC] 2.7.1 FILE_NOTIFY_INFORMATION Action values (FILE_ACTION_*).</summary>
public enum FileNotifyAction : uint
{
    Added = 0x00000001,
    Removed = 0x00000002,
    Modified = 0x00000003,
    RenamedOldName = 0x00000004,
    RenamedNewName = 0x00000005,
    AddedStream = 0x00000006,
    RemovedStream = 0x00000007,
    ModifiedStream = 0x00000008,
    RemovedByDelete = 0x00000009,
    IdNotTunnelled = 0x0000000A,
    TunnelledIdCollision = 0x0000000B,
}

/// <summary>
/// Builds a CHANGE_NOTIFY output buffer: [MS-FSCC] 2.7.1 FILE_NOTIFY_INFORMATION entries, NextEntryOffset (4), Action (4),
/// FileNameLength (4), FileName (relative to the watched directory). "When multiple FILE_NOTIFY_INFORMATION data elements
/// are present in the buffer, each MUST be aligned on a 4-byte boundary." When the changes do not fit the client's
/// OutputBufferLength the server answers STATUS_NOTIFY_ENUM_DIR instead ([MS-SMB2] 3.3.5.19), so a false from
/// <see cref="TryAdd"/> means "give up and send that". Lives on one stack frame.
/// </summary>
public ref struct FileNotifyInformationWriter
{
    public const int FixedSize = 12;
    private EntryChain _chain;

    public FileNotifyInformationWriter(Span<byte> buffer) => _chain = new EntryChain(buffer, alignment: 4);

    public readonly int Count => _chain.Count;
    public readonly int Length => _chain.Length;

    public bool TryAdd(FileNotifyAction action, ReadOnlySpan<char> fileName)
    {
        if (!_chain.TryReserve(FixedSize + 2 * fileName.Length, out var e)) return false;
        W32(e, 4, (uint)action);
        W32(e, 8, 2 * fileName.Length);
        WriteUtf16(e[FixedSize..], fileName);
        return true;
    }
}

/// <summary>One FILE_NOTIFY_INFORMATION entry; walk a buffer with <see cref="EntryChainReader"/>.</summary>
public readonly ref struct FileNotifyInformation
{
    public const int FixedSize = 12;
    private readonly ReadOnlySpan<byte> _b;

    private FileNotifyInformation(ReadOnlySpan<byte> b, ReadOnlySpan<byte> name)
    {
        _b = b;
        FileNameUtf16 = name;
    }

    public uint NextEntryOffset => U32(_b, 0);
    public FileNotifyAction Action => (FileNotifyAction)U32(_b, 4);
    public ReadOnlySpan<byte> FileNameUtf16 { get; }
    public string FileName => Utf16ToString(FileNameUtf16);

    public static bool TryParse(ReadOnlySpan<byte> entry, out FileNotifyInformation value)
    {
        value = default;
        if (entry.Length < FixedSize) return false;
        uint length = U32(entry, 8);
        if (length > (uint)(entry.Length - FixedSize)) return false;
        value = new FileNotifyInformation(entry, entry.Slice(FixedSize, (int)length));
        return true;
    }
}
