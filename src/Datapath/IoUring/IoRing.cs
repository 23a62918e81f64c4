using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastSmb.Datapath.IoUring;

/// <summary>
/// One io_uring instance (the native shim's <c>fsn_ring</c>): queue operations tagged with a
/// <c>ulong</c> user_data, then <see cref="Reap"/> submits them and collects completions in one
/// <c>io_uring_enter</c>. Network and file I/O go through the same ring so that a core loop waits in
/// exactly one place.
/// <para>
/// Owned by one thread (its core loop): every member except <see cref="Wake"/> must be called from
/// that thread, including <see cref="Dispose"/>. <see cref="Wake"/> may be called from any thread at
/// any time, even while the owner disposes the ring (the handle's reference count defers the native
/// destroy until a concurrent wake has returned).
/// </para>
/// <para>
/// Memory handed to an operation (a buffer pointer) must stay valid and unmoved until its completion
/// has been reaped; for registered buffers <see cref="RegisteredBuffer.BeginIo"/> records that.
/// Dispose order: the ring first (the kernel cancels what is in flight), then the buffer pools whose
/// memory it used.
/// </para>
/// </summary>
public sealed unsafe partial class IoRing : IDisposable
{
    private readonly RingHandle _handle;

    // The raw pointer for the owner's hot path: no SafeHandle AddRef/Release per call. Safe because
    // the owner is also the only thread that disposes.
    private readonly nint _ring;

    public IoRing(IoRingOptions? options = null)
    {
        options ??= new IoRingOptions();
        ThrowIfUnsupported();
        uint flags = 0;
        if (options.SubmissionQueuePolling)
            flags |= SetupSqPoll;
        if (options.SingleIssuer)
            flags |= SetupSingleIssuer | SetupDeferTaskRun;
        int rc = NativeMethods.fsn_ring_create((uint)options.Entries, (uint)options.CompletionEntries, flags,
            (uint)options.SubmissionQueuePollingIdleMilliseconds, out nint ring);
        if (rc < 0)
            throw new IoRingException("io_uring_queue_init_params", -rc);
        _ring = ring;
        _handle = new RingHandle(ring);
        Capabilities = (IoRingCapabilities)NativeMethods.fsn_probe(ring);
        SubmissionQueueSize = (int)NativeMethods.fsn_sq_space_left(ring);
    }

    // IORING_SETUP_* (include/uapi/linux/io_uring.h)
    private const uint SetupSqPoll = 1u << 1;
    private const uint SetupSingleIssuer = 1u << 12;
    private const uint SetupDeferTaskRun = 1u << 13;

    /// <summary>What the running kernel supports; callers pick fallbacks from this (send for send_zc, ...).</summary>
    public IoRingCapabilities Capabilities { get; }

    /// <summary>SQ entries the kernel granted (the power of two at or above <see cref="IoRingOptions.Entries"/>).</summary>
    public int SubmissionQueueSize { get; }

    /// <summary>The ring's fd: the target of <see cref="MessageRing"/> from another core's ring.</summary>
    public int FileDescriptor => NativeMethods.fsn_ring_fd(Ring);

    /// <summary>Registered buffers the ring knows, set by <see cref="RegisterBuffers"/>; fixed ops check against it.</summary>
    internal RegisteredBufferPool? RegisteredPool { get; set; }

    // --- native availability ------------------------------------------------------------------------

    /// <summary>Whether libfastsmb_native.so loaded and speaks the ABI this assembly expects.</summary>
    public static bool IsSupported => Availability.Reason is null;

    /// <summary>Why <see cref="IsSupported"/> is false ("native shim not available: ..."), else null.</summary>
    public static string? UnsupportedReason => Availability.Reason;

