using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// ChangeTime set through FileBasicInformation ([MS-FSA] 2.1.5.15.1: "If InputBuffer.ChangeTime is not 0, the object
/// store MUST set File.LastChangeTime to InputBuffer.ChangeTime"). Linux lets nobody set an inode's ctime, and
/// FastSmb shows the last-write time as ChangeTime (as Samba does); a time set explicitly is kept in the private
/// xattr <c>user.FastSmbChangeTime</c> together with the modification time it was set at, and shows until the file's
/// data changes again (its mtime moves), when ChangeTime follows the write time once more — as on NTFS, where the
/// next modification moves it to the time of that change.
/// </summary>
public sealed partial class PosixVolume
{
    internal const string ChangeTimeXattrName = "user.FastSmbChangeTime";

    /// <summary>The value: the ChangeTime set, then the mtime it holds against, both FILETIMEs (little-endian).</summary>
    internal const int StoredChangeTimeSize = 16;

    /// <summary>A ChangeTime set explicitly and the modification time it was set at (0, 0 = none).</summary>
    internal readonly record struct StoredChangeTime(long ChangeTime, long AtWriteTime)
    {
        /// <summary>What a file whose mtime is <paramref name="writeTime"/> shows as ChangeTime.</summary>
        public long Shown(long writeTime) => ChangeTime > 0 && AtWriteTime == writeTime ? ChangeTime : writeTime;
    }

    /// <summary>Reads the stored value; anything but exactly 16 bytes of two positive times is ignored.</summary>
    internal static bool TryDecodeChangeTime(ReadOnlySpan<byte> value, out StoredChangeTime stored)
    {
        stored = default;
        if (value.Length != StoredChangeTimeSize) return false;
        long change = BinaryPrimitives.ReadInt64LittleEndian(value);
        long at = BinaryPrimitives.ReadInt64LittleEndian(value[8..]);
        if (change <= 0 || at <= 0) return false;
        stored = new StoredChangeTime(change, at);
        return true;
    }

    internal static void EncodeChangeTime(Span<byte> dest, StoredChangeTime stored)
    {
        BinaryPrimitives.WriteInt64LittleEndian(dest, stored.ChangeTime);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], stored.AtWriteTime);
    }

    /// <summary>After a basic-information set with a ChangeTime: keeps it against the file's mtime now (after the set's
    /// own time changes). Best effort, as the creation time: a file system without xattrs keeps showing the write time.</summary>
    private static void StoreChangeTime(SafeHandle fd, long changeTime)
    {
        if (PathResolver.StatFd(fd, out var st) != 0) return;
        Span<byte> value = stackalloc byte[StoredChangeTimeSize];
        EncodeChangeTime(value, new StoredChangeTime(changeTime, FileTimes.FromUnix(st.MtimeSec, st.MtimeNsec)));
        Xattrs.Set(fd, ChangeTimeXattrName, value);
    }

    /// <summary>The ChangeTime of an open file whose shown write time is <paramref name="shownWriteTime"/>: a stored
    /// one still holds only while the shown time is the one it was set at.</summary>
    private static long ShownChangeTime(in FileMetadata metadata, long shownWriteTime) =>
        metadata.ChangeTime != metadata.LastWriteTime && shownWriteTime == metadata.LastWriteTime
            ? metadata.ChangeTime : shownWriteTime;
}
