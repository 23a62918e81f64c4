using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FastSmb.Protocol.Security.Descriptors;

/// <summary>
/// [MS-DTYP] 2.4.2 SID: a revision (1), a 48-bit identifier authority and up to 15 sub-authorities. Binary form
/// (2.4.2.2): Revision, SubAuthorityCount, IdentifierAuthority (6 bytes, big-endian), SubAuthority[] (little-endian).
/// Immutable; compared by value.
/// </summary>
public sealed class Sid : IEquatable<Sid>
{
    public const int MaxSubAuthorities = 15;

    private readonly uint[] _subAuthorities;

    public Sid(ulong identifierAuthority, params uint[] subAuthorities)
    {
        if (subAuthorities.Length > MaxSubAuthorities) throw new ArgumentException("a SID has at most 15 sub-authorities");
        IdentifierAuthority = identifierAuthority & 0xFFFF_FFFF_FFFF;
        _subAuthorities = subAuthorities;
    }

    public ulong IdentifierAuthority { get; }
    public ReadOnlySpan<uint> SubAuthorities => _subAuthorities;

    /// <summary>The size of the binary form: 8 + 4 per sub-authority.</summary>
    public int BinaryLength => 8 + 4 * _subAuthorities.Length;

    /// <summary>[MS-DTYP] 2.4.2.4 well-known SIDs used by file security.</summary>
    public static readonly Sid Everyone = new(1, 0);
    public static readonly Sid CreatorOwner = new(3, 0);
    public static readonly Sid CreatorGroup = new(3, 1);
    public static readonly Sid OwnerRights = new(3, 4);
    public static readonly Sid Network = new(5, 2);
    public static readonly Sid Anonymous = new(5, 7);
    public static readonly Sid AuthenticatedUsers = new(5, 11);
    public static readonly Sid LocalSystem = new(5, 18);
    public static readonly Sid BuiltinAdministrators = new(5, 32, 544);
    public static readonly Sid BuiltinUsers = new(5, 32, 545);

    /// <summary>Samba's SIDs for Unix ids without an account: S-1-22-1-uid (Unix User) and S-1-22-2-gid (Unix Group).</summary>
    public static Sid UnixUser(uint uid) => new(22, 1, uid);
    public static Sid UnixGroup(uint gid) => new(22, 2, gid);

    public bool TryGetUnixUser(out uint uid) => TryGetUnix(1, out uid);
    public bool TryGetUnixGroup(out uint gid) => TryGetUnix(2, out gid);

    private bool TryGetUnix(uint kind, out uint id)
    {
        id = 0;
        if (IdentifierAuthority != 22 || _subAuthorities.Length != 2 || _subAuthorities[0] != kind) return false;
        id = _subAuthorities[1];
        return true;
    }

    /// <summary>Reads a SID at the start of <paramref name="source"/>; false when it is cut short or its revision is not 1.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Sid sid, out int length)
    {
        sid = null!;
        length = 0;
        if (source.Length < 8 || source[0] != 1) return false;
        int count = source[1];
        if (count > MaxSubAuthorities || source.Length < 8 + 4 * count) return false;
        ulong authority = 0;
        for (int i = 2; i < 8; i++) authority = (authority << 8) | source[i];
        var subs = new uint[count];
        for (int i = 0; i < count; i++) subs[i] = BinaryPrimitives.ReadUInt32LittleEndian(source[(8 + 4 * i)..]);
        sid = new Sid(authority, subs);
        length = 8 + 4 * count;
        return true;
    }

    /// <summary>Writes the binary form; returns <see cref="BinaryLength"/>.</summary>
    public int Write(Span<byte> dest)
    {
        dest[0] = 1;
        dest[1] = (byte)_subAuthorities.Length;
        for (int i = 0; i < 6; i++) dest[2 + i] = (byte)(IdentifierAuthority >> (8 * (5 - i)));
        for (int i = 0; i < _subAuthorities.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(dest[(8 + 4 * i)..], _subAuthorities[i]);
        return BinaryLength;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[BinaryLength];
        Write(bytes);
        return bytes;
    }

    /// <summary>[MS-DTYP] 2.4.2.1 string form "S-1-5-32-544" (the authority in hex above 2^32).</summary>
    public static bool TryParse(string text, out Sid sid)
    {
        sid = null!;
        var parts = text.Split('-');
        if (parts.Length < 3 || !parts[0].Equals("S", StringComparison.OrdinalIgnoreCase) || parts[1] != "1") return false;
        ulong authority;
        if (parts[2].StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (!ulong.TryParse(parts[2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out authority)) return false;
        }
        else if (!ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out authority)) return false;
        if (authority > 0xFFFF_FFFF_FFFF || parts.Length - 3 > MaxSubAuthorities) return false;
        var subs = new uint[parts.Length - 3];
        for (int i = 0; i < subs.Length; i++)
            if (!uint.TryParse(parts[3 + i], NumberStyles.None, CultureInfo.InvariantCulture, out subs[i])) return false;
        sid = new Sid(authority, subs);
        return true;
    }

    public static Sid Parse(string text) => TryParse(text, out var sid) ? sid : throw new FormatException($"not a SID: {text}");

    public override string ToString()
    {
        var sb = new StringBuilder("S-1-");
        sb.Append(IdentifierAuthority < 1UL << 32
            ? IdentifierAuthority.ToString(CultureInfo.InvariantCulture)
            : "0x" + IdentifierAuthority.ToString("X12", CultureInfo.InvariantCulture));
        foreach (uint s in _subAuthorities) sb.Append('-').Append(s.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    public bool Equals(Sid? other) =>
        other is not null && other.IdentifierAuthority == IdentifierAuthority && other.SubAuthorities.SequenceEqual(SubAuthorities);

    public override bool Equals(object? obj) => obj is Sid other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(IdentifierAuthority);
        foreach (uint s in _subAuthorities) hash.Add(s);
        return hash.ToHashCode();
    }
}