    internal static void ThrowIfUnsupported()
    {
        if (Availability.Reason is { } reason)
            ThrowUnsupported(reason);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnsupported(string reason) => throw new PlatformNotSupportedException(reason);

    private static class Availability
    {
        internal static readonly string? Reason = Probe();

        private static string? Probe()
        {
            if (!OperatingSystem.IsLinux())
                return "native shim not available: io_uring is Linux-only";
            try
            {
                int abi = NativeMethods.fsn_abi_version();
                return abi == NativeMethods.AbiVersion
                    ? null
                    : $"native shim not available: libfastsmb_native.so has ABI {abi}, this build expects {NativeMethods.AbiVersion} (stale native/build?)";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return $"native shim not available: {e.Message} (build native/ with cmake and liburing-dev; see native/README.md)";
            }
        }
    }

    // --- submission and completion ------------------------------------------------------------------

    /// <summary>Hands every queued operation to the kernel (io_uring_submit); returns how many.</summary>
    public int Submit()
    {
        int rc = NativeMethods.fsn_submit(Ring);
        if (rc < 0 && rc != -Errno.EINTR && rc != -Errno.EBUSY)
            ThrowFailed("io_uring_submit", rc);
        return Math.Max(rc, 0);
    }

    /// <summary>
    /// Submits what is queued, waits until at least <paramref name="waitMin"/> completions are ready
    /// (0: do not wait), <paramref name="timeout"/> passes (null: no limit), another thread calls
    /// <see cref="Wake"/>, or a signal interrupts; then copies up to <c>completions.Length</c> of them and
    /// returns how many, possibly 0 (woken, timed out, interrupted). Completions not copied stay for the
    /// next call. One syscall for submit and wait; none when it need not wait.
    /// </summary>
    public int Reap(Span<IoCompletion> completions, int waitMin = 0, TimeSpan? timeout = null)
    {
        long timeoutNs = timeout is { } t ? Math.Max(0, t.Ticks) * 100 : -1;
        int rc;
        fixed (IoCompletion* p = completions)
            rc = NativeMethods.fsn_reap(Ring, p, (uint)completions.Length, (uint)Math.Max(0, waitMin), timeoutNs);
        if (rc < 0)
            ThrowFailed("io_uring_submit_and_wait_timeout", rc);
        return rc;
    }

    /// <summary>
    /// Makes a <see cref="Reap"/> blocked on this ring (now or next) return. Thread-safe; cheap enough
    /// for every cross-core message (one eventfd write). Wakes coalesce.
    /// </summary>
    public void Wake()
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            int rc = NativeMethods.fsn_wake(_handle.DangerousGetHandle());
            if (rc < 0)
                ThrowFailed("eventfd write", rc);
        }
        catch (ObjectDisposedException)
        {
            // Woken after disposal: there is nobody left to wake.
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    // --- registration -------------------------------------------------------------------------------

    /// <summary>io_uring_register_buffers: buffer <c>i</c> becomes buf_index <c>i</c> of the fixed operations.</summary>
    public void RegisterBuffers(ReadOnlySpan<IoVec> buffers)
    {
        fixed (IoVec* p = buffers)
            Check(NativeMethods.fsn_register_buffers(Ring, p, (uint)buffers.Length), "io_uring_register_buffers");
    }

    public void UnregisterBuffers()
    {
        Check(NativeMethods.fsn_unregister_buffers(Ring), "io_uring_unregister_buffers");
        RegisteredPool = null;
    }

    /// <summary>io_uring_register_files: slot <c>i</c> holds <c>fds[i]</c> (-1: empty). Use the slot with <see cref="SqeFlags.FixedFile"/>.</summary>
    public void RegisterFiles(ReadOnlySpan<int> fds)
    {
        fixed (int* p = fds)
            Check(NativeMethods.fsn_register_files(Ring, p, (uint)fds.Length), "io_uring_register_files");
    }

    /// <summary>io_uring_register_files_update: replaces slots from <paramref name="offset"/> on (-1 empties a slot).</summary>
    public void UpdateFiles(int offset, ReadOnlySpan<int> fds)
    {
        int rc;
        fixed (int* p = fds)
            rc = NativeMethods.fsn_update_files(Ring, (uint)offset, p, (uint)fds.Length);
        Check(rc, "io_uring_register_files_update");
    }

    public void UnregisterFiles() => Check(NativeMethods.fsn_unregister_files(Ring), "io_uring_unregister_files");

    /// <summary>
    /// io_uring_register_buf_ring: <paramref name="count"/> (a power of two) buffers of
    /// <paramref name="bufferSize"/> bytes back to back from <paramref name="baseAddress"/> become
    /// provided-buffer group <paramref name="groupId"/> (0..7) for <see cref="ReceiveMultishot"/>.
    /// </summary>
    public void CreateBufferRing(ushort groupId, byte* baseAddress, int bufferSize, int count) =>
        Check(NativeMethods.fsn_buf_ring_create(Ring, groupId, baseAddress, (uint)bufferSize, (uint)count), "io_uring_register_buf_ring");

    /// <summary>Gives provided buffer <paramref name="bufferId"/> back to the kernel once its data was consumed.</summary>
    public void RecycleBuffer(ushort groupId, ushort bufferId) =>
        Check(NativeMethods.fsn_buf_ring_recycle(Ring, groupId, bufferId), "io_uring_buf_ring_add");

    public void DestroyBufferRing(ushort groupId) =>
        Check(NativeMethods.fsn_buf_ring_destroy(Ring, groupId), "io_uring_unregister_buf_ring");

    // --- lifetime -----------------------------------------------------------------------------------

    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Destroys the ring (io_uring_queue_exit cancels in-flight operations). Owner thread only.</summary>
    public void Dispose() => _handle.Dispose();

    private nint Ring
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_handle.IsClosed)
                ThrowDisposed();
            return _ring;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int rc, string operation)
    {
        if (rc < 0)
            ThrowFailed(operation, rc);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFailed(string operation, int rc) => throw new IoRingException(operation, -rc);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(IoRing));

    /// <summary>Owns the native fsn_ring; releases it with fsn_ring_destroy once the last reference goes.</summary>
    private sealed class RingHandle : SafeHandle
    {
        public RingHandle(nint ring)
            : base(IntPtr.Zero, ownsHandle: true) => SetHandle(ring);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.fsn_ring_destroy(handle);
            return true;
        }
    }
}
