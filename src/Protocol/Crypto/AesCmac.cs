using System.Security.Cryptography;

namespace FastSmb.Protocol.Crypto;

/// <summary>
/// AES-128-CMAC (RFC 4493), the SMB 3.0–3.1.1 signing MAC ([MS-SMB2] 3.1.4.1). One object per key:
/// it holds an AES-CBC encryptor made once, so computing a MAC allocates nothing.
/// <para>
/// Why a CBC encryptor rather than the one-shot <c>EncryptEcb</c>: on .NET 10 each one-shot call allocates
/// (a native cipher context per call), which is too much per SMB message. CMAC is a CBC-MAC, so the
/// message goes through a long-lived CBC encryptor in chunks. The encryptor keeps its chaining block
/// between messages; instead of resetting it (which would allocate), the first block of each message is
/// XORed with that chaining block, which cancels it: E((P ⊕ C) ⊕ C) = E(P).
/// </para>
/// Owned by one session/connection thread; not thread-safe.
/// </summary>
public sealed class AesCmac : IDisposable
{
    public const int MacSize = 16;
    private const int BlockSize = 16;
    private const int ChunkSize = 4096;

    private readonly Aes _aes;
    private readonly ICryptoTransform _cbc;
    private readonly byte[] _in = new byte[ChunkSize];
    private readonly byte[] _out = new byte[ChunkSize];
    private readonly byte[] _chain = new byte[BlockSize]; // the encryptor's current chaining block
    private readonly byte[] _k1 = new byte[BlockSize];
    private readonly byte[] _k2 = new byte[BlockSize];
    private readonly byte[] _key;

    public AesCmac(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16) throw new ArgumentException("AES-128-CMAC needs a 16-byte key", nameof(key));
        _key = key.ToArray();
        _aes = Aes.Create();
        _aes.Key = _key;
        _aes.Mode = CipherMode.CBC;
        _aes.Padding = PaddingMode.None; // CreateEncryptor takes mode and padding from the instance
        _cbc = _aes.CreateEncryptor(_key, new byte[BlockSize]);

        // RFC 4493 2.3 Generate_Subkey: L = AES-128(K, 0^128); K1 = L << 1 (^ Rb); K2 = K1 << 1 (^ Rb).
        Span<byte> l = stackalloc byte[BlockSize];
        EncryptOneBlock(ReadOnlySpan<byte>.Empty, firstOfMessage: true, l);
        ShiftXor(l, _k1);
        ShiftXor(_k1, _k2);
    }

    /// <summary>The key this instance was made for (so a cache can tell whether it fits).</summary>
    public bool HasKey(ReadOnlySpan<byte> key) => key.SequenceEqual(_key);

    /// <summary>RFC 4493 2.4 AES-CMAC: writes the 16-byte MAC of <paramref name="data"/>.</summary>
    public void ComputeMac(ReadOnlySpan<byte> data, Span<byte> mac16)
    {
        if (mac16.Length < MacSize) throw new ArgumentException("needs 16 bytes", nameof(mac16));
        int n = (data.Length + BlockSize - 1) / BlockSize;
        bool complete = n > 0 && data.Length % BlockSize == 0;
        if (n == 0) n = 1;
        int prefix = (n - 1) * BlockSize; // every block but the last goes through plain CBC

        bool first = true;
        for (int off = 0; off < prefix; off += ChunkSize)
        {
            int len = Math.Min(ChunkSize, prefix - off);
            data.Slice(off, len).CopyTo(_in);
            if (first) { Xor(_in.AsSpan(0, BlockSize), _chain); first = false; }
            _cbc.TransformBlock(_in, 0, len, _out, 0);
            _out.AsSpan(len - BlockSize, BlockSize).CopyTo(_chain);
        }

        // Last block: complete → M_n ⊕ K1; otherwise padded (10*) ⊕ K2.
        Span<byte> last = stackalloc byte[BlockSize];
        last.Clear();
        ReadOnlySpan<byte> tail = data[prefix..];
        tail.CopyTo(last);
        if (complete) Xor(last, _k1);
        else { last[tail.Length] = 0x80; Xor(last, _k2); }
        EncryptOneBlock(last, first, mac16);
    }

    /// <summary>
    /// One-shot form for callers without a per-key object: keeps the last key's <see cref="AesCmac"/> per
    /// thread, so repeated calls with one session's key allocate nothing.
    /// </summary>
    public static void ComputeMac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> mac16)
    {
        var c = t_cached;
        if (c is null || !c.HasKey(key))
        {
            c?.Dispose();
            t_cached = c = new AesCmac(key);
        }
        c.ComputeMac(data, mac16);
    }

    [ThreadStatic] private static AesCmac? t_cached;

    private void EncryptOneBlock(ReadOnlySpan<byte> block, bool firstOfMessage, Span<byte> output)
    {
        var inBlock = _in.AsSpan(0, BlockSize);
        inBlock.Clear();
        block.CopyTo(inBlock);
        if (firstOfMessage) Xor(inBlock, _chain);
        _cbc.TransformBlock(_in, 0, BlockSize, _out, 0);
        _out.AsSpan(0, BlockSize).CopyTo(_chain);
        _out.AsSpan(0, BlockSize).CopyTo(output);
    }

    private static void Xor(Span<byte> a, ReadOnlySpan<byte> b)
    {
        for (int i = 0; i < BlockSize; i++) a[i] ^= b[i];
    }

    private static void ShiftXor(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int carry = 0;
        for (int i = BlockSize - 1; i >= 0; i--)
        {
            int v = src[i];
            dst[i] = (byte)((v << 1) | carry);
            carry = v >> 7;
        }
        if ((src[0] & 0x80) != 0) dst[BlockSize - 1] ^= 0x87; // Rb = 0^120 || 10000111
    }

    public void Dispose()
    {
        _cbc.Dispose();
        _aes.Dispose();
    }
}
