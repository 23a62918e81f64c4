using System.Buffers.Binary;
using System.Security.Cryptography;
using FastSmb.Protocol.Crypto;

namespace FastSmb.Protocol.Security.Ntlm;

/// <summary>
/// NTLM session security with extended session security ([MS-NLMP] 3.4): message signatures (3.4.4.2
/// MAC with NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) and sealing (3.4.3). SPNEGO's mechListMIC is one such
/// signature ([MS-SPNG] 3.1.5.1, 3.2.5.1). Each direction has its own signing key, RC4 handle and sequence number;
/// the handles' keystreams run on from message to message, so this object is stateful.
/// Owned by one security context; not thread-safe.
/// </summary>
public sealed class NtlmSessionSecurity
{
    public const int SignatureSize = 16;

    private readonly byte[] _sendSignKey = new byte[16], _recvSignKey = new byte[16];
    private readonly Rc4 _sendHandle, _recvHandle;
    private readonly bool _keyExchange;
    private uint _sendSeq, _recvSeq;

    /// <param name="exportedSessionKey">The 16-byte ExportedSessionKey.</param>
    /// <param name="flags">The negotiated flags (KEY_EXCH decides whether checksums are RC4-encrypted).</param>
    /// <param name="isClient">True for the initiator: it sends with the client-to-server keys.</param>
    public NtlmSessionSecurity(ReadOnlySpan<byte> exportedSessionKey, NtlmNegotiateFlags flags, bool isClient)
    {
        Span<byte> sealSend = stackalloc byte[16], sealRecv = stackalloc byte[16];
        NtlmV2.SignKey(exportedSessionKey, clientToServer: isClient, _sendSignKey);
        NtlmV2.SignKey(exportedSessionKey, clientToServer: !isClient, _recvSignKey);
        NtlmV2.SealKey(exportedSessionKey, flags, clientToServer: isClient, sealSend);
        NtlmV2.SealKey(exportedSessionKey, flags, clientToServer: !isClient, sealRecv);
        _sendHandle = new Rc4(sealSend);
        _recvHandle = new Rc4(sealRecv);
        _keyExchange = (flags & NtlmNegotiateFlags.KeyExchange) != 0;
    }

    /// <summary>GSS_GetMIC: the 16-byte NTLMSSP_MESSAGE_SIGNATURE (2.2.2.9.2) of an outgoing message.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var sig = new byte[SignatureSize];
        Mac(_sendHandle, _sendSignKey, _sendSeq++, message, sig);
        return sig;
    }

    /// <summary>GSS_VerifyMIC of an incoming message's signature; advances the receive sequence either way.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Span<byte> expected = stackalloc byte[SignatureSize];
        Mac(_recvHandle, _recvSignKey, _recvSeq++, message, expected);
        return signature.Length == SignatureSize && CryptographicOperations.FixedTimeEquals(expected, signature);
    }

    /// <summary>
    /// GSS_WrapEx (3.4.3 SEAL): encrypts <paramref name="message"/> in place with the send handle, then returns the
    /// signature of the plaintext, whose checksum the same handle encrypts next.
    /// </summary>
    public byte[] Seal(Span<byte> message)
    {
        byte[] plain = message.ToArray();
        _sendHandle.Transform(message, message);
        var sig = new byte[SignatureSize];
        Mac(_sendHandle, _sendSignKey, _sendSeq++, plain, sig);
        return sig;
    }

    /// <summary>
    /// 3.4.4.2: Version 1 || Checksum (HMAC_MD5(SigningKey, SeqNum || Message)[0..8], RC4-encrypted with the handle
    /// when KEY_EXCH was negotiated) || SeqNum.
    /// </summary>
    private void Mac(Rc4 handle, byte[] signKey, uint seq, ReadOnlySpan<byte> message, Span<byte> sig)
    {
        Span<byte> seqBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(seqBytes, seq);
        Span<byte> hmac = stackalloc byte[16];
        using (var h = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, signKey))
        {
            h.AppendData(seqBytes);
            h.AppendData(message);
            h.GetHashAndReset(hmac);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(sig, 1);
        if (_keyExchange) handle.Transform(hmac[..8], sig.Slice(4, 8));
        else hmac[..8].CopyTo(sig.Slice(4, 8));
        seqBytes.CopyTo(sig[12..]);
    }
}
