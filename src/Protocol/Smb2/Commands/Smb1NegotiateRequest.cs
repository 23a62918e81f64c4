using System.Text;
using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>
/// [MS-SMB] 2.2.4.52 / [MS-CIFS] 2.2.4.52.1 SMB_COM_NEGOTIATE request, as sent by a multi-protocol client to open a
/// connection. An SMB2 server only needs its dialect strings, to answer with an SMB2 NEGOTIATE response
/// ([MS-SMB2] 3.3.5.3.1: dialect 0x02FF if "SMB 2.???" is offered, 3.3.5.3.2: 0x0202 if only "SMB 2.002" is).
/// </summary>
public readonly ref struct Smb1NegotiateRequest
{
    public const byte CommandNegotiate = 0x72;
    /// <summary>The SMB1 header: Protocol(4) Command(1) Status(4) Flags(1) Flags2(2) PIDHigh(2) SecurityFeatures(8) Reserved(2) TID(2) PIDLow(2) UID(2) MID(2).</summary>
    public const int HeaderSize = 32;

    private const int OffCommand = 4, OffWordCount = 32, OffByteCount = 33, OffBytes = 35;
    /// <summary>[MS-CIFS] 2.2.4.52.1: "BufferFormat (1 byte): This field MUST be 0x02."</summary>
    private const byte BufferFormatDialect = 0x02;

    private Smb1NegotiateRequest(ReadOnlySpan<byte> dialectBytes, int count)
    {
        DialectBytes = dialectBytes;
        DialectCount = count;
    }

    /// <summary>The SMB_Data.Bytes: each dialect as 0x02, ASCII name, NUL.</summary>
    public ReadOnlySpan<byte> DialectBytes { get; }
    public int DialectCount { get; }

    public bool OffersSmb2Wildcard => Offers("SMB 2.???"u8);
    public bool OffersSmb202 => Offers("SMB 2.002"u8);

    public bool Offers(ReadOnlySpan<byte> asciiDialect)
    {
        foreach (var d in GetDialects())
            if (d.SequenceEqual(asciiDialect)) return true;
        return false;
    }

    public DialectEnumerator GetDialects() => new(DialectBytes);

    /// <summary>True when the bytes start with the SMB1 protocol id 0xFF 'S' 'M' 'B'.</summary>
    public static bool IsSmb1(ReadOnlySpan<byte> message) =>
        message.Length >= 4 && message[0] == 0xFF && message[1] == (byte)'S' && message[2] == (byte)'M' && message[3] == (byte)'B';

    public static bool TryParse(ReadOnlySpan<byte> message, out Smb1NegotiateRequest value)
    {
        value = default;
        if (!IsSmb1(message) || message.Length < OffBytes) return false;
        if (message[OffCommand] != CommandNegotiate) return false;
        // [MS-CIFS] 2.2.4.52.1: "WordCount (1 byte): This field MUST be 0x00."
        if (message[OffWordCount] != 0) return false;
        int byteCount = U16(message, OffByteCount);
        if (byteCount > message.Length - OffBytes) return false;
        var bytes = message.Slice(OffBytes, byteCount);
        int count = 0;
        for (int pos = 0; pos < bytes.Length; count++)
        {
            if (bytes[pos] != BufferFormatDialect) return false;
            int nul = bytes[(pos + 1)..].IndexOf((byte)0);
            if (nul < 0) return false; // every dialect string is NUL-terminated inside ByteCount
            pos += 1 + nul + 1;
        }
        if (count == 0) return false;
        value = new Smb1NegotiateRequest(bytes, count);
        return true;
    }

    /// <summary>Writes a complete SMB1 NEGOTIATE (header + body) offering <paramref name="dialects"/>; returns its length. For tests and probes.</summary>
    public static int Write(Span<byte> message, params ReadOnlySpan<string> dialects)
    {
        message[..OffBytes].Clear();
        message[0] = 0xFF; message[1] = (byte)'S'; message[2] = (byte)'M'; message[3] = (byte)'B';
        message[OffCommand] = CommandNegotiate;
        message[9] = 0x18;                    // Flags: case-insensitive paths, canonicalized
        W16(message, 10, 0xC801);             // Flags2: Unicode, NT status, extended security, long names
        int pos = OffBytes;
        foreach (var d in dialects)
        {
            message[pos++] = BufferFormatDialect;
            pos += Encoding.ASCII.GetBytes(d, message[pos..]);
            message[pos++] = 0;
        }
        W16(message, OffByteCount, pos - OffBytes);
        return pos;
    }

    /// <summary>Yields each dialect name (ASCII, without the 0x02 marker and NUL) of a validated list.</summary>
    public ref struct DialectEnumerator
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private int _pos;

        internal DialectEnumerator(ReadOnlySpan<byte> bytes)
        {
            _bytes = bytes;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }
        public readonly DialectEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_pos >= _bytes.Length) return false;
            var rest = _bytes[(_pos + 1)..];
            int nul = rest.IndexOf((byte)0);
            Current = rest[..nul];
            _pos += 1 + nul + 1;
            return true;
        }
    }
}
