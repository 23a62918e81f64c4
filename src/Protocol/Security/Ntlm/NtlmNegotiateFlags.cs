namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>[MS-NLMP] 2.2.2.5 NEGOTIATE flags, named after the spec's NTLMSSP_* constants.</summary>
[Flags]
public enum NtlmNegotiateFlags : uint
{
    None = 0,
    Unicode = 0x00000001,                   // NTLMSSP_NEGOTIATE_UNICODE
    Oem = 0x00000002,                       // NTLM_NEGOTIATE_OEM
    RequestTarget = 0x00000004,             // NTLMSSP_REQUEST_TARGET
    Sign = 0x00000010,                      // NTLMSSP_NEGOTIATE_SIGN
    Seal = 0x00000020,                      // NTLMSSP_NEGOTIATE_SEAL
    Datagram = 0x00000040,                  // NTLMSSP_NEGOTIATE_DATAGRAM
    LmKey = 0x00000080,                     // NTLMSSP_NEGOTIATE_LM_KEY
    Ntlm = 0x00000200,                      // NTLMSSP_NEGOTIATE_NTLM
    Anonymous = 0x00000800,                 // the "J" bit: anonymous connection
    OemDomainSupplied = 0x00001000,         // NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED
    OemWorkstationSupplied = 0x00002000,    // NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED
    AlwaysSign = 0x00008000,                // NTLMSSP_NEGOTIATE_ALWAYS_SIGN
    TargetTypeDomain = 0x00010000,          // NTLMSSP_TARGET_TYPE_DOMAIN
    TargetTypeServer = 0x00020000,          // NTLMSSP_TARGET_TYPE_SERVER
    ExtendedSessionSecurity = 0x00080000,   // NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY
    Identify = 0x00100000,                  // NTLMSSP_NEGOTIATE_IDENTIFY
    RequestNonNtSessionKey = 0x00400000,    // NTLMSSP_REQUEST_NON_NT_SESSION_KEY
    TargetInfo = 0x00800000,                // NTLMSSP_NEGOTIATE_TARGET_INFO
    Version = 0x02000000,                   // NTLMSSP_NEGOTIATE_VERSION
    Negotiate128 = 0x20000000,              // NTLMSSP_NEGOTIATE_128
    KeyExchange = 0x40000000,               // NTLMSSP_NEGOTIATE_KEY_EXCH
    Negotiate56 = 0x80000000,               // NTLMSSP_NEGOTIATE_56
}
