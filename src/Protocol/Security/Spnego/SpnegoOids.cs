namespace FastSmb.Protocol.Security.Spnego;

/// <summary>Object identifiers of GSS-API mechanisms that SPNEGO negotiates.</summary>
public static class SpnegoOids
{
    /// <summary>SPNEGO itself, RFC 4178 section 3 (iso.org.dod.internet.security.mechanism.snego).</summary>
    public const string Spnego = "1.3.6.1.5.5.2";
    /// <summary>NTLMSSP, [MS-NLMP] 1.9.</summary>
    public const string Ntlmssp = "1.3.6.1.4.1.311.2.2.10";
    /// <summary>Kerberos 5 (RFC 4121) and the legacy Microsoft OID for it ([MS-KILE] 3.1.5.1).</summary>
    public const string Kerberos5 = "1.2.840.113554.1.2.2";
    public const string MsKerberos5 = "1.2.840.48018.1.2.2";
}
