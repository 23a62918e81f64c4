using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.3.1.1 HashAlgorithms IDs.</summary>
public static class Smb2HashAlgorithm
{
    public const ushort Sha512 = 0x0001;
}

/// <summary>[MS-SMB2] 2.2.3.1.2 Ciphers IDs; also the transform's cipher (3.3.1.7 Connection.CipherId).</summary>
public enum Smb2CipherId : ushort
{
    /// <summary>No common cipher (a 3.1.1 response may carry it: "no encryption").</summary>
    None = 0x0000,
    Aes128Ccm = 0x0001,
    Aes128Gcm = 0x0002,
    Aes256Ccm = 0x0003,
    Aes256Gcm = 0x0004,
}

public static class Smb2CipherIdExtensions
{
    public static bool IsGcm(this Smb2CipherId id) => id is Smb2CipherId.Aes128Gcm or Smb2CipherId.Aes256Gcm;

    /// <summary>Key length in bytes: 16 for the AES-128 ciphers, 32 for AES-256 ([MS-SMB2] 3.3.5.5.3).</summary>
    public static int KeySize(this Smb2CipherId id) => id is Smb2CipherId.Aes256Ccm or Smb2CipherId.Aes256Gcm ? 32 : 16;
}

/// <summary>
/// [MS-SMB2] 2.2.3.1.1 SMB2_PREAUTH_INTEGRITY_CAPABILITIES: HashAlgorithmCount (2), SaltLength (2),
/// HashAlgorithms (2 each), Salt. A view over one context's Data.
/// </summary>
public readonly ref struct PreauthIntegrityCapabilities
{
    private const int OffCount = 0, OffSaltLength = 2, OffAlgorithms = 4;

    private PreauthIntegrityCapabilities(IdList algorithms, ReadOnlySpan<byte> salt)
    {
        HashAlgorithms = algorithms;
        Salt = salt;
    }

    public IdList HashAlgorithms { get; }
    public ReadOnlySpan<byte> Salt { get; }

    /// <summary>False when the data is too short for its counts, or HashAlgorithmCount is 0 ("This value MUST be
    /// greater than zero").</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out PreauthIntegrityCapabilities value)
    {
        value = default;
        if (data.Length < OffAlgorithms) return false;
        int count = U16(data, OffCount);
        int salt = U16(data, OffSaltLength);
        if (count == 0 || data.Length < OffAlgorithms + 2 * count + salt) return false;
        value = new PreauthIntegrityCapabilities(new IdList(data.Slice(OffAlgorithms, 2 * count)),
            data.Slice(OffAlgorithms + 2 * count, salt));
        return true;
    }

    public static int SizeOf(int algorithmCount, int saltLength) => OffAlgorithms + 2 * algorithmCount + saltLength;

    /// <summary>Writes one algorithm and the salt (a response, or a client offering only SHA-512).</summary>
    public static int Write(Span<byte> data, ushort hashAlgorithm, ReadOnlySpan<byte> salt)
    {
        W16(data, OffCount, (ushort)1);
        W16(data, OffSaltLength, salt.Length);
        W16(data, OffAlgorithms, hashAlgorithm);
        salt.CopyTo(data[(OffAlgorithms + 2)..]);
        return SizeOf(1, salt.Length);
    }
}

/// <summary>
/// A count-prefixed list of 16-bit IDs: the Data of [MS-SMB2] 2.2.3.1.2 SMB2_ENCRYPTION_CAPABILITIES (CipherCount,
/// Ciphers) and 2.2.3.1.7 SMB2_SIGNING_CAPABILITIES (SigningAlgorithmCount, SigningAlgorithms); also the bare
/// array inside the preauth context. Most preferred first (both sections: "the most preferred ... MUST be at the
/// beginning of the array").
/// </summary>
public readonly ref struct IdList
{
    private readonly ReadOnlySpan<byte> _ids;

    internal IdList(ReadOnlySpan<byte> ids) => _ids = ids;

    public int Count => _ids.Length / 2;
    public ushort this[int i] => U16(_ids, 2 * i);

    public bool Contains(ushort id)
    {
        for (int i = 0; i < Count; i++)
            if (this[i] == id) return true;
        return false;
    }

    /// <summary>Parses Count (2 bytes) and the IDs; false when short or when the count is 0 (both contexts: "This
    /// value MUST be greater than zero").</summary>
    public static bool TryParseCounted(ReadOnlySpan<byte> data, out IdList value)
    {
        value = default;
        if (data.Length < 2) return false;
        int count = U16(data, 0);
        if (count == 0 || data.Length < 2 + 2 * count) return false;
        value = new IdList(data.Slice(2, 2 * count));
        return true;
    }

    public static int SizeOfCounted(int count) => 2 + 2 * count;

    public static int WriteCounted(Span<byte> data, ReadOnlySpan<ushort> ids)
    {
        W16(data, 0, ids.Length);
        for (int i = 0; i < ids.Length; i++) W16(data, 2 + 2 * i, ids[i]);
        return SizeOfCounted(ids.Length);
    }
}
