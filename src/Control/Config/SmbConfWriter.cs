using System.Text;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Control.Config;

/// <summary>
/// Prints a configuration the way `testparm -s` does: every section with every key FastSmb understands, values
/// in Samba's spelling, so the output is itself a valid smb.conf. Stateless.
/// </summary>
public static class SmbConfWriter
{
    public static string Format(ServerConfig config)
    {
        var o = new StringBuilder();
        var g = config.Global;
        o.Append("[global]\n");
        Key(o, "netbios name", g.NetbiosName);
        Key(o, "workgroup", g.Workgroup);
        Key(o, "server string", g.ServerString);
        Key(o, "server signing", g.ServerSigning switch
        {
            SigningPolicy.Mandatory => "mandatory",
            SigningPolicy.Disabled => "disabled",
            _ => "auto",
        });
        Key(o, "server min protocol", DialectName(g.MinProtocol));
        Key(o, "server max protocol", DialectName(g.MaxProtocol));
        Key(o, "server smb encrypt", EncryptionName(g.ServerEncryption));
        // An entry with options ("10.0.0.1;speed=1000,capability=RSS") holds commas: quoted, it stays one entry.
        if (g.Interfaces.Count > 0)
            Key(o, "interfaces", string.Join(' ', g.Interfaces.Select(i => i.IndexOfAny([',', ' ']) >= 0 ? $"\"{i}\"" : i)));
        Key(o, "server multi channel support", YesNo(g.ServerMultiChannelSupport));
        Key(o, "bind interfaces only", YesNo(g.BindInterfacesOnly));
        Key(o, "log level", g.LogLevel.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (g.AdminGroup is not null) Key(o, "admin group", g.AdminGroup);
        Key(o, "fastsmb max unauthenticated connections", g.MaxUnauthenticatedConnections.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Key(o, "fastsmb unauthenticated timeout", ((int)g.UnauthenticatedTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (g.Cores is int cores) Key(o, "fastsmb cores", cores.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (g.Io != FastSmb.Datapath.IoEngine.Uring) Key(o, "fastsmb io", "sockets");
        if (g.BusyPollMicroseconds > 0) Key(o, "fastsmb busy poll", g.BusyPollMicroseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

        if (g.StateStore is StateStoreKind store) Key(o, "fastsmb state store", store == StateStoreKind.Faster ? "faster" : "memory");
        Key(o, "fastsmb oplock break timeout", ((int)g.OplockBreakTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (g.RdmaProvider != RdmaProviderKind.None) Key(o, "fastsmb rdma provider", g.RdmaProvider.ToString().ToLowerInvariant());
        if (g.RdmaListen is not null) Key(o, "fastsmb rdma listen", g.RdmaListen);
        if (g.RdmaPort != 5445) Key(o, "fastsmb rdma port", g.RdmaPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Key(o, "smb3 directory leases", YesNo(g.DirectoryLeases));
        Key(o, "kernel change notify", YesNo(g.KernelChangeNotify));
        Key(o, "kernel oplocks", YesNo(g.KernelOplocks));
        foreach (var s in config.Shares)
        {
            o.Append('\n').Append('[').Append(s.Name).Append("]\n");
            FormatShareBody(o, s);
        }
        return o.ToString();
    }

    /// <summary>The "key = value" lines of one share section, indented as in the default config.</summary>
    public static void FormatShareBody(StringBuilder o, ShareConfig s)
    {
        Key(o, "path", s.Path);
        if (s.Comment.Length > 0) Key(o, "comment", s.Comment);
        Key(o, "read only", YesNo(s.ReadOnly));
        Key(o, "guest ok", YesNo(s.GuestOk));
        Key(o, "browseable", YesNo(s.Browseable));
        if (s.ValidUsers.Count > 0)
            Key(o, "valid users", string.Join(", ", s.ValidUsers.Select(u => u.Contains(' ') ? $"\"{u}\"" : u)));
        Key(o, "smb encrypt", EncryptionName(s.Encrypt));
        if (s.KernelChangeNotify is bool kernelNotify) Key(o, "kernel change notify", YesNo(kernelNotify));
        if (s.KernelOplocks is bool kernelOplocks) Key(o, "kernel oplocks", YesNo(kernelOplocks));
        if (s.ContinuouslyAvailable) Key(o, "continuously available", "yes");
    }

    private static void Key(StringBuilder o, string key, string value) => o.Append("   ").Append(key).Append(" = ").Append(value).Append('\n');

    private static string YesNo(bool b) => b ? "yes" : "no";

    /// <summary>Samba's spelling of each "smb encrypt" value (parses back to the same policy).</summary>
    public static string EncryptionName(EncryptionPolicy p) => p switch
    {
        EncryptionPolicy.Off => "off",
        EncryptionPolicy.Desired => "desired",
        EncryptionPolicy.Required => "required",
        _ => "if_required",
    };

    public static string DialectName(Smb2Dialect d) => d switch
    {
        Smb2Dialect.Smb202 => "SMB2_02",
        Smb2Dialect.Smb210 => "SMB2_10",
        Smb2Dialect.Smb300 => "SMB3_00",
        Smb2Dialect.Smb302 => "SMB3_02",
        Smb2Dialect.Smb311 => "SMB3_11",
        _ => d.ToString(),
    };
}
