using System.Buffers.Binary;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.14.1 SMB2_FILEID: Persistent then Volatile, 8 bytes each.</summary>
public readonly struct FileId : IEquatable<FileId>
{
    public const int Size = 16;

    /// <summary>
    /// { 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF }: in a related compound request it means "the FileId from the previous
    /// operation" ([MS-SMB2] 3.2.4.1.4), and IOCTL responses to FSCTL_DFS_GET_REFERRALS / FSCTL_PIPE_WAIT carry it.
    /// </summary>
    public static readonly FileId Any = new(ulong.MaxValue, ulong.MaxValue);

    public ulong Persistent { get; }
    public ulong Volatile { get; }

    public FileId(ulong persistent, ulong @volatile)
    {
        Persistent = persistent;
        Volatile = @volatile;
    }

    public bool IsAny => Persistent == ulong.MaxValue && Volatile == ulong.MaxValue;

    public static FileId Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(source), BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));

    public void Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(dest, Persistent);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[8..], Volatile);
    }

    public bool Equals(FileId other) => Persistent == other.Persistent && Volatile == other.Volatile;
    public override bool Equals(object? obj) => obj is FileId f && Equals(f);
    public override int GetHashCode() => HashCode.Combine(Persistent, Volatile);
    public static bool operator ==(FileId a, FileId b) => a.Equals(b);
    public static bool operator !=(FileId a, FileId b) => !a.Equals(b);
    public override string ToString() => $"{Persistent:X16}:{Volatile:X16}";
}
