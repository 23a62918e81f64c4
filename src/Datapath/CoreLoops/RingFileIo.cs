using FastSmb.Datapath.IoUring;
using FastSmb.Datapath.Transport;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.CoreLoops;

/// <summary>
/// A core loop's file I/O: READs read on the loop's io_uring (IORING_OP_READ_FIXED) into buffers of one
/// <see cref="RegisteredBufferPool"/> (a memfd region registered with the ring), and the READ response is built around
/// the data in the same buffer and sent from it, so the data is never copied by the server. The pool is made at the
/// loop's first READ; when registration is refused (RLIMIT_MEMLOCK) the same buffers are used unregistered with
/// IORING_OP_READ. Loop thread only, like the ring; no locks.
/// </summary>
internal sealed class RingFileIo : IDisposable
{
    /// <summary>Where a READ's data starts in its buffer: Direct TCP header, SMB2 header, READ response fixed part
    /// ([MS-SMB2] 2.2.20: DataOffset 0x50 from the SMB2 header).</summary>
    public const int DataStart = DirectTcpFraming.HeaderSize + Smb2Header.Size + ReadResponse.FixedSize;

    private readonly CoreLoop _loop;
    private readonly int _bufferCount;
    private readonly int _dataCapacity;
    private readonly Stack<RingRead> _idle = new();
    private RegisteredBufferPool? _pool;
    private bool _unavailable;

    public RingFileIo(CoreLoop loop, CoreLoopOptions options)
    {
        _loop = loop;
        _bufferCount = options.ReadBuffers;
        _dataCapacity = options.ReadBufferSize;
        _unavailable = _bufferCount <= 0;
    }

    public CoreLoop Loop => _loop;

    /// <summary>Whether the pool's buffers are registered with the ring (READ_FIXED) rather than plain memory.</summary>
    public bool Registered { get; private set; }

    /// <summary>The pool, once the first READ made it (tests and the RDMA proxy's sharing look at it).</summary>
    public RegisteredBufferPool? Pool => _pool;

    /// <summary>Whether a READ first tries the page cache without waiting (preadv2 RWF_NOWAIT) and only goes to the ring
    /// when that would block. Tests turn it off to send every READ through the ring.</summary>
    public bool TryCachedFirst
    {
        get => Volatile.Read(ref _tryCachedFirst);
        set => Volatile.Write(ref _tryCachedFirst, value);
    }

    private bool _tryCachedFirst = true;

    /// <summary>Reads started and not yet released (completion reaped and response sent or dropped).</summary>
    public int InFlight { get; private set; }

    /// <summary>A read operation with a buffer for <paramref name="length"/> bytes of data, or false when there is no
    /// free buffer or it would be too small (the caller reads synchronously).</summary>
    public bool TryRent(int length, out RingRead? read)
    {
        read = null;
        if (_unavailable || length > _dataCapacity || !_loop.IsLoopThread) return false;
        if (_pool is null && !TryCreatePool()) return false;
        if (!_pool!.TryRent(out var buffer)) return false;
        read = _idle.Count > 0 ? _idle.Pop() : new RingRead(this);
        read.Attach(buffer);
        InFlight++;
        return true;
    }

    /// <summary>Takes back a read whose buffer went back to the pool.</summary>
    internal void Return(RingRead read)
    {
        InFlight--;
        _idle.Push(read);
    }

    private bool TryCreatePool()
    {
        try
        {
            _pool = new RegisteredBufferPool(DataStart + _dataCapacity, _bufferCount, null, $"fastsmb-read-{_loop.Index}");
        }
        catch (Exception e) when (e is IoRingException or PlatformNotSupportedException or OutOfMemoryException)
        {
            _unavailable = true;
            return false;
        }
        try
        {
            _pool.Register(_loop.Ring);
            Registered = true;
        }
        catch (IoRingException)
        {
            // Pinning refused (memlock limit): the same buffers still serve plain IORING_OP_READ.
        }
        return true;
    }

    public void Dispose()
    {
        // The ring is gone (CoreLoop disposes it first): nothing reads into the buffers any more.
        _pool?.Dispose();
        _pool = null;
        _unavailable = true;
    }
}
