using System.Buffers.Binary;
using System.Security.Cryptography;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Protocol.Smb2.Transform;

/// <summary>
/// One direction's SMB 3.x encryption key with its AEAD ([MS-SMB2] 3.1.4.3 Encrypting the Message): AES-CCM with an
/// 11-byte nonce or AES-GCM with a 12-byte nonce, a 16-byte tag in the TRANSFORM_HEADER Signature, and the header
/// from Nonce onward as associated data. <see cref="Seal"/> encrypts in place behind 52 reserved bytes, so a response
/// is encrypted where it was written. Nonces for sealing are a 64-bit counter followed by random bytes chosen
/// when the key is installed: unique for the life of the key, as 3.3.4.1.4 requires.
/// Owned by one session (one per direction); not thread-safe.
/// </summary>
public sealed class Smb2TransformCipher : IDisposable
{
    private readonly AesCcm? _ccm;
    private readonly AesGcm? _gcm;
    private readonly byte[] _nonceTail;
    private ulong _counter;

    public Smb2TransformCipher(Smb2CipherId cipher, ReadOnlySpan<byte> key)
    {
        if (key.Length != cipher.KeySize()) throw new ArgumentException($"{cipher} needs a {cipher.KeySize()}-byte key", nameof(key));
        CipherId = cipher;
        switch (cipher)
        {
            case Smb2CipherId.Aes128Ccm or Smb2CipherId.Aes256Ccm:
                _ccm = new AesCcm(key);
                NonceSize = 11;
                break;
            case Smb2CipherId.Aes128Gcm or Smb2CipherId.Aes256Gcm:
                _gcm = new AesGcm(key, TransformHeader.SignatureSize);
                NonceSize = 12;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(cipher), cipher, "not a cipher");
        }
        _nonceTail = RandomNumberGenerator.GetBytes(NonceSize - sizeof(ulong));
    }

    public Smb2CipherId CipherId { get; }

    /// <summary>AES-CCM: 11 bytes; AES-GCM: 12 (2.2.41).</summary>
    public int NonceSize { get; }

    /// <summary>
    /// Encrypts <paramref name="frame"/>[52..] in place and writes the TRANSFORM_HEADER into its first 52 bytes.
    /// </summary>
    public void Seal(Span<byte> frame, ulong sessionId)
    {
        Span<byte> nonce = stackalloc byte[TransformHeader.NonceFieldSize];
        nonce.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce, _counter++);
        _nonceTail.CopyTo(nonce[sizeof(ulong)..]);
        Seal(frame, sessionId, nonce[..NonceSize]);
    }

    /// <summary>
    /// Seals with a caller-chosen nonce (test vectors; a client replaying a capture): either the cipher's
    /// <see cref="NonceSize"/> bytes, the rest of the Nonce field left zero, or the whole 16-byte Nonce field. The
    /// latter is what Windows Server 2012 sends for SMB 3.0 (Microsoft's "Encryption in SMB 3.0" example fills all 16
    /// bytes): only the first NonceSize bytes are the AEAD nonce, the others are authenticated as part of the AAD.
    /// </summary>
    public void Seal(Span<byte> frame, ulong sessionId, ReadOnlySpan<byte> nonce)
    {
        if (frame.Length < TransformHeader.Size) throw new ArgumentException("no room for the transform header", nameof(frame));
        if (nonce.Length != NonceSize && nonce.Length != TransformHeader.NonceFieldSize)
            throw new ArgumentException($"{CipherId} takes a {NonceSize}-byte nonce or a whole Nonce field", nameof(nonce));
        var payload = frame[TransformHeader.Size..];
        TransformHeader.Write(frame, nonce, (uint)payload.Length, sessionId);
        var aeadNonce = nonce[..NonceSize];
        var aad = frame.Slice(TransformHeader.AadOffset, TransformHeader.AadSize);
        var tag = frame.Slice(TransformHeader.OffSignature, TransformHeader.SignatureSize);
        if (_gcm is not null) _gcm.Encrypt(aeadNonce, payload, payload, tag, aad);
        else _ccm!.Encrypt(aeadNonce, payload, payload, tag, aad);
    }

    /// <summary>
    /// Decrypts a parsed transform message into <paramref name="plaintext"/> (at least OriginalMessageSize bytes).
    /// False when the tag does not verify.
    /// </summary>
    public bool TryOpen(TransformHeader header, Span<byte> plaintext)
    {
        var nonce = header.Nonce[..NonceSize];
        var ciphertext = header.EncryptedMessage;
        var output = plaintext[..ciphertext.Length];
        try
        {
            if (_gcm is not null) _gcm.Decrypt(nonce, ciphertext, header.Signature, output, header.AssociatedData);
            else _ccm!.Decrypt(nonce, ciphertext, header.Signature, output, header.AssociatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            output.Clear();
            return false;
        }
    }

    public void Dispose()
    {
        _ccm?.Dispose();
        _gcm?.Dispose();
    }
}
