using System.Buffers.Binary;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// The DOS attributes and creation time of a file as Samba keeps them in the <c>user.DOSATTRIB</c> xattr, so a share
/// can move between Samba and FastSmb with its attributes. The value is Samba's <c>xattr_DOSATTRIB</c> (librpc
/// xattr.idl) in NDR little-endian: a NUL-terminated ASCII string (the attributes as "0x.." in old versions, empty
/// since version 4), the uint16 version aligned to 2, then the union, its uint32 switch aligned to 4:
/// <list type="bullet">
/// <item>1: attrib, ea_size, size, alloc_size, create_time, change_time</item>
/// <item>2: flags, attrib, ea_size, size, alloc_size, create_time, change_time, write_time</item>
/// <item>3: valid_flags, attrib, ea_size, size, alloc_size, create_time, change_time</item>
/// <item>4: valid_flags, attrib, itime, create_time</item>
/// <item>5: valid_flags, attrib, create_time (what Samba 4.11 and later write, and what we write)</item>
/// </list>
/// 64-bit fields (udlong, NTTIME) are 4-aligned in NDR; every field after the switch is a multiple of 4, so the
/// offsets only depend on where the switch lands. Pure functions.
/// </summary>
public static class DosAttrib
{
    public const string XattrName = "user.DOSATTRIB";

    /// <summary>XATTR_DOSINFO_* valid_flags bits.</summary>
    public const uint ValidAttrib = 0x01, ValidEaSize = 0x02, ValidSize = 0x04, ValidAllocSize = 0x08, ValidCreateTime = 0x10,
        ValidChangeTime = 0x20, ValidItime = 0x40;

    /// <summary>Version 5's size with an empty hex string: 2 (string and pad) + 2 + 4 + 4 + 4 + 8.</summary>
    public const int EncodedSize = 24;

    /// <summary>What a DOSATTRIB value says: the attributes and the creation time, each only if present (0 = absent).</summary>
    public readonly record struct Info(FileAttributeFlags Attributes, bool HasAttributes, long CreationTime);

    /// <summary>Writes version 5 (attributes and creation time; creation time omitted when 0). Returns 24.</summary>
    public static int Encode(Span<byte> dest, FileAttributeFlags attributes, long creationTime)
    {
        dest[..EncodedSize].Clear();
        // dest[0] = "" (the NUL of the empty string), dest[1] = pad to 2.
        BinaryPrimitives.WriteUInt16LittleEndian(dest[2..], 5);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], 5);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], ValidAttrib | (creationTime != 0 ? ValidCreateTime : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(dest[12..], (uint)attributes);
        BinaryPrimitives.WriteInt64LittleEndian(dest[16..], creationTime);
        return EncodedSize;
    }

    /// <summary>Reads versions 1 to 5; false for anything else (a value we do not understand is ignored, not trusted).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out Info info)
    {
        info = default;
        int nul = value.IndexOf((byte)0);
        if (nul < 0) return false;
        uint hexAttributes = 0;
        bool hasHex = TryParseHex(value[..nul], out hexAttributes);
        int pos = Align(nul + 1, 2);
        if (value.Length < pos + 2)
        {
            // Samba 3.0 stored the hex string alone.
            if (!hasHex) return false;
            info = new Info((FileAttributeFlags)hexAttributes, true, 0);
            return true;
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(value[pos..]);
        pos = Align(pos + 2, 4);
        // The union's switch repeats the version.
        if (value.Length < pos + 4 || BinaryPrimitives.ReadUInt32LittleEndian(value[pos..]) != version) return false;
        var body = value[(pos + 4)..];
        uint flags, attrib;
        long create;
        switch (version)
        {
            case 1 when body.Length >= 40:
                info = new Info((FileAttributeFlags)U32(body, 0), true, I64(body, 24));
                return true;
            case 2 when body.Length >= 52:
                info = new Info((FileAttributeFlags)U32(body, 4), true, I64(body, 28));
                return true;
            case 3 when body.Length >= 44:
                (flags, attrib, create) = (U32(body, 0), U32(body, 4), I64(body, 28));
                break;
            case 4 when body.Length >= 24:
                (flags, attrib, create) = (U32(body, 0), U32(body, 4), I64(body, 16));
                break;
            case 5 when body.Length >= 16:
                (flags, attrib, create) = (U32(body, 0), U32(body, 4), I64(body, 8));
                break;
            default:
                return false;
        }
        info = new Info((FileAttributeFlags)attrib, (flags & ValidAttrib) != 0, (flags & ValidCreateTime) != 0 ? create : 0);
        return true;

        static uint U32(ReadOnlySpan<byte> b, int off) => BinaryPrimitives.ReadUInt32LittleEndian(b[off..]);
        static long I64(ReadOnlySpan<byte> b, int off) => BinaryPrimitives.ReadInt64LittleEndian(b[off..]);
    }

    private static int Align(int offset, int alignment) => (offset + alignment - 1) & ~(alignment - 1);

    private static bool TryParseHex(ReadOnlySpan<byte> text, out uint value)
    {
        value = 0;
        if (text.Length < 3 || text[0] != '0' || (text[1] | 0x20) != 'x') return false;
        foreach (byte c in text[2..])
        {
            int digit = c is >= (byte)'0' and <= (byte)'9' ? c - '0' : (c | 0x20) is >= 'a' and <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
            if (digit < 0 || value > 0x0FFFFFFF) return false;
            value = value << 4 | (uint)digit;
        }
        return true;
    }
}
