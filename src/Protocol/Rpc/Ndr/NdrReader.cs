using System.Buffers.Binary;
using System.Text;

namespace FastSmb.Protocol.Rpc.Ndr;

/// <summary>Reads the referent of a deferred (embedded) pointer; false when the stub data is malformed.</summary>
public delegate bool NdrDeferredRead(ref NdrReader reader);

/// <summary>
/// Reads NDR 2.0 stub data ([C706] chapter 14, [MS-RPCE] 2.2.5: little-endian, ASCII, IEEE — the only data
/// representation <c>RpcPduHeader</c> accepts). Alignment is relative to the start of the stub, as [C706]
/// 14.2.2 requires. Every read is bounds-checked and answers false on malformed input; nothing throws.
/// <para>
/// Embedded pointers: a structure's pointers are read in its flat part (<see cref="TryReadPointer"/>) and the
/// caller queues how to read each referent with <see cref="Defer"/>; <see cref="TryReadDeferred"/> then reads
/// them in the order [C706] 14.3.12.3 prescribes (after the outermost structure or array, each referent
/// followed at once by its own deferred referents). Top-level pointer parameters are the same with a flush
/// after each parameter.
/// </para>
/// Not thread-safe; one per call.
/// </summary>
public ref struct NdrReader
{
    /// <summary>Deepest nesting of deferred referents accepted, so hostile stubs cannot exhaust the stack.</summary>
    public const int MaxDeferredDepth = 64;

    private readonly ReadOnlySpan<byte> _buf;
    private int _pos;
    private List<NdrDeferredRead>? _deferred;
    private HashSet<uint>? _fullPointers;
    private int _depth;

    public NdrReader(ReadOnlySpan<byte> stub)
    {
        _buf = stub;
        _pos = 0;
        _deferred = null;
        _fullPointers = null;
        _depth = 0;
        NonNullPointerCount = 0;
    }

    public readonly int Position => _pos;
    public readonly int Remaining => _buf.Length - _pos;
    public readonly bool AtEnd => _pos == _buf.Length;

    /// <summary>How many non-null unique/full pointers were read (see NdrWriter's referent id seed).</summary>
    public int NonNullPointerCount { get; private set; }

    /// <summary>Skips padding to a multiple of <paramref name="alignment"/> (1, 2, 4 or 8) from the stub start.</summary>
    public bool TryAlign(int alignment)
    {
        int pad = (alignment - (_pos & (alignment - 1))) & (alignment - 1);
        if (pad > Remaining) return false;
        _pos += pad;
        return true;
    }

    public bool TryReadUInt8(out byte value)
    {
        value = 0;
        if (Remaining < 1) return false;
        value = _buf[_pos++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        value = 0;
        if (!TryAlign(2) || Remaining < 2) return false;
        value = BinaryPrimitives.ReadUInt16LittleEndian(_buf[_pos..]);
        _pos += 2;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        value = 0;
        if (!TryAlign(4) || Remaining < 4) return false;
        value = BinaryPrimitives.ReadUInt32LittleEndian(_buf[_pos..]);
        _pos += 4;
        return true;
    }

    public bool TryReadInt32(out int value)
    {
        bool ok = TryReadUInt32(out uint v);
        value = (int)v;
        return ok;
    }

    /// <summary>hyper: 8-byte aligned in NDR 2.0 ([C706] 14.2.5).</summary>
    public bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (!TryAlign(8) || Remaining < 8) return false;
        value = BinaryPrimitives.ReadUInt64LittleEndian(_buf[_pos..]);
        _pos += 8;
        return true;
    }

    /// <summary>Raw bytes (an array of byte/char/uchar elements: no alignment).</summary>
    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (count < 0 || count > Remaining) return false;
        bytes = _buf.Slice(_pos, count);
        _pos += count;
        return true;
    }

    /// <summary>A GUID as the structure {u32, u16, u16, u8[8]}: 4-byte aligned, 16 bytes.</summary>
    public bool TryReadGuid(out Guid value)
    {
        value = Guid.Empty;
        if (!TryAlign(4) || Remaining < 16) return false;
        value = new Guid(_buf.Slice(_pos, 16));
        _pos += 16;
        return true;
    }

    /// <summary>
    /// A unique (or embedded full) pointer's referent id; 0 is NULL ([C706] 14.3.10). The caller reads or
    /// defers the referent when the id is non-zero.
    /// </summary>
    public bool TryReadPointer(out uint referentId)
    {
        if (!TryReadUInt32(out referentId)) return false;
        if (referentId != 0) NonNullPointerCount++;
        return true;
    }

    /// <summary>
    /// A full pointer ([C706] 14.3.11.3): <paramref name="referentFollows"/> is true only the first time an id
    /// appears; later occurrences alias the referent already read and carry no data.
    /// </summary>
    public bool TryReadFullPointer(out uint referentId, out bool referentFollows)
    {
        referentFollows = false;
        if (!TryReadPointer(out referentId)) return false;
        if (referentId != 0) referentFollows = (_fullPointers ??= []).Add(referentId);
        return true;
    }

    /// <summary>
    /// The max_count of a conformant array ([C706] 14.3.3.2), checked against what is left: each element takes
    /// at least <paramref name="minElementSize"/> bytes, so a count that cannot fit is rejected before anyone
    /// allocates for it.
    /// </summary>
    public bool TryReadConformance(out uint maxCount, int minElementSize)
    {
        if (!TryReadUInt32(out maxCount)) return false;
        return minElementSize <= 0 || maxCount <= (ulong)Remaining / (ulong)minElementSize;
    }

    /// <summary>The offset and actual_count of a varying array ([C706] 14.3.3.3), unchecked against a bound.</summary>
    public bool TryReadVariance(out uint offset, out uint actualCount)
    {
        actualCount = 0;
        return TryReadUInt32(out offset) && TryReadUInt32(out actualCount);
    }

    /// <summary>
    /// A conformant varying string of wchar_t ([string] wchar_t*, [C706] 14.3.4.2): max_count, offset,
    /// actual_count, then actual_count UTF-16LE units including the terminating NUL, which is not returned.
    /// </summary>
    public bool TryReadConformantVaryingString(out string value)
    {
        value = string.Empty;
        if (!TryReadStringHeader(2, out uint actual)) return false;
        if (!TryReadBytes((int)actual * 2, out var chars)) return false;
        if (actual > 0 && chars[^1] == 0 && chars[^2] == 0) chars = chars[..^2];
        value = Encoding.Unicode.GetString(chars);
        return true;
    }

    /// <summary>As <see cref="TryReadConformantVaryingString"/> for [string] char* (one byte per unit, read as UTF-8).</summary>
    public bool TryReadConformantVaryingString8(out string value)
    {
        value = string.Empty;
        if (!TryReadStringHeader(1, out uint actual)) return false;
        if (!TryReadBytes((int)actual, out var chars)) return false;
        if (actual > 0 && chars[^1] == 0) chars = chars[..^1];
        value = Encoding.UTF8.GetString(chars);
        return true;
    }

    private bool TryReadStringHeader(int unitSize, out uint actual)
    {
        actual = 0;
        if (!TryReadUInt32(out uint max) || !TryReadVariance(out uint offset, out actual)) return false;
        // [C706] 14.3.3.3: the transmitted part must lie within the conformant bound.
        if ((ulong)offset + actual > max) return false;
        return actual <= (ulong)Remaining / (ulong)unitSize;
    }

    /// <summary>Queues the read of an embedded pointer's referent for <see cref="TryReadDeferred"/>.</summary>
    public void Defer(NdrDeferredRead read) => (_deferred ??= []).Add(read);

    /// <summary>
    /// Reads the queued referents in order; each one's own embedded referents are read right after it
    /// (depth first), as NDR lays them out.
    /// </summary>
    public bool TryReadDeferred()
    {
        if (_deferred is null || _deferred.Count == 0) return true;
        if (_depth >= MaxDeferredDepth) return false;
        var list = _deferred;
        _deferred = null;
        _depth++;
        foreach (var read in list)
        {
            if (!read(ref this) || !TryReadDeferred()) { _depth--; return false; }
        }
        _depth--;
        return true;
    }
}
