using System.Text;
using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

/// <summary>One extended attribute as the EA classes carry it: an ASCII name, a value and the FILE_NEED_EA flag.</summary>
public readonly record struct EaEntry(string Name, byte[] Value, byte Flags = 0);

/// <summary>
/// [MS-FSCC] 2.4.15 FileFullEaInformation (FILE_FULL_EA_INFORMATION): a chain of entries, each 4-byte aligned,
/// NextEntryOffset (4), Flags (1), EaNameLength (1), EaValueLength (2), EaName with a terminating NUL that
/// EaNameLength does not count, EaValue. The SET_INFO buffer, the ExtA create context and the QUERY_INFO answer.
/// </summary>
public static class FullEaInformation
{
    public const int FixedSize = 8;
    /// <summary>FILE_NEED_EA: "the file to which the EA belongs cannot be interpreted without understanding the EA".</summary>
    public const byte FlagNeedEa = 0x80;

    /// <summary>
    /// Parses a whole chain; false when an entry reaches past the buffer, its name lacks its NUL, or a
    /// NextEntryOffset is not 4-aligned or does not cover its entry ([MS-FSA] answers STATUS_EA_LIST_INCONSISTENT).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out List<EaEntry> entries)
    {
        entries = [];
        int pos = 0;
        while (true)
        {
            var e = buffer[pos..];
            if (e.Length < FixedSize) return false;
            uint next = U32(e, 0);
            int nameLength = e[5], valueLength = U16(e, 6);
            int size = FixedSize + nameLength + 1 + valueLength;
            if (size > e.Length || e[FixedSize + nameLength] != 0) return false;
            if (next != 0 && (next % 4 != 0 || next < size || next > (uint)e.Length)) return false;
            entries.Add(new EaEntry(Encoding.ASCII.GetString(e.Slice(FixedSize, nameLength)),
                e.Slice(FixedSize + nameLength + 1, valueLength).ToArray(), e[4]));
            if (next == 0) return true;
            pos += (int)next;
        }
    }

    /// <summary>The bytes <paramref name="name"/> and <paramref name="valueLength"/> take as one entry (no padding).</summary>
    public static int EntrySize(string name, int valueLength) => FixedSize + name.Length + 1 + valueLength;
}

/// <summary>Builds a FILE_FULL_EA_INFORMATION chain in a response buffer. Owned by one stack frame.</summary>
public ref struct FullEaInformationWriter
{
    private EntryChain _chain;

    public FullEaInformationWriter(Span<byte> buffer) => _chain = new EntryChain(buffer, alignment: 4);

    public readonly int Count => _chain.Count;
    public readonly int Length => _chain.Length;

    /// <summary>Appends one EA; false (and nothing written) when it does not fit.</summary>
    public bool TryAdd(string name, ReadOnlySpan<byte> value, byte flags = 0)
    {
        if (!_chain.TryReserve(FullEaInformation.EntrySize(name, value.Length), out var e)) return false;
        e[4] = flags;
        e[5] = (byte)name.Length;
        W16(e, 6, (ushort)value.Length);
        Encoding.ASCII.GetBytes(name, e[FullEaInformation.FixedSize..]);
        e[FullEaInformation.FixedSize + name.Length] = 0;
        value.CopyTo(e[(FullEaInformation.FixedSize + name.Length + 1)..]);
        return true;
    }
}

/// <summary>
/// [MS-FSCC] 2.4.15.1 FILE_GET_EA_INFORMATION: the names a FileFullEaInformation query asks for, NextEntryOffset (4),
/// EaNameLength (1), EaName and its NUL.
/// </summary>
public static class GetEaInformation
{
    public static bool TryParse(ReadOnlySpan<byte> buffer, out List<string> names)
    {
        names = [];
        int pos = 0;
        while (true)
        {
            var e = buffer[pos..];
            if (e.Length < 5) return false;
            uint next = U32(e, 0);
            int nameLength = e[4];
            if (5 + nameLength + 1 > e.Length) return false;
            names.Add(Encoding.ASCII.GetString(e.Slice(5, nameLength)));
            if (next == 0) return true;
            if (next < 5 + nameLength || next > (uint)e.Length) return false;
            pos += (int)next;
        }
    }

    /// <summary>Client side: one entry per name, 4-byte aligned.</summary>
    public static byte[] Build(params string[] names)
    {
        var buffer = new byte[names.Sum(n => 8 + n.Length + 4)];
        var chain = new EntryChain(buffer, alignment: 4);
        foreach (var name in names)
        {
            chain.TryReserve(5 + name.Length + 1, out var e);
            e[4] = (byte)name.Length;
            Encoding.ASCII.GetBytes(name, e[5..]);
            e[5 + name.Length] = 0;
        }
        return buffer[..chain.Length];
    }
}
