using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FastSmb.Datapath.Sessions;

/// <summary>
/// [MS-SMB2] 3.3.1.10 Open.ResumeKey and 3.3.5.15.6 "locate the source open by walking the GlobalOpenTable": the
/// resume keys handed out by FSCTL_SRV_REQUEST_RESUME_KEY, valid across tree connects and sessions, as Windows' are.
/// A key is the open's FileId (volatile, persistent) and 8 random bytes drawn when the open first asks, so a key
/// cannot be guessed from FileIds. Opens enter on their first request and leave when they close
/// (<see cref="Open.Dispose"/>). Process-wide and thread-safe: the source open may belong to another connection.
/// </summary>
public static class ResumeKeyTable
{
    public const int KeySize = 24;

    private static readonly ConcurrentDictionary<ulong, (Open Open, ulong Nonce)> s_opens = new();

    /// <summary>Writes <paramref name="open"/>'s resume key into <paramref name="key"/> (24 bytes), the same key
    /// for every request on the same open.</summary>
    public static void GetKey(Open open, Span<byte> key)
    {
        var entry = s_opens.GetOrAdd(open.FileId.Volatile,
            static (_, o) => (o, BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8))), open);
        if (!ReferenceEquals(entry.Open, open))
        {
            // A volatile id is never reused while its open lives; a stale entry is a bug, replaced rather than trusted.
            entry = (open, BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)));
            s_opens[open.FileId.Volatile] = entry;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(key, open.FileId.Volatile);
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], open.FileId.Persistent);
        BinaryPrimitives.WriteUInt64LittleEndian(key[16..], entry.Nonce);
    }

    /// <summary>The open a resume key names, if it is still open; false for a key this server never gave.</summary>
    public static bool TryFind(ReadOnlySpan<byte> key, out Open open)
    {
        open = null!;
        if (key.Length < KeySize) return false;
        if (!s_opens.TryGetValue(BinaryPrimitives.ReadUInt64LittleEndian(key), out var entry)) return false;
        if (entry.Open.FileId.Persistent != BinaryPrimitives.ReadUInt64LittleEndian(key[8..])
            || entry.Nonce != BinaryPrimitives.ReadUInt64LittleEndian(key[16..]))
            return false;
        open = entry.Open;
        return true;
    }

    /// <summary>Called when <paramref name="open"/> closes: its key stops working.</summary>
    public static void Forget(Open open)
    {
        if (s_opens.TryGetValue(open.FileId.Volatile, out var entry) && ReferenceEquals(entry.Open, open))
            s_opens.TryRemove(new KeyValuePair<ulong, (Open, ulong)>(open.FileId.Volatile, entry));
    }
}
