namespace FastSmb.Protocol.Smb2.Signing;

/// <summary>
/// How an SMB2 message is signed ([MS-SMB2] 3.1.4.1). The values match the SigningAlgorithms IDs of the
/// SMB2_SIGNING_CAPABILITIES negotiate context (2.2.3.1.7), so a negotiated ID casts directly.
/// </summary>
public enum SigningAlgorithm : ushort
{
    /// <summary>Dialects 2.0.2 and 2.1: HMAC-SHA256 truncated to 16 bytes, keyed with Session.SessionKey.</summary>
    HmacSha256 = 0x0000,
    /// <summary>Dialects 3.0, 3.0.2, and 3.1.1 without a negotiated algorithm.</summary>
    AesCmac = 0x0001,
    /// <summary>Dialect 3.1.1 when negotiated through SMB2_SIGNING_CAPABILITIES.</summary>
    AesGmac = 0x0002,
}
