using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastSmb.Datapath.IoUring;

/// <summary>
/// A core loop's pool of large, page-aligned I/O buffers: one memfd-backed
/// <see cref="SharedMemoryRegion"/> cut into <see cref="Count"/> buffers of <see cref="BufferSize"/>
/// bytes, registered with the core's <see cref="IoRing"/> as fixed buffers (buffer <c>i</c> is
/// buf_index <c>i</c>), so READ payloads are read from the file straight into memory the kernel has
/// already pinned and mapped, and WRITE payloads are received into it and written from it.
/// <para>
/// Owned by one core loop; not thread-safe (per-core state needs no locks). Rent and Return allocate
/// nothing: the buffers and their free list are made once. A buffer returned while an operation still
/// uses it (<see cref="RegisteredBuffer.BeginIo"/> without the matching <see cref="RegisteredBuffer.EndIo"/>)
/// goes back to the free list only when that operation ends, so the kernel never writes into a buffer
/// someone else has rented.
/// </para>
/// <para>Dispose after the ring (or on the same thread while it is alive: it then unregisters first).</para>
/// </summary>
public sealed unsafe class RegisteredBufferPool : IDisposable
{
    private readonly RegisteredBuffer[] _buffers;
    private readonly int[] _free; // stack of free buffer indexes
    private int _freeCount;
    private IoRing? _ring;

    /// <param name="bufferSize">Bytes per buffer, rounded up to a multiple of the page size.</param>
    /// <param name="count">Buffers (at most 16384, io_uring's limit of registered buffers).</param>
    /// <param name="ring">The ring to register them with, or null for an unregistered pool.</param>
    /// <param name="name">The memfd's name (shows in /proc/PID/fd and /proc/PID/maps).</param>
    public RegisteredBufferPool(int bufferSize, int count, IoRing? ring = null, string name = "fastsmb-buffers")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxRegisteredBuffers);
        int page = Environment.SystemPageSize;
        long size = ((long)bufferSize + page - 1) / page * page;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxBufferSize, nameof(bufferSize));
        BufferSize = (int)size;
        Count = count;
        Region = SharedMemoryRegion.Create(name, size * count);

        _buffers = new RegisteredBuffer[count];
        _free = new int[count];
        for (int i = 0; i < count; i++)
        {
            _buffers[i] = new RegisteredBuffer(this, i, Region.Pointer + (long)i * BufferSize, BufferSize);
            _free[i] = count - 1 - i; // rent from index 0 upwards
        }
        _freeCount = count;

        if (ring is not null)
        {
            try
            {
                Register(ring);
            }
            catch
            {
                Region.Dispose();
                throw;
            }
        }
    }

    private const int MaxRegisteredBuffers = 16384; // IORING_MAX_REG_BUFFERS
    private const long MaxBufferSize = 1L << 30; // io_uring's limit per registered buffer (1 GiB)

    public int BufferSize { get; }

    public int Count { get; }

    /// <summary>Buffers ready to rent.</summary>
    public int Available => _freeCount;

    /// <summary>The memfd region holding every buffer, to share with the RDMA proxy.</summary>
    public SharedMemoryRegion Region { get; }

    /// <summary>The ring the buffers are registered with, if any.</summary>
    public IoRing? Ring => _ring;

    public bool IsDisposed => Region.IsDisposed;

    /// <summary>Buffer by index (buf_index), for example to map a completion back to its buffer.</summary>
    public RegisteredBuffer this[int index] => _buffers[index];

    /// <summary>Registers every buffer with <paramref name="ring"/> (one iovec each). Owner thread of the ring.</summary>
    public void Register(IoRing ring)
    {
        if (_ring is not null)
            throw new InvalidOperationException("the pool is already registered with a ring");
        if (ring.RegisteredPool is not null)
            throw new InvalidOperationException("the ring already has registered buffers");
        var iovecs = new IoVec[Count];
        for (int i = 0; i < Count; i++)
            iovecs[i] = new IoVec(_buffers[i].Pointer, (nuint)BufferSize);
        ring.RegisterBuffers(iovecs);
        ring.RegisteredPool = this;
        _ring = ring;
    }

    /// <summary>Takes a free buffer; false when every buffer is rented or still in flight (back-pressure).</summary>
    public bool TryRent([NotNullWhen(true)] out RegisteredBuffer? buffer)
    {
        if (_freeCount == 0)
        {
            buffer = null;
            return false;
        }
        buffer = _buffers[_free[--_freeCount]];
        buffer.OnRented();
        return true;
    }

    /// <summary>
    /// Gives a rented buffer back. It is free at once when no operation uses it, else when the last one
    /// ends (<see cref="RegisteredBuffer.EndIo"/>). Returning a buffer twice is a bug and throws.
    /// </summary>
    public void Return(RegisteredBuffer buffer)
    {
        if (!ReferenceEquals(buffer.Pool, this))
            throw new ArgumentException("the buffer belongs to another pool", nameof(buffer));
        if (buffer.OnReturned())
            Release(buffer);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Release(RegisteredBuffer buffer) => _free[_freeCount++] = buffer.Index;

    /// <summary>Unregisters the buffers from a live ring, then unmaps the region.</summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        if (_ring is { IsDisposed: false } ring && ReferenceEquals(ring.RegisteredPool, this))
        {
            try
            {
                ring.UnregisterBuffers();
            }
            catch (ObjectDisposedException)
            {
                // The ring closed between the check and the call: another thread (one posting a wake-up) still held
                // a reference to its handle when the owner disposed it. Destroying a ring drops its registered
                // buffers, so there is nothing left to unregister.
            }
        }
        _ring = null;
        Region.Dispose();
    }
}
