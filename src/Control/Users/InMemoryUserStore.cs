using System.Collections.Concurrent;
using FastSmb.Protocol.Security.Ntlm;

namespace FastSmb.Control.Users;

/// <summary>
/// Accounts kept in memory, for the CLI's embedded mode and the tests. Only the NT hash of each password is kept.
/// Thread-safe; names compare case-insensitively (as <see cref="IUserStore"/> requires).
/// </summary>
public sealed class InMemoryUserStore : IUserStore
{
    private readonly ConcurrentDictionary<string, UserAccount> _accounts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds or replaces an account.</summary>
    public InMemoryUserStore Add(string name, string password, bool disabled = false, uint? uid = null, uint? gid = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _accounts[name] = new UserAccount(name, NtlmV2.NtHash(password), disabled) { Uid = uid, Gid = gid };
        return this;
    }

    public bool Remove(string name) => _accounts.TryRemove(name, out _);

    public bool TryGet(string userName, out UserAccount account) => _accounts.TryGetValue(userName, out account!);
}
