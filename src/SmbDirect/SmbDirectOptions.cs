namespace FastSmb.SmbDirect;

/// <summary>
/// Local limits of an SMB Direct connection, defaults from [MS-SMBD] 3.1.1.1 ("Per RDMA Transport"/"Per
/// Connection" abstract data model). Negotiation only ever lowers them to what the peer accepts (3.1.5.6/3.1.5.7).
/// Immutable; shared by every connection of a listener.
/// </summary>
public sealed record SmbDirectOptions
{
    /// <summary>Receives posted, hence the most credits granted at once (3.1.1.1 ReceiveCreditMax 255).</summary>
    public int ReceiveCreditMax { get; init; } = 255;
    /// <summary>Send credits asked of the peer (3.1.1.1 SendCreditTarget 255).</summary>
    public int SendCreditTarget { get; init; } = 255;
    /// <summary>Largest message sent (3.1.1.1 MaxSendSize 1364).</summary>
    public int MaxSendSize { get; init; } = 1364;
    /// <summary>Largest message received (3.1.1.1 MaxReceiveSize 8192).</summary>
    public int MaxReceiveSize { get; init; } = 8192;
    /// <summary>Largest upper-layer message reassembled (3.1.1.1 MaxFragmentedSize 1 MiB).</summary>
    public int MaxFragmentedSize { get; init; } = 1 << 20;
    /// <summary>Largest RDMA transfer for one READ/WRITE (3.1.1.1 MaxReadWriteSize 1 MiB).</summary>
    public int MaxReadWriteSize { get; init; } = 1 << 20;
    /// <summary>Most buffer descriptors accepted in one READ/WRITE channel info (a local policy, like ksmbd's and Windows' SGE limits).</summary>
    public int MaxBufferDescriptors { get; init; } = 16;
    /// <summary>Idle time before a keep-alive asks for a response (3.1.1.1 KeepaliveInterval 120 s).</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Time allowed for the answer to a keep-alive before the connection is dropped (3.1.6.2).</summary>
    public TimeSpan KeepaliveTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Time allowed for the negotiate exchange after the RDMA connection is up.</summary>
    public TimeSpan NegotiateTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
