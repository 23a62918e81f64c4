using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using FastSmb.Protocol.Crypto;

namespace FastSmb.Protocol.Smb2.Signing;

/// <summary>
/// Signs and verifies one SMB2 message ([MS-SMB2] 3.1.4.1 Signing An Outgoing Message, 3.1.5.1 Verifying an
/// Incoming Message). "Message" is one command of a compound, from its header to the next command's header
/// (padding included) or the end. Stateless; thread-safe. The AES primitives are cached per thread and per key,
/// so signing a session's messages on its core allocates nothing.
/// </summary>
public static class Smb2Signer
{
    public const int SignatureSize = Smb2Header.SignatureSize;
    private const int SignatureOffset = Smb2Header.SignatureOffset;
    private const int FlagsOffset = 16, CommandOffset = 12, MessageIdOffset = 24;
    private const uint FlagSigned = 0x00000008, FlagServerToRedir = 0x00000001;
    private const ushort CancelCommand = 0x000C;

    /// <summary>
    /// Sets SMB2_FLAGS_SIGNED, zeroes the Signature field, computes the signature over the whole message, and
    /// writes it in. <paramref name="key"/> is Session.SessionKey (2.x) or the derived SigningKey (3.x).
    /// </summary>
    public static void Sign(Span<byte> message, SigningAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (message.Length < Smb2Header.Size) throw new ArgumentException("not an SMB2 message", nameof(message));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[FlagsOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(message[FlagsOffset..], flags | FlagSigned);
        Span<byte> sig = message.Slice(SignatureOffset, SignatureSize);
        sig.Clear();
        Span<byte> computed = stackalloc byte[SignatureSize];
        ComputeSignature(message, algorithm, key, computed);
        computed.CopyTo(sig);
    }

    /// <summary>
    /// True when the message's Signature field matches the one computed over it with that field zeroed. The input
    /// is not modified: the computation runs over a pooled copy. False for anything shorter than a header.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> message, SigningAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (message.Length < Smb2Header.Size) return false;
        byte[] copy = ArrayPool<byte>.Shared.Rent(message.Length);
        try
        {
            Span<byte> m = copy.AsSpan(0, message.Length);
            message.CopyTo(m);
            m.Slice(SignatureOffset, SignatureSize).Clear();
            Span<byte> computed = stackalloc byte[SignatureSize];
            ComputeSignature(m, algorithm, key, computed);
            return CryptographicOperations.FixedTimeEquals(computed, message.Slice(SignatureOffset, SignatureSize));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// The 16-byte signature of a message whose Signature field the caller has already zeroed.
    /// </summary>
    public static void ComputeSignature(ReadOnlySpan<byte> message, SigningAlgorithm algorithm, ReadOnlySpan<byte> key,
        Span<byte> signature16)
    {
        switch (algorithm)
        {
            case SigningAlgorithm.HmacSha256:
            {
                // 3.1.4.1: "compute a 32-byte hash by using HMAC-SHA256 ... copy the first 16 bytes".
                Span<byte> full = stackalloc byte[32];
                HMACSHA256.HashData(key, message, full);
                full[..SignatureSize].CopyTo(signature16);
                break;
            }
            case SigningAlgorithm.AesCmac:
                AesCmac.ComputeMac(key, message, signature16);
                break;
            case SigningAlgorithm.AesGmac:
            {
                // 3.1.4.1: nonce = MessageId (8 bytes) || 4 bytes whose bit 0 is set when the sender is the server
                // and bit 1 when the message is an SMB2 CANCEL request; GMAC = GCM over no plaintext with the
                // message as additional authenticated data ([RFC4543]).
                Span<byte> nonce = stackalloc byte[12];
                message.Slice(MessageIdOffset, 8).CopyTo(nonce);
                uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[FlagsOffset..]);
                bool fromServer = (flags & FlagServerToRedir) != 0;
                bool cancel = !fromServer && BinaryPrimitives.ReadUInt16LittleEndian(message[CommandOffset..]) == CancelCommand;
                BinaryPrimitives.WriteUInt32LittleEndian(nonce[8..], (fromServer ? 1u : 0u) | (cancel ? 2u : 0u));
                GmacCache.Get(key).Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, signature16, message);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown signing algorithm");
        }
    }

    /// <summary>One AesGcm per thread for the last key used: building one per message would allocate.</summary>
    private static class GmacCache
    {
        [ThreadStatic] private static AesGcm? t_gcm;
        [ThreadStatic] private static byte[]? t_key;

        public static AesGcm Get(ReadOnlySpan<byte> key)
        {
            if (t_gcm is null || t_key is null || !key.SequenceEqual(t_key))
            {
                t_gcm?.Dispose();
                t_key = key.ToArray();
                t_gcm = new AesGcm(key, SignatureSize);
            }
            return t_gcm;
        }
    }
}
