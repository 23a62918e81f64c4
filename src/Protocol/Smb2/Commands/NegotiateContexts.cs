using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>[MS-SMB2] 2.2.3.1 negotiate context types (SMB 3.1.1).</summary>
public static class Smb2NegotiateContextType
{
    public const ushort PreauthIntegrityCapabilities = 0x0001;
    public const ushort EncryptionCapabilities = 0x0002;
    public const ushort CompressionCapabilities = 0x0003;
    public const ushort NetnameNegotiateContextId = 0x0005;
    public const ushort TransportCapabilities = 0x0006;
    public const ushort RdmaTransformCapabilities = 0x0007;
    public const ushort SigningCapabilities = 0x0008;
}

/// <summary>One [MS-SMB2] 2.2.3.1 NEGOTIATE_CONTEXT: ContextType and its Data (DataLength bytes).</summary>
public readonly ref struct NegotiateContext
{
    public ushort Type { get; }
    public ReadOnlySpan<byte> Data { get; }

    public NegotiateContext(ushort type, ReadOnlySpan<byte> data)
    {
        Type = type;
        Data = data;
    }

    public void Deconstruct(out ushort type, out ReadOnlySpan<byte> data)
    {
        type = Type;
        data = Data;
    }
}

/// <summary>
/// A validated NegotiateContextList (request 2.2.3 or response 2.2.4): <c>foreach (var (type, data) in list)</c>.
/// The list span starts at NegotiateContextOffset, which is 8-aligned relative to the header, so alignment relative to
/// the span start is the spec's alignment.
/// </summary>
public readonly ref struct NegotiateContextList
{
    /// <summary>ContextType (2), DataLength (2), Reserved (4).</summary>
    public const int ContextHeaderSize = 8;

    private readonly ReadOnlySpan<byte> _list;

    internal NegotiateContextList(ReadOnlySpan<byte> list, int count)
    {
        _list = list;
        Count = count;
    }

    public int Count { get; }
    public Enumerator GetEnumerator() => new(_list, Count);

    /// <summary>
    /// Checks that <paramref name="count"/> contexts lie inside <paramref name="list"/>: each 8-byte context header and
    /// its data inside, and "Subsequent negotiate contexts MUST appear at the first 8-byte-aligned offset following the
    /// previous negotiate context" (2.2.3.1). The last one need not be padded.
    /// </summary>
    internal static bool TryValidate(ReadOnlySpan<byte> list, int count)
    {
        int pos = 0;
        for (int i = 0; i < count; i++)
        {
            pos = Align8(pos);
            if (pos > list.Length - ContextHeaderSize) return false;
            int dataLength = U16(list, pos + 2);
            if (dataLength > list.Length - pos - ContextHeaderSize) return false;
            pos += ContextHeaderSize + dataLength;
        }
        return true;
    }

    /// <summary>Walks a list already checked by <see cref="TryValidate"/>; never reads out of bounds.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _list;
        private int _remaining, _pos;
        private ushort _type;
        private ReadOnlySpan<byte> _data;

        internal Enumerator(ReadOnlySpan<byte> list, int count)
        {
            _list = list;
            _remaining = count;
        }

        public readonly NegotiateContext Current => new(_type, _data);

        public bool MoveNext()
        {
            if (_remaining == 0) return false;
            _remaining--;
            int p = Align8(_pos);
            _type = U16(_list, p);
            int len = U16(_list, p + 2);
            _data = _list.Slice(p + ContextHeaderSize, len);
            _pos = p + ContextHeaderSize + len;
            return true;
        }
    }
}

/// <summary>
/// Appends SMB 3.1.1 negotiate contexts to a NEGOTIATE request or response body being written, 8-aligned after what is
/// already there (the dialects, or the security buffer), and keeps NegotiateContextOffset/Count up to date.
/// Usage: <c>int n = NegotiateResponse.Write(body, ...); var w = NegotiateContextWriter.ForResponse(body, n);
/// w.Add(type, data); ...; n = w.Length;</c> Owned by the caller for the duration of one message; no allocation.
/// </summary>
public ref struct NegotiateContextWriter
{
    private readonly Span<byte> _body;
    private readonly int _offsetField, _countField;
    private int _end, _count;

    private NegotiateContextWriter(Span<byte> body, int written, int offsetField, int countField)
    {
        _body = body;
        _end = written;
        _offsetField = offsetField;
        _countField = countField;
    }

    /// <summary>For a NEGOTIATE request body of <paramref name="written"/> bytes (fixed part + dialects).</summary>
    public static NegotiateContextWriter ForRequest(Span<byte> body, int written) =>
        new(body, written, NegotiateRequest.OffNegotiateContextOffset, NegotiateRequest.OffNegotiateContextCount);

    /// <summary>For a NEGOTIATE response body of <paramref name="written"/> bytes (fixed part + security buffer).</summary>
    public static NegotiateContextWriter ForResponse(Span<byte> body, int written) =>
        new(body, written, NegotiateResponse.OffNegotiateContextOffset, NegotiateResponse.OffNegotiateContextCount);

    /// <summary>Body length so far, ending with the last context's data (no trailing pad).</summary>
    public readonly int Length => _end;
    public readonly int Count => _count;

    /// <summary>Adds a context and returns its <paramref name="dataLength"/>-byte data area for the caller to fill.</summary>
    public Span<byte> Add(ushort type, int dataLength)
    {
        int pos = Align8(_end);
        _body[_end..pos].Clear();
        if (_count == 0) W32(_body, _offsetField, OffsetOf(pos));
        W16(_body, pos, type);
        W16(_body, pos + 2, dataLength);
        W32(_body, pos + 4, 0u);
        _end = pos + NegotiateContextList.ContextHeaderSize + dataLength;
        _count++;
        W16(_body, _countField, _count);
        return _body.Slice(pos + NegotiateContextList.ContextHeaderSize, dataLength);
    }

    public void Add(ushort type, ReadOnlySpan<byte> data) => data.CopyTo(Add(type, data.Length));
}
