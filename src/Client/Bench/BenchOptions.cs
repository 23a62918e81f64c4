namespace FastSmb.Client.Bench;

/// <summary>What each operation of a load-generator run is.</summary>
public enum BenchWorkload
{
    /// <summary>READ of --block bytes at consecutive offsets of a --size file (wrapping at its end).</summary>
    Read,
    /// <summary>WRITE of --block bytes at consecutive offsets of a --size file (wrapping at its end).</summary>
    Write,
    /// <summary>READ of --block bytes at random block-aligned offsets of a --size file.</summary>
    RandRead,
    /// <summary>WRITE of --block bytes at random block-aligned offsets of a --size file.</summary>
    RandWrite,
    /// <summary>ECHO.</summary>
    Echo,
    /// <summary>CREATE (open an existing file for attributes) followed by CLOSE: one operation.</summary>
    OpenClose,
    /// <summary>SESSION_SETUP (NTLMv2, to completion) followed by LOGOFF on an open connection: one operation.</summary>
    SessionSetup,
}

/// <summary>One run of the load generator against an SMB server.</summary>
public sealed record BenchOptions
{
    public BenchWorkload Workload { get; init; } = BenchWorkload.Read;
    /// <summary>Size of each connection's test file (read/write workloads).</summary>
    public long FileSize { get; init; } = 64L << 20;
    /// <summary>Bytes per READ/WRITE.</summary>
    public int BlockSize { get; init; } = 64 * 1024;
    public int Connections { get; init; } = 4;
    /// <summary>Requests kept in flight per connection (session-setup always runs one at a time).</summary>
    public int Depth { get; init; } = 1;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Sign every request (the session's key, the negotiated algorithm).</summary>
    public bool Sign { get; init; }
    /// <summary>Encrypt every request once logged on (SMB 3.x).</summary>
    public bool Encrypt { get; init; }
    /// <summary>open-close: every CREATE asks for a persistent handle (DH2Q with SMB2_DHANDLE_FLAG_PERSISTENT and a
    /// new CreateGuid), which a continuously available share grants after committing it.</summary>
    public bool Persistent { get; init; }
    public string Server { get; init; } = "127.0.0.1";
    public string Share { get; init; } = "share";
    public string User { get; init; } = "";
    public string Password { get; init; } = "";
    public string Domain { get; init; } = "WORKGROUP";
    /// <summary>Over SMB Direct: READ/WRITEs of at most this many bytes travel inline, larger ones by RDMA.</summary>
    public int RdmaInlineThreshold { get; init; } = Smb2.Smb2ClientRdma.DefaultInlineThreshold;
    /// <summary>Connections per session: the first logs on, the others bind to its session ([MS-SMB2] 3.2.4.1.7) and
    /// take their share of the requests, each keeping <see cref="Depth"/> in flight.</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Processes whose CPU time is reported next to the client's (the server, the RDMA proxy).</summary>
    public IReadOnlyList<int> CpuPids { get; init; } = [];
    /// <summary>Name prefix of the test files (one per connection) in the share's root.</summary>
    public string FilePrefix { get; init; } = "fastsmb-bench";

    public bool IsReadWrite => Workload is BenchWorkload.Read or BenchWorkload.Write or BenchWorkload.RandRead
        or BenchWorkload.RandWrite;

    public bool IsRead => Workload is BenchWorkload.Read or BenchWorkload.RandRead;

    /// <summary>Why these options cannot run, or null.</summary>
    public string? Validate()
    {
        if (Connections is < 1 or > 4096) return "--connections must be 1..4096";
        if (Depth is < 1 or > 256) return "--depth must be 1..256";
        if (Channels is < 1 or > 32) return "--channels must be 1..32";
        if (Channels > 1 && Workload == BenchWorkload.SessionSetup) return "--channels needs a workload other than session-setup";
        if (BlockSize is < 1 or > 8 << 20) return "--block must be 1 byte..8 MiB";
        if (IsReadWrite && FileSize < BlockSize) return "--size must be at least --block";
        if (Duration <= TimeSpan.Zero) return "--duration must be positive";
        if (RdmaInlineThreshold < 0) return "--rdma-inline must not be negative";
        return null;
    }
}
