using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using FastSmb.Protocol.Crypto;

namespace FastSmb.Control.Users;

/// <summary>
/// Accounts in a text file under the data dir, one "name:NT-hash-in-hex" per line (the form of Samba's
/// smbpasswd NT column), so no password is ever stored. The embedded default uses it until the FASTER
/// directory store of a later issue takes over. Thread-safe; writes replace the file atomically.
/// </summary>
public sealed class FileUserStore : IUserStore
{
    private readonly string _path;
    private readonly ConcurrentDictionary<string, UserAccount> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _writeLock = new();

    public FileUserStore(string path)
    {
        _path = path;
        if (!File.Exists(path)) return;
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(':');
            if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length != 32) continue;
            try { _accounts[parts[0]] = new UserAccount(parts[0], Convert.FromHexString(parts[1])); }
            catch (FormatException) { }
        }
    }

    public int Count => _accounts.Count;
    public IEnumerable<string> Names => _accounts.Keys;

    public bool TryGet(string userName, out UserAccount account) => _accounts.TryGetValue(userName, out account!);

    /// <summary>Adds the user or replaces its password, and saves the file (mode 0600: hashes are secrets).</summary>
    public void SetPassword(string userName, string password)
    {
        if (userName.Length == 0 || userName.Contains(':') || userName.Contains('\n'))
            throw new ArgumentException("user names may not be empty or contain ':' or newlines", nameof(userName));
        _accounts[userName] = new UserAccount(userName, ComputeNtHash(password));
        Save();
    }

    /// <summary>[MS-NLMP] 3.3.1 NTOWFv1: MD4 of the UTF-16LE password; NTLMv2's key derives from it.</summary>
    public static byte[] ComputeNtHash(string password) => Md4.HashData(Encoding.Unicode.GetBytes(password));

    /// <summary>A password for the embedded default: 16 characters from an unambiguous alphabet.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 16);
    }

    private void Save()
    {
        lock (_writeLock)
        {
            var tmp = _path + ".tmp";
            var text = string.Concat(_accounts.Values.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
                .Select(a => $"{a.Name}:{Convert.ToHexString(a.NtHash)}\n"));
            File.WriteAllText(tmp, text);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(tmp, _path, overwrite: true);
        }
    }
}
