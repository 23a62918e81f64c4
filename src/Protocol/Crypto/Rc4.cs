namespace FastSmb.Protocol.Crypto;

/// <summary>
/// RC4 stream cipher. NTLM still needs it: the key exchange (RC4K, [MS-NLMP] 3.4.5.1 / 6) and the
/// sealing handle that encrypts the signature checksum (3.4.4.2), whose keystream continues across
/// messages — hence a stateful object. Owned by one security context; not thread-safe.
/// </summary>
public sealed class Rc4
{
    private readonly byte[] _s = new byte[256];
    private byte _i, _j;

    public Rc4(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || key.Length > 256) throw new ArgumentException("RC4 key must be 1..256 bytes", nameof(key));
        for (int k = 0; k < 256; k++) _s[k] = (byte)k;
        byte j = 0;
        for (int k = 0; k < 256; k++)
        {
            j = (byte)(j + _s[k] + key[k % key.Length]);
            (_s[k], _s[j]) = (_s[j], _s[k]);
        }
    }

    /// <summary>XORs the next keystream bytes into <paramref name="output"/> (which may alias <paramref name="input"/>).</summary>
    public void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length) throw new ArgumentException("output too small", nameof(output));
        byte[] s = _s;
        byte i = _i, j = _j;
        for (int n = 0; n < input.Length; n++)
        {
            i++;
            j = (byte)(j + s[i]);
            (s[i], s[j]) = (s[j], s[i]);
            output[n] = (byte)(input[n] ^ s[(byte)(s[i] + s[j])]);
        }
        _i = i; _j = j;
    }

    /// <summary>RC4K(key, data) of [MS-NLMP] 6: a fresh cipher over one buffer.</summary>
    public static void Transform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output) =>
        new Rc4(key).Transform(input, output);
}
