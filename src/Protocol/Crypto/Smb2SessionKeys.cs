using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Protocol.Crypto;

/// <summary>
/// The keys of an SMB2 session, derived from the GSS session key as both ends must ([MS-SMB2] 3.2.5.3.1 for the
/// client, 3.3.5.5.3 for the server): Session.SessionKey, the signing key and algorithm, and the two cipher keys
/// named by direction, so each end picks its own encryption and decryption key from them.
/// </summary>
public sealed record Smb2SessionKeys(byte[] SessionKey, byte[] SigningKey, SigningAlgorithm SigningAlgorithm,
    byte[]? ClientToServerKey, byte[]? ServerToClientKey)
{
    /// <param name="gssKey">The exported session key of the authentication (16 bytes for NTLM, more for Kerberos).</param>
    /// <param name="preauthHash">Session.PreauthIntegrityHashValue (3.1.1 only).</param>
    /// <param name="signing311">The signing algorithm negotiated by SMB2_SIGNING_CAPABILITIES (3.1.1 only).</param>
    /// <param name="cipher">The negotiated cipher, or <see cref="Smb2CipherId.None"/> for no cipher keys.</param>
    public static Smb2SessionKeys Derive(Smb2Dialect dialect, ReadOnlySpan<byte> gssKey, ReadOnlySpan<byte> preauthHash,
        SigningAlgorithm signing311, Smb2CipherId cipher)
    {
        // Session.SessionKey is the first 16 bytes of the GSS key, zero-padded if shorter.
        var sessionKey = new byte[16];
        gssKey[..Math.Min(16, gssKey.Length)].CopyTo(sessionKey);

        if (dialect == Smb2Dialect.Smb311)
        {
            var signingKey = new byte[16];
            Smb3Kdf.Derive(sessionKey, Smb3Kdf.Smb311SigningLabel, preauthHash, signingKey);
            byte[]? c2s = null, s2c = null;
            if (cipher != Smb2CipherId.None)
            {
                // AES-256 keys come from the full GSS key (Session.FullSessionKey), 128-bit ones from SessionKey.
                int size = cipher.KeySize();
                var kdfKey = size == 32 ? gssKey : sessionKey;
                c2s = new byte[size];
                s2c = new byte[size];
                Smb3Kdf.Derive(kdfKey, Smb3Kdf.Smb311ServerInLabel, preauthHash, c2s);
                Smb3Kdf.Derive(kdfKey, Smb3Kdf.Smb311ServerOutLabel, preauthHash, s2c);
            }
            return new Smb2SessionKeys(sessionKey, signingKey, signing311, c2s, s2c);
        }
        if (dialect.IsSmb3())
        {
            var signingKey = new byte[16];
            Smb3Kdf.Derive(sessionKey, Smb3Kdf.Smb30SigningLabel, Smb3Kdf.Smb30SigningContext, signingKey);
            byte[]? c2s = null, s2c = null;
            if (cipher != Smb2CipherId.None)
            {
                c2s = new byte[16];
                s2c = new byte[16];
                Smb3Kdf.Derive(sessionKey, Smb3Kdf.Smb30EncryptionLabel, Smb3Kdf.Smb30ServerInContext, c2s);
                Smb3Kdf.Derive(sessionKey, Smb3Kdf.Smb30EncryptionLabel, Smb3Kdf.Smb30ServerOutContext, s2c);
            }
            return new Smb2SessionKeys(sessionKey, signingKey, SigningAlgorithm.AesCmac, c2s, s2c);
        }
        // 2.0.2 and 2.1 sign with HMAC-SHA256 keyed by the session key itself and have no encryption.
        return new Smb2SessionKeys(sessionKey, sessionKey, SigningAlgorithm.HmacSha256, null, null);
    }
}
