namespace FastSmb.SmbDirect.Rdma;

/// <summary>
/// The RDMA services [MS-SMBD] needs (its 3.1.4 "higher-layer triggered events" and the provider calls under
/// them): connect/listen/accept, post send and receive, register memory, RDMA write/read to a remote (address,
/// token), completions polled by the owning loop, disconnect. Providers: <c>Fake</c> (in-process, deterministic,
/// for unit tests), <c>Soft</c> (one-sided semantics over shared memory between processes on one host); verbs
/// (librdmacm + libibverbs) later. SMB Direct is written once against this.
/// </summary>
public interface IRdmaProvider
{
    string Name { get; }

    /// <summary>Listens at a provider-specific address (a Unix socket path for soft RDMA, "ip:port" for verbs).</summary>
    IRdmaListener Listen(string address);

    /// <summary>Establishes a reliable connection (RC queue pair) to a listener.</summary>
    ValueTask<IRdmaConnection> ConnectAsync(string address, CancellationToken cancellationToken);
}

/// <summary>Accepts RDMA connections. One accepting loop at a time.</summary>
public interface IRdmaListener : IAsyncDisposable
{
    string Address { get; }
    ValueTask<IRdmaConnection> AcceptAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One reliable-connected queue pair and the memory registered on it. Work requests complete in order within each
/// queue (sends and RDMA operations on the send queue; receives on the receive queue), as RC guarantees; the two
/// queues' completions may interleave in any order. A failed work request (remote access error, receiver not ready,
/// length error) puts the connection into the error state: every other posted request completes with
/// <see cref="RdmaCompletionStatus.Flushed"/>, then one <see cref="RdmaOpcode.Disconnected"/> event follows, which
/// is also how a peer's disconnect is reported.
/// Owned by one loop, which posts and polls; only <see cref="RequestNotification"/>'s callback runs elsewhere.
/// </summary>
public interface IRdmaConnection : IDisposable
{
    string PeerAddress { get; }

    /// <summary>Limits of the queue pair, as the provider would report from the device.</summary>
    RdmaCapabilities Capabilities { get; }

    /// <summary>True once the connection is in the error/disconnected state; nothing more will be transferred.</summary>
    bool IsDisconnected { get; }

    /// <summary>
    /// Allocates and registers <paramref name="length"/> bytes. The provider allocates because soft RDMA must place
    /// the memory where the peer process can map it (a memfd), and verbs wants it pinned; the caller fills
    /// <see cref="IRdmaMemoryRegion.Memory"/>. Remote access flags make it reachable by the peer through
    /// <see cref="IRdmaMemoryRegion.RemoteKey"/> at <see cref="IRdmaMemoryRegion.RemoteAddress"/>.
    /// </summary>
    IRdmaMemoryRegion RegisterMemory(int length, RdmaAccess access);

    /// <summary>Posts a receive buffer; false when the receive queue is full or the connection is down.</summary>
    bool TryPostReceive(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length);

    /// <summary>
    /// Posts a send of <paramref name="length"/> bytes. A non-zero <paramref name="invalidateRemoteKey"/> makes it a
    /// send-with-invalidate ([MS-SMBD] 3.1.4.2 remote invalidation): the peer's registration with that key becomes
    /// unusable before the peer sees the receive completion, which carries the key.
    /// </summary>
    bool TryPostSend(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, uint invalidateRemoteKey = 0);

    /// <summary>One-sided write of local bytes to the peer's registered memory at (address, key).</summary>
    bool TryPostRdmaWrite(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey);

    /// <summary>One-sided read of the peer's registered memory at (address, key) into local bytes.</summary>
    bool TryPostRdmaRead(ulong workRequestId, IRdmaMemoryRegion region, int offset, int length, ulong remoteAddress, uint remoteKey);

    /// <summary>Moves up to <c>completions.Length</c> completions out of the completion queue; returns how many.</summary>
    int PollCompletions(Span<RdmaCompletion> completions);

    /// <summary>
    /// Arms a one-shot notification, like ibv_req_notify_cq: <paramref name="callback"/> runs once, on any thread,
    /// as soon as a completion is (or already was) waiting. The owner then polls from its own loop.
    /// </summary>
    void RequestNotification(Action callback);

    /// <summary>Starts an orderly disconnect; outstanding work flushes and the Disconnected event follows.</summary>
    void Disconnect();
}

/// <summary>A registered buffer. Disposing deregisters it (and revokes the peer's access).</summary>
public interface IRdmaMemoryRegion : IDisposable
{
    Memory<byte> Memory { get; }
    int Length { get; }
    RdmaAccess Access { get; }
    uint LocalKey { get; }
    /// <summary>The steering tag the peer uses ([MS-SMBD] 2.2.3.1 Token); 0 when not remotely accessible.</summary>
    uint RemoteKey { get; }
    /// <summary>The provider-specific address of byte 0 as the peer must name it ([MS-SMBD] 2.2.3.1 Offset).</summary>
    ulong RemoteAddress { get; }
    /// <summary>False after the peer invalidated the key (send-with-invalidate) or <see cref="InvalidateRemoteKey"/>.</summary>
    bool RemoteKeyValid { get; }
    /// <summary>Local invalidation: revoke the peer's access without deregistering.</summary>
    void InvalidateRemoteKey();
}

[Flags]
public enum RdmaAccess
{
    LocalWrite = 1,
    RemoteRead = 2,
    RemoteWrite = 4,
}

public enum RdmaOpcode
{
    Send,
    Receive,
    RdmaWrite,
    RdmaRead,
    /// <summary>Not a work request: the connection is down (the peer left, or an error broke it). WorkRequestId 0.</summary>
    Disconnected,
}

public enum RdmaCompletionStatus
{
    Success,
    /// <summary>A received message did not fit the posted buffer.</summary>
    LocalLengthError,
    /// <summary>A local region/offset/length outside a registration.</summary>
    LocalProtectionError,
    /// <summary>The remote key was unknown, invalidated, lacked the access, or the range fell outside it.</summary>
    RemoteAccessError,
    /// <summary>The peer had no receive posted (retries exhausted).</summary>
    ReceiverNotReady,
    /// <summary>Cancelled because the connection entered the error state.</summary>
    Flushed,
}

/// <summary>One completion-queue entry.</summary>
public readonly record struct RdmaCompletion(ulong WorkRequestId, RdmaOpcode Opcode, RdmaCompletionStatus Status,
    int ByteLength = 0, uint InvalidatedRemoteKey = 0);

/// <summary>Queue-pair limits.</summary>
public sealed record RdmaCapabilities(int MaxSendWorkRequests, int MaxReceiveWorkRequests, int MaxMessageSize,
    int MaxRegionSize);
