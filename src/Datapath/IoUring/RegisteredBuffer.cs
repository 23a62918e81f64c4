using System.Buffers;
using System.Runtime.CompilerServices;

namespace FastSmb.Datapath.IoUring;

/// <summary>
/// One buffer of a <see cref="RegisteredBufferPool"/>: page-aligned memory inside the pool's memfd
/// region, registered with the core's ring as buf_index <see cref="Index"/>. As a
/// <see cref="MemoryManager{T}"/> it hands out <see cref="Span{T}"/> and <see cref="Memory{T}"/> over
/// the mapped memory without copying or pinning (the memory is native and never moves).
/// <para>
/// Owned by the pool's core loop, like the pool. Made once per pool slot and reused; its state says
/// whether it is free, rented, or returned while an operation still uses it.
/// </para>
/// </summary>
public sealed unsafe class RegisteredBuffer : MemoryManager<byte>
{
    private BufferState _state;
    private int _inFlight;

    internal RegisteredBuffer(RegisteredBufferPool pool, int index, byte* pointer, int length)
    {
        Pool = pool;
        Index = index;
        Pointer = pointer;
        Length = length;
    }

    public RegisteredBufferPool Pool { get; }

    /// <summary>The buf_index of the fixed operations.</summary>
    public int Index { get; }

    public byte* Pointer { get; }

    public int Length { get; }

    /// <summary>Operations queued on this buffer and not ended yet.</summary>
    public int InFlight => _inFlight;

    public bool IsRented => _state == BufferState.Rented;

    public Span<byte> Span => GetSpan();

    /// <summary>
    /// Records that an operation (queued by the caller or by an <see cref="IoRing"/> fixed operation)
    /// uses the buffer until its completion is reaped. Only the renter may do this.
    /// </summary>
    public void BeginIo()
    {
        if (_state != BufferState.Rented)
            ThrowState("I/O on a buffer that is not rented");
        _inFlight++;
    }

    /// <summary>Ends what <see cref="BeginIo"/> began; the last one frees a buffer already returned.</summary>
    public void EndIo()
    {
        if (_inFlight == 0)
            ThrowState("EndIo without BeginIo");
        if (--_inFlight == 0 && _state == BufferState.ReturnPending)
        {
            _state = BufferState.Free;
            Pool.Release(this);
        }
    }

    internal void OnRented() => _state = BufferState.Rented;

    /// <summary>Marks the buffer returned; true when it can go back to the free list now.</summary>
    internal bool OnReturned()
    {
        if (_state != BufferState.Rented)
            ThrowState("buffer returned twice, or never rented");
        if (_inFlight > 0)
        {
            _state = BufferState.ReturnPending;
            return false;
        }
        _state = BufferState.Free;
        return true;
    }

    public override Span<byte> GetSpan()
    {
        if (Pool.IsDisposed)
            ThrowState("the pool is disposed");
        return new Span<byte>(Pointer, Length);
    }

    /// <summary>Nothing to pin: the memory is an mmap that never moves.</summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)Length)
            throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle(Pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    /// <summary>The pool owns the memory; a buffer has nothing of its own to release.</summary>
    protected override void Dispose(bool disposing)
    {
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowState(string message) => throw new InvalidOperationException(message);

    private enum BufferState : byte
    {
        Free,
        Rented,
        ReturnPending,
    }
}
