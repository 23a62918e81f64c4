using System.Runtime.CompilerServices;

namespace FastSmb.Datapath.IoUring;

// Queuing operations. Each method queues one SQE tagged with userData and returns true; nothing
// reaches the kernel before Submit or Reap. When the SQ is full the shim first flushes it to the
// kernel, so a loop may queue more operations than the ring has entries between two reaps. False
// means the kernel would not take the flushed SQEs (its CQ overflow backlog is full): reap, then
// queue again. Any other failure is a bug and throws. userData values >= 0xFFFF_FFFF_FFFF_FFFE are
// reserved by the shim.
public sealed unsafe partial class IoRing
{
    /// <summary>IORING_OP_NOP: completes with 0. A cheap way to post a completion to oneself.</summary>
    public bool Nop(ulong userData, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_nop(Ring, (uint)flags, CheckUserData(userData)), "nop");

    /// <summary>IORING_OP_READ into <paramref name="buffer"/>; <paramref name="fileOffset"/> -1 reads at the file position.</summary>
    public bool Read(int fd, byte* buffer, int length, long fileOffset, ulong userData, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_read(Ring, fd, buffer, (uint)length, fileOffset, (uint)flags, CheckUserData(userData)), "read");

    /// <summary>IORING_OP_WRITE from <paramref name="buffer"/>.</summary>
    public bool Write(int fd, byte* buffer, int length, long fileOffset, ulong userData, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_write(Ring, fd, buffer, (uint)length, fileOffset, (uint)flags, CheckUserData(userData)), "write");

    /// <summary>
    /// IORING_OP_READ_FIXED into <paramref name="length"/> bytes at <paramref name="start"/> of a buffer
    /// of the pool registered with this ring; the kernel skips pinning and mapping the pages per I/O.
    /// Marks the buffer in flight (<see cref="RegisteredBuffer.BeginIo"/>): the caller ends that with
    /// <see cref="RegisteredBuffer.EndIo"/> when it reaps the completion.
    /// </summary>
    public bool ReadFixed(int fd, RegisteredBuffer buffer, int start, int length, long fileOffset, ulong userData,
        SqeFlags flags = SqeFlags.None)
    {
        CheckFixed(buffer, start, length);
        bool queued = Queued(NativeMethods.fsn_prep_read_fixed(Ring, fd, buffer.Pointer + start, (uint)length, fileOffset,
            (ushort)buffer.Index, (uint)flags, CheckUserData(userData)), "read_fixed");
        if (queued)
            buffer.BeginIo();
        return queued;
    }

    /// <summary>IORING_OP_WRITE_FIXED from a registered buffer; in-flight accounting as <see cref="ReadFixed"/>.</summary>
    public bool WriteFixed(int fd, RegisteredBuffer buffer, int start, int length, long fileOffset, ulong userData,
        SqeFlags flags = SqeFlags.None)
    {
        CheckFixed(buffer, start, length);
        bool queued = Queued(NativeMethods.fsn_prep_write_fixed(Ring, fd, buffer.Pointer + start, (uint)length, fileOffset,
            (ushort)buffer.Index, (uint)flags, CheckUserData(userData)), "write_fixed");
        if (queued)
            buffer.BeginIo();
        return queued;
    }

    /// <summary>IORING_OP_RECV: completes with the bytes received, 0 at end of stream.</summary>
    public bool Receive(int fd, byte* buffer, int length, ulong userData, int messageFlags = 0, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_recv(Ring, fd, buffer, (uint)length, messageFlags, (uint)flags, CheckUserData(userData)), "recv");

    /// <summary>IORING_OP_SEND: completes with the bytes sent (use <see cref="MessageFlags.WaitAll"/> for all of them).</summary>
    public bool Send(int fd, byte* buffer, int length, ulong userData, int messageFlags = 0, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_send(Ring, fd, buffer, (uint)length, messageFlags, (uint)flags, CheckUserData(userData)), "send");

