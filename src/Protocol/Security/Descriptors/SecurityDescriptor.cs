using System.Buffers.Binary;

namespace FastSmb.Protocol.Security.Descriptors;

/// <summary>[MS-DTYP] 2.4.6 SECURITY_DESCRIPTOR Control.</summary>
[Flags]
public enum SecurityDescriptorControl : ushort
{
    None = 0,
    OwnerDefaulted = 0x0001,
    GroupDefaulted = 0x0002,
    DaclPresent = 0x0004,
    DaclDefaulted = 0x0008,
    SaclPresent = 0x0010,
    SaclDefaulted = 0x0020,
    DaclTrusted = 0x0040,
    ServerSecurity = 0x0080,
    DaclComputedInheritanceRequired = 0x0100,
    SaclComputedInheritanceRequired = 0x0200,
    DaclAutoInherited = 0x0400,
    SaclAutoInherited = 0x0800,
    DaclProtected = 0x1000,
    SaclProtected = 0x2000,
    RmControlValid = 0x4000,
    SelfRelative = 0x8000,
}

/// <summary>
/// [MS-DTYP] 2.4.6 SECURITY_DESCRIPTOR in its self-relative form: Revision (1), Sbz1, Control, then the offsets of
/// the owner SID, the group SID, the SACL and the DACL (0: absent). A DACL_PRESENT descriptor with no DACL has a
/// NULL DACL, which grants everything (2.5.3.2); an absent DACL_PRESENT bit means the part was not supplied.
/// Immutable; what this type reads it writes back part for part (SACL, DACL, owner, group: the order Windows uses).
/// </summary>
public sealed record SecurityDescriptor(SecurityDescriptorControl Control, Sid? Owner, Sid? Group, Acl? Sacl, Acl? Dacl)
{
    public const int HeaderSize = 20;

    /// <summary>The Sbz1 byte ([MS-DTYP] 2.4.6: the resource-manager control bits when RM_CONTROL_VALID is set).</summary>
    public byte Sbz1 { get; init; }

    public bool DaclPresent => (Control & SecurityDescriptorControl.DaclPresent) != 0;
    public bool SaclPresent => (Control & SecurityDescriptorControl.SaclPresent) != 0;

    public int Size => HeaderSize + (Sacl?.Size ?? 0) + (Dacl?.Size ?? 0) + (Owner?.BinaryLength ?? 0) + (Group?.BinaryLength ?? 0);

    /// <summary>
    /// Reads a self-relative descriptor. False when the header is cut short, the revision is not 1, SE_SELF_RELATIVE
    /// is not set, an offset points inside the header or past the end, or a part there does not parse. The SACL and
    /// DACL are read only when their PRESENT bit is set (as Windows does, an offset without the bit is ignored).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out SecurityDescriptor descriptor)
    {
        descriptor = null!;
        if (source.Length < HeaderSize || source[0] != 1) return false;
        var control = (SecurityDescriptorControl)BinaryPrimitives.ReadUInt16LittleEndian(source[2..]);
        if ((control & SecurityDescriptorControl.SelfRelative) == 0) return false;
        uint ownerAt = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        uint groupAt = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        uint saclAt = BinaryPrimitives.ReadUInt32LittleEndian(source[12..]);
        uint daclAt = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        Sid? owner = null, group = null;
        Acl? sacl = null, dacl = null;
        if (ownerAt != 0 && !TryReadPart(source, ownerAt, out owner)) return false;
        if (groupAt != 0 && !TryReadPart(source, groupAt, out group)) return false;
        if ((control & SecurityDescriptorControl.SaclPresent) != 0 && saclAt != 0 && !TryReadAcl(source, saclAt, out sacl)) return false;
        if ((control & SecurityDescriptorControl.DaclPresent) != 0 && daclAt != 0 && !TryReadAcl(source, daclAt, out dacl)) return false;
        descriptor = new SecurityDescriptor(control, owner, group, sacl, dacl) { Sbz1 = source[1] };
        return true;
    }

    private static bool TryReadPart(ReadOnlySpan<byte> source, uint at, out Sid? sid)
    {
        sid = null;
        if (at < HeaderSize || at >= source.Length) return false;
        if (!Sid.TryRead(source[(int)at..], out var read, out _)) return false;
        sid = read;
        return true;
    }

    private static bool TryReadAcl(ReadOnlySpan<byte> source, uint at, out Acl? acl)
    {
        acl = null;
        if (at < HeaderSize || at >= source.Length) return false;
        if (!Acl.TryRead(source[(int)at..], out var read)) return false;
        acl = read;
        return true;
    }

    /// <summary>Writes the self-relative form into <paramref name="dest"/> (at least <see cref="Size"/> bytes).</summary>
    public int Write(Span<byte> dest)
    {
        dest[..HeaderSize].Clear();
        dest[0] = 1;
        dest[1] = Sbz1;
        var control = Control | SecurityDescriptorControl.SelfRelative;
        int pos = HeaderSize;
        if (Sacl is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[12..], (uint)pos);
            pos += Sacl.Write(dest[pos..]);
        }
        if (Dacl is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[16..], (uint)pos);
            pos += Dacl.Write(dest[pos..]);
        }
        if (Owner is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], (uint)pos);
            pos += Owner.Write(dest[pos..]);
        }
        if (Group is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], (uint)pos);
            pos += Group.Write(dest[pos..]);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(dest[2..], (ushort)control);
        return pos;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    /// <summary>
    /// The parts <paramref name="securityInformation"/> asks for ([MS-DTYP] 2.4.7 SECURITY_INFORMATION: OWNER 1,
    /// GROUP 2, DACL 4, SACL 8; LABEL 0x10 is the mandatory-label ACEs of the SACL). The PRESENT bit of a part not asked
    /// for is cleared, as are its PROTECTED and AUTO_INHERITED bits.
    /// </summary>
    public SecurityDescriptor Select(uint securityInformation)
    {
        const uint owner = 1, group = 2, daclBit = 4, saclBit = 8, label = 0x10;
        var control = Control;
        Acl? sacl = null;
        if ((securityInformation & saclBit) != 0) sacl = Sacl;
        else if ((securityInformation & label) != 0 && Sacl is not null)
            sacl = new Acl(Sacl.Revision, [.. Sacl.Aces.Where(a => a.Type == AceType.SystemMandatoryLabel)]);
        if ((securityInformation & (saclBit | label)) == 0)
            control &= ~(SecurityDescriptorControl.SaclPresent | SecurityDescriptorControl.SaclProtected
                | SecurityDescriptorControl.SaclAutoInherited | SecurityDescriptorControl.SaclDefaulted);
        if ((securityInformation & daclBit) == 0)
            control &= ~(SecurityDescriptorControl.DaclPresent | SecurityDescriptorControl.DaclProtected
                | SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclDefaulted);
        return new SecurityDescriptor(control,
            (securityInformation & owner) != 0 ? Owner : null,
            (securityInformation & group) != 0 ? Group : null,
            sacl,
            (securityInformation & daclBit) != 0 ? Dacl : null) { Sbz1 = Sbz1 };
    }

    public bool Equals(SecurityDescriptor? other) =>
        other is not null && Control == other.Control && Equals(Owner, other.Owner) && Equals(Group, other.Group)
        && Equals(Sacl, other.Sacl) && Equals(Dacl, other.Dacl);

    public override int GetHashCode() => HashCode.Combine(Control, Owner, Group);
}
