using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using FastSmb.Datapath.IoUring;
using Microsoft.Win32.SafeHandles;

namespace FastSmb.Perf;

/// <summary>
/// A READ's file half: one read of Size bytes from a page-cached file, through the core's ring into a
/// registered buffer (read_fixed: queue, submit and wait in one io_uring_enter, reap), against a plain
/// read into the same memory and against RandomAccess.Read (pread on the calling thread). Offsets walk
/// a 64 MiB file so the reads are not all of the same pages. MemoryDiagnoser must show 0 bytes for the
/// ring paths: no per-request allocation. PreadNoWait is what a READ on a core loop tries first (preadv2 with
/// RWF_NOWAIT, `RingRead`): its cost over RandomAccessRead is what a cached READ pays for being able to go to the ring.
/// </summary>
[MemoryDiagnoser]
public unsafe partial class IoRingReadBenchmarks
{
    private const long FileSize = 64L << 20;
    private string _path = "";
    private SafeFileHandle _file = null!;
    private int _fd;
    private IoRing _ring = null!;
    private RegisteredBufferPool _pool = null!;
    private RegisteredBuffer _buffer = null!;
    private readonly IoCompletion[] _completions = new IoCompletion[4];
    private long _offset;

    [Params(4096, 1 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (!IoRing.IsSupported)
            throw new PlatformNotSupportedException(IoRing.UnsupportedReason);
        _path = Path.Combine(Path.GetTempPath(), $"fastsmb-perf-{Environment.ProcessId}");
        var block = new byte[1 << 20];
        new Random(1).NextBytes(block);
        using (var stream = File.Create(_path))
        {
            for (long written = 0; written < FileSize; written += block.Length)
                stream.Write(block);
        }
        _file = File.OpenHandle(_path);
        _fd = (int)_file.DangerousGetHandle();
        _ring = new IoRing(new IoRingOptions { Entries = 64 });
        _pool = new RegisteredBufferPool(1 << 20, 1, _ring, "fastsmb-perf");
        _pool.TryRent(out var buffer);
        _buffer = buffer!;
        RandomAccess.Read(_file, _buffer.Span, 0); // warm the page cache
        for (long o = 0; o < FileSize; o += block.Length)
            RandomAccess.Read(_file, block, o);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ring.Dispose();
        _pool.Dispose();
        _file.Dispose();
        File.Delete(_path);
    }

    private long NextOffset()
    {
        long offset = _offset;
        _offset = (offset + Size) % FileSize;
        return offset;
    }

    [Benchmark(Baseline = true)]
    public int RandomAccessRead() => RandomAccess.Read(_file, _buffer.GetSpan()[..Size], NextOffset());

    [Benchmark]
    public int RingReadFixed()
    {
        _ring.ReadFixed(_fd, _buffer, 0, Size, NextOffset(), userData: 1);
        int n = _ring.Reap(_completions, waitMin: 1);
        _buffer.EndIo();
        return n == 1 ? _completions[0].Result : -1;
    }

    [Benchmark]
    public int RingRead()
    {
        _ring.Read(_fd, _buffer.Pointer, Size, NextOffset(), userData: 2);
        int n = _ring.Reap(_completions, waitMin: 1);
        return n == 1 ? _completions[0].Result : -1;
    }

    [Benchmark]
    public long PreadNoWait()
    {
        var iov = new IoVecNative { Base = _buffer.Pointer, Length = (nuint)Size };
        return Preadv2(_fd, &iov, 1, NextOffset(), 0x8 /* RWF_NOWAIT */);
    }

    private struct IoVecNative
    {
        public byte* Base;
        public nuint Length;
    }

    [LibraryImport("libc", EntryPoint = "preadv2", SetLastError = true)]
    private static partial nint Preadv2(int fd, IoVecNative* iov, int iovcnt, long offset, int flags);
}