    /// <summary>
    /// IORING_OP_SEND_ZC (when <see cref="Capabilities"/> has <see cref="IoRingCapabilities.SendZeroCopy"/>):
    /// two completions with <paramref name="userData"/>, the result (<see cref="IoCompletion.HasMore"/>)
    /// and later a notification (<see cref="IoCompletion.IsNotification"/>); the buffer is the kernel's until the latter.
    /// </summary>
    public bool SendZeroCopy(int fd, byte* buffer, int length, ulong userData, int messageFlags = 0, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_send_zc(Ring, fd, buffer, (uint)length, messageFlags, -1, (uint)flags, CheckUserData(userData)), "send_zc");

    /// <summary>send_zc from a registered buffer (no page pinning per send). Marks the buffer in flight; end it at the notification.</summary>
    public bool SendZeroCopy(int fd, RegisteredBuffer buffer, int start, int length, ulong userData, int messageFlags = 0,
        SqeFlags flags = SqeFlags.None)
    {
        CheckFixed(buffer, start, length);
        bool queued = Queued(NativeMethods.fsn_prep_send_zc(Ring, fd, buffer.Pointer + start, (uint)length, messageFlags,
            buffer.Index, (uint)flags, CheckUserData(userData)), "send_zc");
        if (queued)
            buffer.BeginIo();
        return queued;
    }

    /// <summary>
    /// Multishot IORING_OP_RECV into provided buffers of group <paramref name="groupId"/>
    /// (<see cref="CreateBufferRing"/>): one completion per chunk with <see cref="IoCompletion.BufferId"/>,
    /// armed while <see cref="IoCompletion.HasMore"/>. Re-arm after the last one (-ENOBUFS when the group ran dry).
    /// </summary>
    public bool ReceiveMultishot(int fd, ushort groupId, ulong userData, int messageFlags = 0, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_recv_multishot(Ring, fd, groupId, messageFlags, (uint)flags, CheckUserData(userData)), "recv_multishot");

    /// <summary>
    /// IORING_OP_ASYNC_CANCEL of the operation queued with <paramref name="targetUserData"/> (every one
    /// with it when <paramref name="all"/>). The target completes with -ECANCELED; this operation with 0,
    /// -ENOENT (nothing to cancel) or -EALREADY (already running).
    /// </summary>
    public bool Cancel(ulong targetUserData, ulong userData, bool all = false, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_cancel(Ring, targetUserData, all ? CancelAll : 0u, (uint)flags, CheckUserData(userData)), "cancel");

    /// <summary>
    /// IORING_OP_MSG_RING: posts the completion {<paramref name="targetUserData"/>, <paramref name="result"/>}
    /// on the ring with fd <paramref name="targetRingFd"/> (another core loop's), waking it; this ring gets a completion too.
    /// </summary>
    public bool MessageRing(int targetRingFd, int result, ulong targetUserData, ulong userData, SqeFlags flags = SqeFlags.None) =>
        Queued(NativeMethods.fsn_prep_msg_ring(Ring, targetRingFd, result, CheckUserData(targetUserData), (uint)flags,
            CheckUserData(userData)), "msg_ring");

    private const uint CancelAll = 1u << 0; // IORING_ASYNC_CANCEL_ALL

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Queued(int rc, string operation)
    {
        if (rc == 0)
            return true;
        if (rc == -Errno.EBUSY)
            return false;
        ThrowFailed(operation, rc);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong CheckUserData(ulong userData)
    {
        if (userData >= NativeMethods.ReservedUserDataMin)
            ThrowReservedUserData(userData);
        return userData;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckFixed(RegisteredBuffer buffer, int start, int length)
    {
        if (!ReferenceEquals(buffer.Pool, RegisteredPool))
            ThrowNotRegistered();
        if ((uint)start > (uint)buffer.Length || (uint)length > (uint)(buffer.Length - start))
            ThrowOutOfRange();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowReservedUserData(ulong userData) =>
        throw new ArgumentOutOfRangeException(nameof(userData), userData, "user_data values >= 0xFFFFFFFFFFFFFFFE are reserved by the native shim");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotRegistered() =>
        throw new InvalidOperationException("the buffer's pool is not the one registered with this ring");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange() => throw new ArgumentOutOfRangeException("start", "range outside the registered buffer");
}
