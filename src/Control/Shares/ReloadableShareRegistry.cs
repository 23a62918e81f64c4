namespace FastSmb.Control.Shares;

/// <summary>
/// The running server's shares: an immutable <see cref="StaticShareRegistry"/> that a reload replaces as a whole
/// with one reference write, so a lookup sees either the old set or the new one, never a mix. Existing tree
/// connects keep the <see cref="ShareDefinition"/> they were made with; connections are not dropped.
/// Thread-safe.
/// </summary>
public sealed class ReloadableShareRegistry(StaticShareRegistry initial) : IShareRegistry
{
    private StaticShareRegistry _current = initial;

    public ReloadableShareRegistry(IEnumerable<ShareDefinition> shares) : this(new StaticShareRegistry(shares)) { }

    public IReadOnlyList<ShareDefinition> All => Volatile.Read(ref _current).All;

    public bool TryGet(string name, out ShareDefinition share) => Volatile.Read(ref _current).TryGet(name, out share);

    public void Replace(IEnumerable<ShareDefinition> shares) => Volatile.Write(ref _current, new StaticShareRegistry(shares));
}
