using FastSmb.Protocol.Smb2;

namespace FastSmb.Control.Config;

/// <summary>Samba's "server signing": auto (offer, require only if the client does), mandatory, disabled.</summary>
public enum SigningPolicy { Auto, Mandatory, Disabled }

/// <summary>
/// Samba's "smb encrypt" (globally also "server smb encrypt"): Off (globally: no encryption offered); Default
/// (offered to clients that ask, nothing required); Desired (the server asks capable clients to encrypt, accepts
/// plain text); Required (plain text refused; clients that cannot encrypt are denied).
/// </summary>
public enum EncryptionPolicy { Default, Off, Desired, Required }

/// <summary>
/// "fastsmb rdma provider": none (no SMB Direct), soft (soft RDMA over shared memory on this host), verbs
/// (librdmacm + libibverbs on a real RDMA device), proxy (SMB Direct connections handed over by `fastsmb rdma-proxy`,
/// which owns the provider).
/// </summary>
public enum RdmaProviderKind { None, Soft, Verbs, Proxy }

/// <summary>The [global] settings FastSmb understands (docs/configuration.md lists them with Samba's meaning).</summary>
public sealed record GlobalConfig
{
    /// <summary>NetBIOS name (at most 15 characters, upper case) used in NTLM target info and srvsvc.</summary>
    public string NetbiosName { get; init; } = DefaultNetbiosName();
    public string Workgroup { get; init; } = "WORKGROUP";
    public string DnsHostName { get; init; } = Environment.MachineName.ToLowerInvariant();
    public string ServerString { get; init; } = "FastSmb";
    public SigningPolicy ServerSigning { get; init; } = SigningPolicy.Auto;
    public Smb2Dialect MinProtocol { get; init; } = Smb2Dialect.Smb202;
    public Smb2Dialect MaxProtocol { get; init; } = Smb2Dialect.Smb311;
    public EncryptionPolicy ServerEncryption { get; init; } = EncryptionPolicy.Default;
    public Guid ServerGuid { get; init; } = Guid.NewGuid();
    /// <summary>"interfaces": names, addresses or networks (<see cref="InterfaceSpec"/>, with Samba's ";speed=,capability="
    /// options): what FSCTL_QUERY_NETWORK_INTERFACE_INFO reports (empty: the host's interfaces, as Samba). The listener
    /// does not use it yet.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];
    /// <summary>"server multi channel support": SMB2_GLOBAL_CAP_MULTI_CHANNEL for 3.x and session binding (on by
    /// default, as Samba 4.15+ on Linux).</summary>
    public bool ServerMultiChannelSupport { get; init; } = true;
    /// <summary>"bind interfaces only". Parsed and kept for the listener of a later issue.</summary>
    public bool BindInterfacesOnly { get; init; }
    /// <summary>"log level" (Samba's first number; per-class levels after it are ignored).</summary>
    public int LogLevel { get; init; }
    /// <summary>"admin group": the Unix group that may use the admin socket besides root (null: root only).</summary>
    public string? AdminGroup { get; init; }
    /// <summary>"fastsmb max unauthenticated connections": connections without a logon held open at once.</summary>
    public int MaxUnauthenticatedConnections { get; init; } = 256;
    /// <summary>"fastsmb unauthenticated timeout" (seconds): how long a connection may stay without a logon.</summary>
    public TimeSpan UnauthenticatedTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>"fastsmb cores": network event loops that run requests (null: one per CPU, less one on machines of
    /// up to four CPUs, where clients often run beside the server). See Datapath/EventLoops.</summary>
    public int? Cores { get; init; }

    /// <summary>"fastsmb io": uring (pinned io_uring core loops, the default; sockets where io_uring is missing) or
    /// sockets (the .NET socket engine). See Datapath/CoreLoops.</summary>
    public FastSmb.Datapath.IoEngine Io { get; init; } = FastSmb.Datapath.IoEngine.Uring;

    /// <summary>"fastsmb busy poll" (microseconds): how long an idle core loop polls before sleeping (io = uring).</summary>
    public int BusyPollMicroseconds { get; init; }

    /// <summary>"fastsmb oplock break timeout" (seconds): how long an oplock or lease break waits for the client's
    /// acknowledgment before the holder loses its caching ([MS-SMB2] 3.3.2.1/3.3.2.5; 35 as Windows and Samba).</summary>
    public TimeSpan OplockBreakTimeout { get; init; } = TimeSpan.FromSeconds(35);

    /// <summary>"fastsmb rdma provider": how SMB Direct ([MS-SMBD]) is served, if at all (none by default).</summary>
    public RdmaProviderKind RdmaProvider { get; init; } = RdmaProviderKind.None;
    /// <summary>"fastsmb rdma listen": soft/proxy: the Unix socket path; verbs: an address (default: the `interfaces`
    /// entries with capability=RDMA, or every RDMA device).</summary>
    public string? RdmaListen { get; init; }
    /// <summary>"fastsmb rdma port": the verbs listener's port ([MS-SMBD] 2.1: 5445 for iWARP, 445 for InfiniBand/RoCE).</summary>
    public int RdmaPort { get; init; } = 5445;

    /// <summary>"fastsmb state store": where the session/tree/open/lease tables live (docs/state.md); null: FASTER
    /// under DATA_DIR/state when the data dir is writable, else memory.</summary>
    public StateStoreKind? StateStore { get; init; }

    /// <summary>"smb3 directory leases" (Samba's name; "fastsmb directory leases" too): R and RH leases on directories
    /// for 3.x clients, with SMB2_GLOBAL_CAP_DIRECTORY_LEASING ([MS-SMB2] 3.3.5.4). Off by default: impacket (0.10/0.11)
    /// fails every CREATE of a file in the share's root once a server advertises the capability.</summary>
    public bool DirectoryLeases { get; init; }

    /// <summary>"kernel change notify" in [global]: the default of every share's (Samba's name; no by default here).</summary>
    public bool KernelChangeNotify { get; init; }
    /// <summary>"kernel oplocks" in [global]: the default of every share's (Samba's name and default, no).</summary>
    public bool KernelOplocks { get; init; }

    private static string DefaultNetbiosName()
    {
        var name = Environment.MachineName.Split('.')[0].ToUpperInvariant();
        return name.Length > 15 ? name[..15] : name;
    }
}

/// <summary>"fastsmb state store = faster|memory".</summary>
public enum StateStoreKind
{
    /// <summary>FASTER under DATA_DIR/state: persistent handles survive a restart.</summary>
    Faster,
    /// <summary>Process memory: durable handles survive a disconnect, nothing survives a restart.</summary>
    Memory,
}

/// <summary>A share section: name, path, comment, read-only, "smb encrypt", and who may connect.</summary>
public sealed record ShareConfig(string Name, string Path, string Comment = "", bool ReadOnly = false,
    EncryptionPolicy Encrypt = EncryptionPolicy.Default)
{
    /// <summary>"guest ok": guest and anonymous sessions may connect.</summary>
    public bool GuestOk { get; init; }
    /// <summary>"valid users": names and @groups allowed to connect; empty means every authenticated user.</summary>
    public IReadOnlyList<string> ValidUsers { get; init; } = [];
    /// <summary>"browseable": listed by srvsvc NetShareEnum. A hidden share can still be connected to by name.</summary>
    public bool Browseable { get; init; } = true;
    /// <summary>"force user": every file call on the share runs as this account (docs/configuration.md).</summary>
    public string? ForceUser { get; init; }
    /// <summary>"force group": the primary group of every file call on the share.</summary>
    public string? ForceGroup { get; init; }
    /// <summary>"create mask": the permission bits a new file may have (Samba's default 0744).</summary>
    public uint CreateMask { get; init; } = DefaultCreateMask;
    /// <summary>"directory mask": the permission bits a new directory may have (Samba's default 0755).</summary>
    public uint DirectoryMask { get; init; } = DefaultDirectoryMask;
    /// <summary>"durable handles": opens may be durable (DHnQ/DH2Q), Samba's default yes.</summary>
    public bool DurableHandles { get; init; } = true;
    /// <summary>"kernel change notify": changes made outside the server reach CHANGE_NOTIFY (inotify); null takes [global]'s.</summary>
    public bool? KernelChangeNotify { get; init; }
    /// <summary>"kernel oplocks": oplocks and leases hold a Linux lease (F_SETLEASE); null takes [global]'s.</summary>
    public bool? KernelOplocks { get; init; }
    /// <summary>"continuously available" (Samba's spelling, default no): the share is CA ([MS-SMB2] 2.2.10
    /// SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY): persistent handles, write-through WRITEs.</summary>
    public bool ContinuouslyAvailable { get; init; }

    public const uint DefaultCreateMask = 0x1E4 /* 0744 */, DefaultDirectoryMask = 0x1ED /* 0755 */;

    // Records compare lists by reference; a reload test compares configs by content.
    public bool Equals(ShareConfig? other) => other is not null && Name == other.Name && Path == other.Path
        && Comment == other.Comment && ReadOnly == other.ReadOnly && GuestOk == other.GuestOk
        && ValidUsers.SequenceEqual(other.ValidUsers) && Browseable == other.Browseable && Encrypt == other.Encrypt
        && ForceUser == other.ForceUser && ForceGroup == other.ForceGroup && CreateMask == other.CreateMask
        && DirectoryMask == other.DirectoryMask && DurableHandles == other.DurableHandles
        && KernelChangeNotify == other.KernelChangeNotify && KernelOplocks == other.KernelOplocks
        && ContinuouslyAvailable == other.ContinuouslyAvailable;

    public override int GetHashCode() => HashCode.Combine(Name, Path, Comment, ReadOnly, GuestOk, Browseable, Encrypt);
}

/// <summary>The whole configuration. Immutable: a reload builds a new one.</summary>
public sealed record ServerConfig(GlobalConfig Global, IReadOnlyList<ShareConfig> Shares);
