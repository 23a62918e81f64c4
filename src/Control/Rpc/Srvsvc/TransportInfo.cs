using System.Text;
using FastSmb.Protocol.Rpc.Ndr;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// One transport as NetrServerTransportEnum reports it: the union of [MS-SRVS] 2.2.4.96 SERVER_TRANSPORT_INFO_0
/// to 2.2.4.99 SERVER_TRANSPORT_INFO_3 (levels 2 and 3 add flags, and 3 a 256-byte password, which is empty).
/// </summary>
public sealed record TransportInfo(uint NumberOfVcs, string Name, byte[] Address, string NetworkAddress, string Domain,
    uint Flags = 0)
{
    /// <summary>The cases of SERVER_XPORT_ENUM_UNION; any other level is the empty default arm.</summary>
    public static bool IsUnionArm(uint level) => level <= 3;

    /// <summary>A NetBIOS transport's address: the 16-byte name, space padded (the name type byte is a space too).</summary>
    public static byte[] NetBiosAddress(string netBiosName)
    {
        var address = new byte[16];
        address.AsSpan().Fill((byte)' ');
        Encoding.ASCII.GetBytes(netBiosName.AsSpan(0, Math.Min(netBiosName.Length, 15)), address);
        return address;
    }

    /// <summary>The flat part of SERVER_TRANSPORT_INFO_level; pointers' referents are queued on the writer.</summary>
    public void Write(NdrWriter w, uint level)
    {
        w.WriteUInt32(NumberOfVcs);
        w.WriteUniqueString(Name);
        // [size_is(svti0_transportaddresslength)] LPBYTE: a conformant byte array.
        var address = Address;
        w.WriteUniquePointer(false, a =>
        {
            a.WriteConformance((uint)address.Length);
            a.WriteBytes(address);
        });
        w.WriteUInt32((uint)Address.Length);
        w.WriteUniqueString(NetworkAddress);
        if (level == 0) return;
        w.WriteUniqueString(Domain);
        if (level == 1) return;
        w.WriteUInt32(Flags);
        if (level == 2) return;
        w.WriteUInt32(0); // svti3_passwordlength
        w.WriteBytes(new byte[256]); // svti3_password
    }
}
