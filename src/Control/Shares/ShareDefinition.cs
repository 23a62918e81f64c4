namespace FastSmb.Control.Shares;

/// <summary>[MS-SRVS] 2.2.2.4 share types as srvsvc reports them.</summary>
public enum ShareType : uint
{
    Disk = 0x00000000,
    PrintQueue = 0x00000001,
    Device = 0x00000002,
    Ipc = 0x00000003,
    /// <summary>STYPE_SPECIAL: administrative shares such as IPC$.</summary>
    Special = 0x80000000,
}

/// <summary>A configured share. <see cref="Path"/> is empty for IPC$.</summary>
public sealed record ShareDefinition(string Name, string Path, ShareType Type, string Comment)
{
    public bool IsIpc => (Type & ~ShareType.Special) == ShareType.Ipc;

    /// <summary>The share's "smb encrypt" ([MS-SMB2] 3.3.1.6 Share.EncryptData).</summary>
    public Config.EncryptionPolicy Encrypt { get; init; }

    /// <summary>Listed by srvsvc NetShareEnum ("browseable"); a hidden share is still reachable by name.</summary>
    public bool Browseable { get; init; } = true;

    /// <summary>"read only": recorded here for the FSA layer, which refuses writes on such a share.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>"force user" / "force group": the Unix account and group the share's file calls run as.</summary>
    public string? ForceUser { get; init; }
    public string? ForceGroup { get; init; }

    /// <summary>"create mask" / "directory mask": the permission bits new files and directories may have.</summary>
    public uint CreateMask { get; init; } = Config.ShareConfig.DefaultCreateMask;
    /// <summary>"durable handles" (default yes).</summary>
    public bool DurableHandles { get; init; } = true;
    /// <summary>"continuously available" (default no): persistent handles, SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY.</summary>
    public bool ContinuouslyAvailable { get; init; }
    public uint DirectoryMask { get; init; } = Config.ShareConfig.DefaultDirectoryMask;
    /// <summary>"kernel change notify" (default no): CHANGE_NOTIFY also reports changes made outside the server.</summary>
    public bool KernelChangeNotify { get; init; }
    /// <summary>"kernel oplocks" (default no): oplocks and leases with read or write caching hold a Linux lease.</summary>
    public bool KernelOplocks { get; init; }

    /// <summary>Who may connect ("guest ok", "valid users"); see <see cref="ShareAccess"/>.</summary>
    public ShareAccess Access { get; init; } = ShareAccess.Everyone;
}

/// <summary>The shares this server exports, IPC$ included. Thread-safe; a reload swaps the whole set.</summary>
public interface IShareRegistry
{
    IReadOnlyList<ShareDefinition> All { get; }
    bool TryGet(string name, out ShareDefinition share);
}
