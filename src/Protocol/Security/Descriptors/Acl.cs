using System.Buffers.Binary;

namespace FastSmb.Protocol.Security.Descriptors;

/// <summary>
/// [MS-DTYP] 2.4.5 ACL: AclRevision (2, or 4 with object ACEs), Sbz1, AclSize, AceCount, Sbz2, then the ACEs.
/// Immutable; an empty ACL (no ACE) is distinct from no ACL at all.
/// </summary>
public sealed class Acl(byte revision, IReadOnlyList<Ace> aces) : IEquatable<Acl>
{
    public const byte RevisionStandard = 2, RevisionDs = 4;
    public const int HeaderSize = 8;

    public byte Revision { get; } = revision;
    public IReadOnlyList<Ace> Aces { get; } = aces;

    public Acl(IReadOnlyList<Ace> aces) : this(aces.Any(a => a.IsObjectAce) ? RevisionDs : RevisionStandard, aces) { }

    public int Size
    {
        get
        {
            int size = HeaderSize;
            foreach (var ace in Aces) size += ace.Size;
            return size;
        }
    }

    /// <summary>
    /// Reads an ACL at the start of <paramref name="source"/>. False when the revision is not 2 or 4, AclSize does not
    /// fit or is smaller than the header, or the AceCount ACEs do not fit in AclSize.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Acl acl)
    {
        acl = null!;
        if (source.Length < HeaderSize) return false;
        byte revision = source[0];
        if (revision is not (RevisionStandard or 3 or RevisionDs)) return false;
        int size = BinaryPrimitives.ReadUInt16LittleEndian(source[2..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        if (size < HeaderSize || size > source.Length) return false;
        // Each ACE takes at least 8 bytes: a count that cannot fit is refused before anything is allocated.
        if (count > (size - HeaderSize) / 8) return false;
        var aces = new Ace[count];
        int pos = HeaderSize;
        for (int i = 0; i < count; i++)
        {
            if (!Ace.TryRead(source[pos..size], out aces[i], out int aceSize)) return false;
            pos += aceSize;
        }
        acl = new Acl(revision, aces);
        return true;
    }

    public int Write(Span<byte> dest)
    {
        int size = Size;
        dest[..HeaderSize].Clear();
        dest[0] = Revision;
        BinaryPrimitives.WriteUInt16LittleEndian(dest[2..], (ushort)size);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[4..], (ushort)Aces.Count);
        int pos = HeaderSize;
        foreach (var ace in Aces) pos += ace.Write(dest[pos..]);
        return size;
    }

    public bool Equals(Acl? other) => other is not null && Revision == other.Revision && Aces.SequenceEqual(other.Aces);
    public override bool Equals(object? obj) => obj is Acl other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Revision, Aces.Count);
}
