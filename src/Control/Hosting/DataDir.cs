namespace FastSmb.Control.Hosting;

/// <summary>
/// Where things live under the data dir: smb.conf (or the config given with --config), the directory store,
/// the admin socket, the default share. `serve` and the admin commands resolve paths the same way through it.
/// </summary>
public sealed record DataDir(string Root)
{
    public const string ConfigFileName = "smb.conf";
    /// <summary>The name the config file had before FastSmb adopted Samba's; still read when smb.conf is absent.</summary>
    public const string LegacyConfigFileName = "fastsmb.conf";
    /// <summary>The pre-directory user file ("name:NT-hash" lines), imported into the directory once.</summary>
    public const string LegacyUsersFileName = "users";
    public const string AdminSocketName = "admin.sock";

    public static DataDir At(string path) => new(Path.GetFullPath(path));

    public string DirectoryPath => Path.Combine(Root, "directory");
    /// <summary>The state store (session/tree/open/lease tables; docs/state.md).</summary>
    public string StatePath => Path.Combine(Root, "state");
    public string AdminSocketPath => Path.Combine(Root, AdminSocketName);
    public string LegacyUsersPath => Path.Combine(Root, LegacyUsersFileName);
    public string DefaultSharePath => Path.Combine(Root, "share");

    /// <summary>
    /// The config file to use: <paramref name="explicitPath"/> when given; else DATA_DIR/smb.conf, or the legacy
    /// DATA_DIR/fastsmb.conf when only that exists (<paramref name="legacy"/> is then true).
    /// </summary>
    public string ResolveConfig(string? explicitPath, out bool legacy)
    {
        legacy = false;
        if (!string.IsNullOrEmpty(explicitPath)) return Path.GetFullPath(explicitPath);
        var current = Path.Combine(Root, ConfigFileName);
        var old = Path.Combine(Root, LegacyConfigFileName);
        if (!File.Exists(current) && File.Exists(old))
        {
            legacy = true;
            return old;
        }
        return current;
    }
}
