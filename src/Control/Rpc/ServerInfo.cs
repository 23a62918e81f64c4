namespace FastSmb.Control.Rpc;

/// <summary>
/// How the server describes itself to srvsvc NetrServerGetInfo ([MS-SRVS] 2.2.4.41 SERVER_INFO_101), wkssvc
/// NetrWkstaGetInfo ([MS-WKST] 2.2.5.1 WKSTA_INFO_100) and in share listings. <see cref="ServerType"/> defaults to
/// SV_TYPE_WORKSTATION | SV_TYPE_SERVER | SV_TYPE_NT | SV_TYPE_SERVER_NT ([MS-SRVS] 2.2.2.7), what a Windows file
/// server that is not a browser reports. <see cref="Workgroup"/> is the NetBIOS domain or workgroup name.
/// </summary>
public sealed record ServerInfo(string NetBiosName, string Comment = "FastSmb", uint VersionMajor = 10, uint VersionMinor = 0,
    uint ServerType = ServerInfo.DefaultServerType, string Workgroup = "WORKGROUP")
{
    public const uint SvTypeWorkstation = 0x00000001, SvTypeServer = 0x00000002, SvTypeNt = 0x00001000,
        SvTypeServerNt = 0x00008000;

    public const uint DefaultServerType = SvTypeWorkstation | SvTypeServer | SvTypeNt | SvTypeServerNt;

    /// <summary>PLATFORM_ID_NT ([MS-SRVS] 2.2.2.6).</summary>
    public const uint PlatformIdNt = 500;
}
