using System.Buffers.Binary;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// A fixed, minimal self-relative security descriptor ([MS-DTYP] 2.4.6): owner and group BUILTIN\Administrators
/// and a DACL granting Everyone full access, each part only when asked for. Enough for clients that query a
/// descriptor not to fail; real descriptors (from the file's owner and ACLs) come with identity mapping. Stateless.
/// </summary>
internal static class SecurityDescriptorWriter
{
    private const ushort SelfRelative = 0x8000, DaclPresent = 0x0004;

    // S-1-5-32-544: revision 1, 2 sub-authorities, NT authority 5, 32, 544.
    private static ReadOnlySpan<byte> Administrators => [1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0];
    // S-1-1-0: revision 1, 1 sub-authority, world authority 1, 0.
    private static ReadOnlySpan<byte> Everyone => [1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];

    /// <summary>The descriptor's size for <paramref name="securityInformation"/>.</summary>
    public static int SizeOf(uint securityInformation)
    {
        int size = 20;
        if ((securityInformation & SecurityInformation.Owner) != 0) size += Administrators.Length;
        if ((securityInformation & SecurityInformation.Group) != 0) size += Administrators.Length;
        if ((securityInformation & SecurityInformation.Dacl) != 0) size += 8 + 8 + Everyone.Length;
        return size;
    }

    public static int Write(Span<byte> dest, uint securityInformation)
    {
        int size = SizeOf(securityInformation);
        dest[..size].Clear();
        dest[0] = 1; // Revision
        ushort control = SelfRelative;
        int pos = 20;
        if ((securityInformation & SecurityInformation.Owner) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], (uint)pos);
            Administrators.CopyTo(dest[pos..]);
            pos += Administrators.Length;
        }
        if ((securityInformation & SecurityInformation.Group) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], (uint)pos);
            Administrators.CopyTo(dest[pos..]);
            pos += Administrators.Length;
        }
        if ((securityInformation & SecurityInformation.Dacl) != 0)
        {
            control |= DaclPresent;
            BinaryPrimitives.WriteUInt32LittleEndian(dest[16..], (uint)pos);
            // ACL header: revision 2, size, one ACE.
            int aceSize = 8 + Everyone.Length;
            dest[pos] = 2;
            BinaryPrimitives.WriteUInt16LittleEndian(dest[(pos + 2)..], (ushort)(8 + aceSize));
            BinaryPrimitives.WriteUInt16LittleEndian(dest[(pos + 4)..], 1);
            pos += 8;
            // ACCESS_ALLOWED_ACE: type 0, flags 0, size, mask FILE_ALL_ACCESS, SID.
            BinaryPrimitives.WriteUInt16LittleEndian(dest[(pos + 2)..], (ushort)aceSize);
            BinaryPrimitives.WriteUInt32LittleEndian(dest[(pos + 4)..], 0x001F01FF);
            Everyone.CopyTo(dest[(pos + 8)..]);
            pos += aceSize;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(dest[2..], control);
        return pos;
    }
}
