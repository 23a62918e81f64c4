namespace FastSmb.Protocol.Security;

/// <summary>
/// The names a server announces in its NTLM CHALLENGE target information ([MS-NLMP] 2.2.2.1: MsvAvNbComputerName,
/// MsvAvNbDomainName, MsvAvDnsComputerName, MsvAvDnsDomainName). A standalone server uses its workgroup as the
/// NetBIOS domain and may leave the DNS domain empty, as Samba does.
/// </summary>
public sealed record ServerIdentity(
    string NetBiosComputerName = "FASTSMB",
    string NetBiosDomainName = "WORKGROUP",
    string DnsComputerName = "fastsmb",
    string DnsDomainName = "");
