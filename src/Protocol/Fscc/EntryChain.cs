using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

/// <summary>
/// Appends [MS-FSCC] entries that start with a 4-byte NextEntryOffset (directory entries 2.4, FILE_STREAM_INFORMATION
/// 2.4.43, FILE_NOTIFY_INFORMATION 2.7.1): "When multiple ... data elements are present in the buffer, each MUST be aligned
/// on an 8-byte boundary. Any bytes inserted for alignment SHOULD be set to zero ... No padding is required following the
/// last data element." NextEntryOffset of the last entry stays 0. FILE_NOTIFY_INFORMATION aligns on 4 bytes instead.
/// Owned by one writer on one stack frame.
/// </summary>
internal ref struct EntryChain
{
    private readonly Span<byte> _buffer;
    private readonly int _alignMask;
    private int _last;

    public EntryChain(Span<byte> buffer, int alignment = 8)
    {
        _buffer = buffer;
        _alignMask = alignment - 1;
        _last = -1;
        Length = 0;
        Count = 0;
    }

    public int Count { get; private set; }
    public int Length { get; private set; }

    /// <summary>
    /// Reserves <paramref name="size"/> bytes at the next aligned boundary, links the previous entry to it and returns the
    /// entry with NextEntryOffset 0 written. False, with the buffer untouched, when it does not fit.
    /// </summary>
    public bool TryReserve(int size, out Span<byte> entry)
    {
        entry = default;
        int start = Count == 0 ? 0 : (Length + _alignMask) & ~_alignMask;
        if (start + size > _buffer.Length || start + size < 0) return false;
        _buffer[Length..start].Clear();
        entry = _buffer.Slice(start, size);
        W32(entry, 0, 0u);
        if (_last >= 0) W32(_buffer, _last, start - _last);
        _last = start;
        Length = start + size;
        Count++;
        return true;
    }
}

/// <summary>
/// Walks a NextEntryOffset chain on the client side. Each step yields the bytes from one entry to the end of the buffer;
/// a NextEntryOffset that does not move forward or leaves the buffer ends the walk with <see cref="IsMalformed"/> set.
/// </summary>
public ref struct EntryChainReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _next;

    public EntryChainReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _next = buffer.IsEmpty ? -1 : 0;
        IsMalformed = false;
    }

    public bool IsMalformed { get; private set; }

    /// <summary>The next entry (from its first byte to the end of the buffer), or false at the end of the chain.</summary>
    public bool TryNext(out ReadOnlySpan<byte> entry)
    {
        entry = default;
        if (_next < 0) return false;
        if (_buffer.Length - _next < 4) { IsMalformed = true; _next = -1; return false; }
        entry = _buffer[_next..];
        uint offset = U32(entry, 0);
        if (offset == 0) _next = -1;
        else if (offset < 4 || offset > (uint)entry.Length) { IsMalformed = true; _next = -1; }
        else _next += (int)offset;
        return true;
    }
}
