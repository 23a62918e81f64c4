using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Smb2.Commands;

/// <summary>One [MS-SMB2] 2.2.13.2 SMB2_CREATE_CONTEXT: its Name (e.g. "MxAc", "RqLs", "DH2Q") and Data.</summary>
public readonly ref struct CreateContext
{
    public ReadOnlySpan<byte> Name { get; }
    public ReadOnlySpan<byte> Data { get; }

    public CreateContext(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        Name = name;
        Data = data;
    }

    public void Deconstruct(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> data)
    {
        name = Name;
        data = Data;
    }
}

/// <summary>
/// A validated chain of [MS-SMB2] 2.2.13.2 create contexts (CREATE request CreateContexts, or CREATE response
/// CreateContexts): <c>foreach (var (name, data) in list)</c>, no allocation.
/// Layout per context: Next (4), NameOffset (2), NameLength (2), Reserved (2), DataOffset (2), DataLength (4), Buffer;
/// NameOffset and DataOffset count from the start of that context.
/// </summary>
public readonly ref struct CreateContextList
{
    public const int ContextHeaderSize = 16;

    private readonly ReadOnlySpan<byte> _list;

    internal CreateContextList(ReadOnlySpan<byte> list, int count)
    {
        _list = list;
        Count = count;
    }

    public int Count { get; }
    public Enumerator GetEnumerator() => new(_list);

    /// <summary>Finds the first context whose Name equals <paramref name="name"/> (e.g. <c>"MxAc"u8</c>).</summary>
    public bool TryFind(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> data)
    {
        foreach (var (n, d) in this)
        {
            if (n.SequenceEqual(name)) { data = d; return true; }
        }
        data = default;
        return false;
    }

    /// <summary>
    /// Walks the chain checking every context lies inside <paramref name="list"/>: "Next ... The offset from the beginning
    /// of this context to the beginning of the next SMB2_CREATE_CONTEXT field in the response. If this is the last
    /// context, this value MUST be 0", each context 8-byte aligned, a non-empty Name and the Data within the context.
    /// </summary>
    internal static bool TryValidate(ReadOnlySpan<byte> list, out int count)
    {
        count = 0;
        if (list.IsEmpty) return true;
        int pos = 0;
        while (true)
        {
            if (list.Length - pos < ContextHeaderSize) return false;
            uint next = U32(list, pos);
            uint nameOffset = U16(list, pos + 4), nameLength = U16(list, pos + 6);
            uint dataOffset = U16(list, pos + 10), dataLength = U32(list, pos + 12);
            uint contextLength = next == 0 ? (uint)(list.Length - pos) : next;
            if (next != 0 && (next % 8 != 0 || next < ContextHeaderSize || next > (uint)(list.Length - pos))) return false;
            if (nameLength == 0 || nameOffset < ContextHeaderSize || nameOffset + nameLength > contextLength) return false;
            if (dataLength != 0 && (dataOffset < ContextHeaderSize || (ulong)dataOffset + dataLength > contextLength)) return false;
            count++;
            if (next == 0) return true;
            pos += (int)next;
        }
    }

    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _list;
        private int _pos;
        private bool _done;
        private CreateContext _current;

        internal Enumerator(ReadOnlySpan<byte> list)
        {
            _list = list;
            _done = list.IsEmpty;
        }

        public readonly CreateContext Current => _current;

        public bool MoveNext()
        {
            if (_done) return false;
            var ctx = _list[_pos..];
            uint next = U32(ctx, 0);
            var name = ctx.Slice(U16(ctx, 4), U16(ctx, 6));
            uint dataLength = U32(ctx, 12);
            var data = dataLength == 0 ? ReadOnlySpan<byte>.Empty : ctx.Slice(U16(ctx, 10), (int)dataLength);
            _current = new CreateContext(name, data);
            if (next == 0) _done = true; else _pos += (int)next;
            return true;
        }
    }
}

/// <summary>
/// Appends create contexts into a span that starts 8-byte aligned relative to the SMB2 header (e.g.
/// <c>body[CreateResponse.ContextsPosition..]</c>): each context 8-aligned, Name at 16, Data 8-aligned after the Name,
/// and the previous context's Next patched. <see cref="Length"/> is the CreateContextsLength. Caller-owned, no allocation.
/// </summary>
public ref struct CreateContextWriter
{
    private readonly Span<byte> _dest;
    private int _end, _last;

    public CreateContextWriter(Span<byte> dest)
    {
        _dest = dest;
        _last = -1;
    }

    public readonly int Length => _end;
    public int Count { get; private set; }

    /// <summary>Adds a context and returns its <paramref name="dataLength"/>-byte Data area for the caller to fill.</summary>
    public Span<byte> Add(ReadOnlySpan<byte> name, int dataLength)
    {
        int pos = Align8(_end);
        _dest[_end..pos].Clear();
        if (_last >= 0) W32(_dest, _last, pos - _last);
        var ctx = _dest[pos..];
        int dataOffset = dataLength == 0 ? 0 : Align8(CreateContextList.ContextHeaderSize + name.Length);
        W32(ctx, 0, 0u);
        W16(ctx, 4, CreateContextList.ContextHeaderSize);
        W16(ctx, 6, name.Length);
        W16(ctx, 8, (ushort)0);
        W16(ctx, 10, dataOffset);
        W32(ctx, 12, dataLength);
        name.CopyTo(ctx[CreateContextList.ContextHeaderSize..]);
        int nameEnd = CreateContextList.ContextHeaderSize + name.Length;
        if (dataLength == 0)
        {
            _end = pos + nameEnd;
        }
        else
        {
            ctx[nameEnd..dataOffset].Clear();
            _end = pos + dataOffset + dataLength;
        }
        _last = pos;
        Count++;
        return dataLength == 0 ? Span<byte>.Empty : ctx.Slice(dataOffset, dataLength);
    }

    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data) => data.CopyTo(Add(name, data.Length));
}
