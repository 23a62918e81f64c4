namespace FastSmb.Control.Shares;

/// <summary>
/// A fixed share list, looked up by name case-insensitively (share names are, [MS-SRVS] 2.2.4.22 / SMB2 tree
/// connect). Immutable, so thread-safe. For tests and for servers whose shares never change at run time.
/// </summary>
public sealed class StaticShareRegistry : IShareRegistry
{
    private readonly ShareDefinition[] _all;
    private readonly Dictionary<string, ShareDefinition> _byName;

    public StaticShareRegistry(IEnumerable<ShareDefinition> shares)
    {
        _all = [.. shares];
        _byName = new Dictionary<string, ShareDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in _all) _byName.TryAdd(s.Name, s);
    }

    public IReadOnlyList<ShareDefinition> All => _all;

    public bool TryGet(string name, out ShareDefinition share) => _byName.TryGetValue(name, out share!);

    /// <summary>The IPC$ share every server exports ([MS-SRVS] 2.2.2.4: STYPE_IPC | STYPE_SPECIAL).</summary>
    public static ShareDefinition Ipc(string comment = "IPC Service (FastSmb)") =>
        new("IPC$", "", ShareType.Ipc | ShareType.Special, comment);
}
