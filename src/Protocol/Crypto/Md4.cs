using System.Buffers.Binary;
using System.Numerics;

namespace FastSmb.Protocol.Crypto;

/// <summary>
/// MD4 message digest (RFC 1320). .NET has no MD4, and NTLM needs it for the NT hash
/// ([MS-NLMP] 3.3.1 NTOWFv1: MD4(UNICODE(Passwd))). Only ever used on passwords, so this is a
/// one-shot, allocation-free, unoptimised implementation. Stateless; thread-safe.
/// </summary>
public static class Md4
{
    public const int HashSize = 16;

    /// <summary>Writes MD4(<paramref name="data"/>) into the first 16 bytes of <paramref name="hash"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        if (hash.Length < HashSize) throw new ArgumentException("needs 16 bytes", nameof(hash));
        uint a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
        Span<uint> x = stackalloc uint[16];

        int full = data.Length / 64;
        for (int i = 0; i < full; i++)
        {
            Load(data.Slice(i * 64, 64), x);
            Block(x, ref a, ref b, ref c, ref d);
        }

        // RFC 1320 3.1/3.2: append 0x80, zeros to 56 mod 64, then the bit length (64-bit little-endian).
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        int rest = data.Length - full * 64;
        data[(full * 64)..].CopyTo(tail);
        tail[rest] = 0x80;
        int tailLen = rest < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[(tailLen - 8)..], (ulong)data.Length * 8);
        for (int off = 0; off < tailLen; off += 64)
        {
            Load(tail.Slice(off, 64), x);
            Block(x, ref a, ref b, ref c, ref d);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(hash, a);
        BinaryPrimitives.WriteUInt32LittleEndian(hash[4..], b);
        BinaryPrimitives.WriteUInt32LittleEndian(hash[8..], c);
        BinaryPrimitives.WriteUInt32LittleEndian(hash[12..], d);
    }

    public static byte[] HashData(ReadOnlySpan<byte> data)
    {
        var h = new byte[HashSize];
        HashData(data, h);
        return h;
    }

    private static void Load(ReadOnlySpan<byte> block, Span<uint> x)
    {
        for (int i = 0; i < 16; i++) x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
    }

    private static uint F(uint x, uint y, uint z) => (x & y) | (~x & z);
    private static uint G(uint x, uint y, uint z) => (x & y) | (x & z) | (y & z);
    private static uint H(uint x, uint y, uint z) => x ^ y ^ z;

    // RFC 1320 3.4: three rounds of 16 operations.
    private static void Block(ReadOnlySpan<uint> x, ref uint a0, ref uint b0, ref uint c0, ref uint d0)
    {
        uint a = a0, b = b0, c = c0, d = d0;
        ReadOnlySpan<int> r1 = [3, 7, 11, 19];
        for (int i = 0; i < 16; i += 4)
        {
            a = BitOperations.RotateLeft(a + F(b, c, d) + x[i], r1[0]);
            d = BitOperations.RotateLeft(d + F(a, b, c) + x[i + 1], r1[1]);
            c = BitOperations.RotateLeft(c + F(d, a, b) + x[i + 2], r1[2]);
            b = BitOperations.RotateLeft(b + F(c, d, a) + x[i + 3], r1[3]);
        }
        const uint k2 = 0x5A827999;
        for (int i = 0; i < 4; i++)
        {
            a = BitOperations.RotateLeft(a + G(b, c, d) + x[i] + k2, 3);
            d = BitOperations.RotateLeft(d + G(a, b, c) + x[i + 4] + k2, 5);
            c = BitOperations.RotateLeft(c + G(d, a, b) + x[i + 8] + k2, 9);
            b = BitOperations.RotateLeft(b + G(c, d, a) + x[i + 12] + k2, 13);
        }
        const uint k3 = 0x6ED9EBA1;
        ReadOnlySpan<int> order = [0, 2, 1, 3];
        foreach (int i in order)
        {
            a = BitOperations.RotateLeft(a + H(b, c, d) + x[i] + k3, 3);
            d = BitOperations.RotateLeft(d + H(a, b, c) + x[i + 8] + k3, 9);
            c = BitOperations.RotateLeft(c + H(d, a, b) + x[i + 4] + k3, 11);
            b = BitOperations.RotateLeft(b + H(c, d, a) + x[i + 12] + k3, 15);
        }
        a0 += a; b0 += b; c0 += c; d0 += d;
    }
}
