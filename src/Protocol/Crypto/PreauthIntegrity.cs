using System.Buffers;
using System.Security.Cryptography;

namespace FastSmb.Protocol.Crypto;

/// <summary>
/// The SMB 3.1.1 preauthentication integrity hash ([MS-SMB2] 3.3.5.4, 3.3.5.5, 3.2.5.2): a SHA-512 chain
/// H(i) = SHA-512(H(i-1) || message i), starting from 64 zero bytes, over the exact bytes of the NEGOTIATE request and
/// response (the connection's value) and then of each SESSION_SETUP request and each non-final response (the
/// session's value, seeded from the connection's). The value is the context of the 3.1.1 key derivations.
/// Owned by the connection or session that holds it; not thread-safe.
/// </summary>
public sealed class PreauthIntegrity
{
    public const int HashSize = 64;

    private readonly byte[] _value = new byte[HashSize];

    /// <summary>The current hash value (64 bytes; all zero before the first update).</summary>
    public ReadOnlySpan<byte> Value => _value;

    public void Reset() => Array.Clear(_value);

    public void CopyFrom(PreauthIntegrity other) => other._value.CopyTo(_value, 0);

    /// <summary>H = SHA-512(H || message).</summary>
    public void Update(ReadOnlySpan<byte> message) => Chain(_value, message, _value);

    public PreauthIntegrity Clone()
    {
        var copy = new PreauthIntegrity();
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>One step of the chain; <paramref name="next"/> may be <paramref name="previous"/>.</summary>
    public static void Chain(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> message, Span<byte> next)
    {
        // Runs a handful of times per session (NEGOTIATE and the SESSION_SETUP legs), so a pooled concatenation
        // is simpler than an incremental hash object and allocates nothing either.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(HashSize + message.Length);
        try
        {
            previous[..HashSize].CopyTo(buffer);
            message.CopyTo(buffer.AsSpan(HashSize));
            SHA512.HashData(buffer.AsSpan(0, HashSize + message.Length), next);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
