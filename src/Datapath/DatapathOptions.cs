namespace FastSmb.Datapath;

/// <summary>Limits the data path enforces; filled from the configuration by the control plane.</summary>
public sealed record DatapathOptions
{
    /// <summary>Largest READ/WRITE payload offered in NEGOTIATE (MaxReadSize/MaxWriteSize).</summary>
    public uint MaxIoSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Largest IOCTL/QUERY_INFO/QUERY_DIRECTORY buffer (MaxTransactSize).</summary>
    public uint MaxTransactSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most credits one connection may hold ([MS-SMB2] 3.3.1.2; Samba's "smb2 max credits").</summary>
    public int MaxCredits { get; init; } = 8192;

    /// <summary>
    /// Connections that have not yet completed a SESSION_SETUP may be held open by anyone who can reach the port;
    /// past this many at once, new connections are closed on accept (existing clients are not affected).
    /// </summary>
    public int MaxUnauthenticatedConnections { get; init; } = 256;

    /// <summary>How long a connection may stay without an authenticated session before it is dropped.</summary>
    public TimeSpan UnauthenticatedTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a logon stays valid before the client must re-authenticate ([MS-SMB2] 3.3.1.8 Session.ExpirationTime);
    /// null keeps NTLM sessions valid until logoff, as Windows and Samba do (Kerberos sessions will take the ticket's
    /// end time).
    /// </summary>
    public TimeSpan? SessionLifetime { get; init; }

    /// <summary>
    /// The global state tables (durable and persistent opens, sessions, tree connects, leases). The control plane
    /// passes its FASTER store (src/Control/State) when `fastsmb state store = faster`; the default keeps them in memory.
    /// </summary>
    public State.IServerStateStore StateStore { get; init; } = new State.InMemoryServerStateStore();

    /// <summary>A frame longer than this is a protocol violation (room for the largest WRITE plus headers).</summary>
    public int MaxMessageLength => (int)Math.Min(Transport.DirectTcpFraming.MaxFrameLength, Math.Max(MaxIoSize, MaxTransactSize) + 64 * 1024);
}
