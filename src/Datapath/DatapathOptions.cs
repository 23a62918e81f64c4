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

    /// <summary>Where file system calls that may block for long run (FLUSH), off the connections' owners.</summary>
    public Dispatch.BlockingCallPool BlockingCalls { get; init; } = Dispatch.BlockingCallPool.Shared;

    /// <summary>Instrumentation (the tests' slow volumes): wraps each volume a share exports, so that a tree connect's
    /// <c>Volume</c> is the wrapper; the opens it makes stay the inner volume's. Null in a real server.</summary>
    public Func<Fsa.IFsaVolume, Fsa.IFsaVolume>? WrapVolume { get; init; }

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

    /// <summary>How connections do their network I/O: the .NET socket engine, or pinned io_uring core loops.</summary>
    public IoEngine Io { get; init; } = IoEngine.Sockets;

    /// <summary>Core loops for <see cref="IoEngine.Uring"/> (null: <see cref="EventLoops.DefaultCores"/>).</summary>
    public int? Cores { get; init; }

    /// <summary>How long an idle core loop polls before it sleeps in the kernel (zero: it sleeps at once).</summary>
    public TimeSpan BusyPoll { get; init; }

    /// <summary>
    /// The global state tables (durable and persistent opens, sessions, tree connects, leases). The control plane
    /// passes its FASTER store (src/Control/State) when `fastsmb state store = faster`; the default keeps them in memory.
    /// </summary>
    public State.IServerStateStore StateStore { get; init; } = new State.InMemoryServerStateStore();

    /// <summary>A frame longer than this is a protocol violation (room for the largest WRITE plus headers).</summary>
    public int MaxMessageLength => (int)Math.Min(Protocol.Smb2.DirectTcpFraming.MaxFrameLength, Math.Max(MaxIoSize, MaxTransactSize) + 64 * 1024);
}

/// <summary>"fastsmb io": what carries the connections' bytes.</summary>
public enum IoEngine
{
    /// <summary>.NET sockets, connections run inline on the socket engine's event threads (<see cref="EventLoops"/>).</summary>
    Sockets,

    /// <summary>Pinned core loops, each with an io_uring ring for its connections' receives and sends (<see cref="CoreLoops.CoreLoop"/>).</summary>
    Uring,
}
