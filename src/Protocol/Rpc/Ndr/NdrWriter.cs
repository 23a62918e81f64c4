using System.Buffers.Binary;
using System.Text;

namespace FastSmb.Protocol.Rpc.Ndr;

/// <summary>
/// Writes NDR 2.0 stub data ([C706] chapter 14, [MS-RPCE] 2.2.5) little-endian into a growing buffer;
/// alignment is relative to the stub start and padding bytes are zero.
/// <para>
/// Embedded pointers: write the referent id with a <c>Write…Pointer</c> overload that takes the referent's
/// writer; the writer is queued and runs at <see cref="FlushDeferred"/>, which the code for a top-level
/// parameter (or the outermost structure) calls once its flat part is written. Referents come out in queue
/// order, each followed at once by its own embedded referents ([C706] 14.3.12.3).
/// </para>
/// <para>
/// Referent ids are 0x00020000 + 4·n, the scheme MIDL and Samba use; <c>referentIdSeed</c> sets the first n
/// (Samba's server continues the count of non-null pointers in the request, which tests use to compare
/// bytes with its output). Clients treat the ids as opaque.
/// </para>
/// Not thread-safe; one per call.
/// </summary>
public sealed class NdrWriter
{
    private const uint ReferentBase = 0x00020000;

    private byte[] _buf;
    private int _len;
    private uint _nextReferent;
    private List<Action<NdrWriter>>? _deferred;
    private Dictionary<object, uint>? _fullPointers;

    public NdrWriter(int capacity = 256, int referentIdSeed = 0)
    {
        _buf = new byte[Math.Max(capacity, 16)];
        _nextReferent = (uint)referentIdSeed;
    }

    public int Length => _len;

    /// <summary>Empties the writer for reuse; referent ids start again from 0.</summary>
    public void Reset()
    {
        _len = 0;
        _nextReferent = 0;
        _deferred = null;
        _fullPointers = null;
    }
    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, _len);
    public byte[] ToArray() => Written.ToArray();

    private Span<byte> Grab(int count)
    {
        if (_buf.Length - _len < count) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + count));
        var s = _buf.AsSpan(_len, count);
        _len += count;
        return s;
    }

    public void Align(int alignment)
    {
        int pad = (alignment - (_len & (alignment - 1))) & (alignment - 1);
        if (pad > 0) Grab(pad).Clear();
    }

    public void WriteUInt8(byte value) => Grab(1)[0] = value;

    public void WriteUInt16(ushort value) { Align(2); BinaryPrimitives.WriteUInt16LittleEndian(Grab(2), value); }

    public void WriteUInt32(uint value) { Align(4); BinaryPrimitives.WriteUInt32LittleEndian(Grab(4), value); }

    public void WriteInt32(int value) => WriteUInt32((uint)value);

    public void WriteUInt64(ulong value) { Align(8); BinaryPrimitives.WriteUInt64LittleEndian(Grab(8), value); }

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grab(bytes.Length));

    public void WriteGuid(Guid value) { Align(4); value.TryWriteBytes(Grab(16)); }

    /// <summary>A fresh referent id (the caller writes the referent itself, e.g. inline for a top-level pointer).</summary>
    public uint WritePointer(bool isNull)
    {
        if (isNull) { WriteUInt32(0); return 0; }
        uint id = ReferentBase + 4 * _nextReferent++;
        WriteUInt32(id);
        return id;
    }

    /// <summary>A unique pointer ([C706] 14.3.10): NULL, or a referent id and the referent queued for the flush.</summary>
    public void WriteUniquePointer(bool isNull, Action<NdrWriter> writeReferent)
    {
        if (WritePointer(isNull) != 0) Defer(writeReferent);
    }

    /// <summary>A unique pointer to a [string] wchar_t (the most common embedded pointer); null writes NULL.</summary>
    public void WriteUniqueString(string? value)
    {
        if (WritePointer(value is null) != 0) Defer(w => w.WriteConformantVaryingString(value!));
    }

    /// <summary>
    /// A full pointer ([C706] 14.3.11.3): the same <paramref name="key"/> gets the same referent id and its
    /// referent is sent only once.
    /// </summary>
    public void WriteFullPointer(object? key, Action<NdrWriter> writeReferent)
    {
        if (key is null) { WriteUInt32(0); return; }
        _fullPointers ??= new Dictionary<object, uint>(ReferenceEqualityComparer.Instance);
        if (_fullPointers.TryGetValue(key, out uint id)) { WriteUInt32(id); return; }
        id = WritePointer(false);
        _fullPointers[key] = id;
        Defer(writeReferent);
    }

    /// <summary>The max_count of a conformant array ([C706] 14.3.3.2).</summary>
    public void WriteConformance(uint maxCount) => WriteUInt32(maxCount);

    /// <summary>The offset and actual_count of a varying array ([C706] 14.3.3.3).</summary>
    public void WriteVariance(uint offset, uint actualCount) { WriteUInt32(offset); WriteUInt32(actualCount); }

    /// <summary>A [string] wchar_t conformant varying string with its terminating NUL.</summary>
    public void WriteConformantVaryingString(string value)
    {
        uint units = (uint)value.Length + 1;
        WriteConformance(units);
        WriteVariance(0, units);
        var dest = Grab((int)units * 2);
        Encoding.Unicode.GetBytes(value, dest);
        dest[^2..].Clear();
    }

    /// <summary>A [string] char conformant varying string (UTF-8 bytes) with its terminating NUL.</summary>
    public void WriteConformantVaryingString8(string value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        WriteConformance((uint)n + 1);
        WriteVariance(0, (uint)n + 1);
        var dest = Grab(n + 1);
        Encoding.UTF8.GetBytes(value, dest);
        dest[^1] = 0;
    }

    /// <summary>A non-encapsulated union's discriminant of switch type long/DWORD ([C706] 14.3.8).</summary>
    public void WriteUnionDiscriminant(uint discriminant) => WriteUInt32(discriminant);

    public void Defer(Action<NdrWriter> writeReferent) => (_deferred ??= []).Add(writeReferent);

    /// <summary>Writes the queued referents in order, each followed by its own embedded referents.</summary>
    public void FlushDeferred()
    {
        if (_deferred is null || _deferred.Count == 0) return;
        var list = _deferred;
        _deferred = null;
        foreach (var write in list)
        {
            write(this);
            FlushDeferred();
        }
    }
}
