namespace FastSmb.Control.Users;

/// <summary>A local account as authentication needs it: the NT hash (MD4 of the UTF-16LE password), never the password.</summary>
public sealed record UserAccount(string Name, byte[] NtHash, bool Disabled = false)
{
    /// <summary>The Unix uid/gid the user's file calls run as, when the store sets them; null: the Unix account of
    /// the same name decides (docs/administration.md, "Users and Unix accounts").</summary>
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
}

/// <summary>
/// Where accounts live. The embedded default keeps them in memory or a file; a later issue puts them
/// in the FASTER directory store. Lookups are case-insensitive, as Windows account names are.
/// Implementations are thread-safe.
/// </summary>
public interface IUserStore
{
    bool TryGet(string userName, out UserAccount account);
}
