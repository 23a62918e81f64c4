using System.Buffers.Binary;

namespace FastSmb.Protocol.Security.Descriptors;

/// <summary>[MS-DTYP] 2.4.4.1 ACE_HEADER AceType.</summary>
public enum AceType : byte
{
    AccessAllowed = 0x00,
    AccessDenied = 0x01,
    SystemAudit = 0x02,
    SystemAlarm = 0x03,
    AccessAllowedCompound = 0x04,
    AccessAllowedObject = 0x05,
    AccessDeniedObject = 0x06,
    SystemAuditObject = 0x07,
    SystemAlarmObject = 0x08,
    AccessAllowedCallback = 0x09,
    AccessDeniedCallback = 0x0A,
    AccessAllowedCallbackObject = 0x0B,
    AccessDeniedCallbackObject = 0x0C,
    SystemAuditCallback = 0x0D,
    SystemAlarmCallback = 0x0E,
    SystemAuditCallbackObject = 0x0F,
    SystemAlarmCallbackObject = 0x10,
    SystemMandatoryLabel = 0x11,
    SystemResourceAttribute = 0x12,
    SystemScopedPolicyId = 0x13,
}

/// <summary>[MS-DTYP] 2.4.4.1 ACE_HEADER AceFlags.</summary>
[Flags]
public enum AceFlags : byte
{
    None = 0,
    ObjectInherit = 0x01,
    ContainerInherit = 0x02,
    NoPropagateInherit = 0x04,
    InheritOnly = 0x08,
    Inherited = 0x10,
    SuccessfulAccess = 0x40,
    FailedAccess = 0x80,

    InheritanceFlags = ObjectInherit | ContainerInherit | NoPropagateInherit | InheritOnly,
}

/// <summary>
/// [MS-DTYP] 2.4.4 one ACE: the header, the access mask and the trustee SID. Every ACE type FastSmb keeps has its
/// mask at offset 4 of the body; the SID follows the mask directly (2.4.4.2 ACCESS_ALLOWED_ACE and its simple kin)
/// or after the object part (2.4.4.3 ACCESS_ALLOWED_OBJECT_ACE: Flags and up to two GUIDs), and callback ACEs carry
/// application data after it (2.4.4.6). What sits between the mask and the SID (<see cref="Prefix"/>) and after the
/// SID (<see cref="Trailer"/>, including padding) is kept as bytes, so an ACE a client sets is returned as it came.
/// Immutable.
/// </summary>
public sealed record Ace(AceType Type, AceFlags Flags, uint Mask, Sid Sid)
{
    public const int HeaderSize = 4;

    /// <summary>The object part of an object ACE (empty for the other types).</summary>
    public byte[] Prefix { get; init; } = [];

    /// <summary>Application data and padding after the SID.</summary>
    public byte[] Trailer { get; init; } = [];

    public int Size => HeaderSize + 4 + Prefix.Length + Sid.BinaryLength + Trailer.Length;

    public bool IsObjectAce => Type is AceType.AccessAllowedObject or AceType.AccessDeniedObject or AceType.SystemAuditObject
        or AceType.SystemAlarmObject or AceType.AccessAllowedCallbackObject or AceType.AccessDeniedCallbackObject
        or AceType.SystemAuditCallbackObject or AceType.SystemAlarmCallbackObject;

    public bool IsInheritOnly => (Flags & AceFlags.InheritOnly) != 0;

    /// <summary>
    /// Reads one ACE at the start of <paramref name="source"/>; <paramref name="size"/> is its AceSize. False when the
    /// header, the mask, the object part or the SID does not fit in AceSize, or AceSize is not 4-aligned (2.4.4.1).
    /// ACCESS_ALLOWED_COMPOUND_ACE (reserved) is refused.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Ace ace, out int size)
    {
        ace = null!;
        size = 0;
        if (source.Length < 8) return false;
        var type = (AceType)source[0];
        size = BinaryPrimitives.ReadUInt16LittleEndian(source[2..]);
        if (size < 8 || size > source.Length || (size & 3) != 0) return false;
        if (type == AceType.AccessAllowedCompound || (byte)type > (byte)AceType.SystemScopedPolicyId) return false;
        var body = source[..size];
        uint mask = BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        int sidAt = 8;
        var probe = new Ace(type, 0, 0, Sid.Everyone);
        if (probe.IsObjectAce)
        {
            // [MS-DTYP] 2.4.4.3: Flags, then ObjectType if ACE_OBJECT_TYPE_PRESENT (1), InheritedObjectType if
            // ACE_INHERITED_OBJECT_TYPE_PRESENT (2).
            if (body.Length < 12) return false;
            uint objectFlags = BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
            sidAt = 12 + ((objectFlags & 1) != 0 ? 16 : 0) + ((objectFlags & 2) != 0 ? 16 : 0);
            if (sidAt > body.Length) return false;
        }
        if (!Sid.TryRead(body[sidAt..], out var sid, out int sidLength)) return false;
        ace = new Ace(type, (AceFlags)source[1], mask, sid)
        {
            Prefix = body[8..sidAt].ToArray(),
            Trailer = body[(sidAt + sidLength)..].ToArray(),
        };
        return true;
    }

    public int Write(Span<byte> dest)
    {
        int size = Size;
        dest[0] = (byte)Type;
        dest[1] = (byte)Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(dest[2..], (ushort)size);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], Mask);
        Prefix.CopyTo(dest[8..]);
        int pos = 8 + Prefix.Length;
        pos += Sid.Write(dest[pos..]);
        Trailer.CopyTo(dest[pos..]);
        return size;
    }

    public bool Equals(Ace? other) =>
        other is not null && Type == other.Type && Flags == other.Flags && Mask == other.Mask && Sid.Equals(other.Sid)
        && Prefix.AsSpan().SequenceEqual(other.Prefix) && Trailer.AsSpan().SequenceEqual(other.Trailer);

    public override int GetHashCode() => HashCode.Combine(Type, Flags, Mask, Sid);
}
