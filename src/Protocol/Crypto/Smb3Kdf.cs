using System.Security.Cryptography;

namespace FastSmb.Protocol.Crypto;

/// <summary>
/// The SMB 3.x key derivation function, [MS-SMB2] 3.1.4.2: SP800-108 KDF in counter mode with
/// HMAC-SHA256, r = 32, L = 128 (or 256 for the AES-256 ciphers). The BCL's
/// <see cref="SP800108HmacCounterKdf"/> encodes exactly Label || 0x00 || Context || [L]₂, so the SMB
/// labels are passed with their trailing NUL as the spec writes them ("SMB2AESCMAC\0").
/// </summary>
public static class Smb3Kdf
{
    public static void Derive(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context,
        Span<byte> output)
    {
        if (output.Length is not (16 or 32)) throw new ArgumentException("SMB3 keys are 16 or 32 bytes", nameof(output));
        SP800108HmacCounterKdf.DeriveBytes(sessionKey, HashAlgorithmName.SHA256, label, context, output);
    }

    /// <summary>Labels and contexts of [MS-SMB2] 3.2.5.3.1 / 3.3.5.5.3 (3.0 and 3.0.2 dialects).</summary>
    public static ReadOnlySpan<byte> Smb30SigningLabel => "SMB2AESCMAC\0"u8;
    public static ReadOnlySpan<byte> Smb30SigningContext => "SmbSign\0"u8;
    public static ReadOnlySpan<byte> Smb30ApplicationLabel => "SMB2APP\0"u8;
    public static ReadOnlySpan<byte> Smb30ApplicationContext => "SmbRpc\0"u8;
    public static ReadOnlySpan<byte> Smb30EncryptionLabel => "SMB2AESCCM\0"u8;
    /// <summary>Server's decryption key = client's encryption key ("ServerIn ").</summary>
    public static ReadOnlySpan<byte> Smb30ServerInContext => "ServerIn \0"u8;
    public static ReadOnlySpan<byte> Smb30ServerOutContext => "ServerOut\0"u8;

    /// <summary>3.1.1 labels; the context is the session's PreauthIntegrityHashValue.</summary>
    public static ReadOnlySpan<byte> Smb311SigningLabel => "SMBSigningKey\0"u8;
    public static ReadOnlySpan<byte> Smb311ApplicationLabel => "SMBAppKey\0"u8;
    public static ReadOnlySpan<byte> Smb311ServerInLabel => "SMBC2SCipherKey\0"u8;
    public static ReadOnlySpan<byte> Smb311ServerOutLabel => "SMBS2CCipherKey\0"u8;
}
