using FastSmb.Control.Accounts;
using FastSmb.Control.Users;

namespace FastSmb.Control.Hosting;

/// <summary>
/// The zero-configuration start: a data dir holding smb.conf, one share directory and the directory store.
/// Everything is created on first start and reused afterwards; an existing config is never overwritten.
/// </summary>
public static class EmbeddedDefault
{
    public const string DefaultUser = "fastsmb";

    /// <summary>What the start decided, for the banner. <see cref="Notes"/> are lines to tell the operator once.</summary>
    public sealed record Prepared(DataDir DataDir, string ConfigPath, string? UserName, string? GeneratedPassword,
        bool PasswordFromEnvironment, DirectoryStore Directory, IReadOnlyList<string> Notes);

    /// <summary>
    /// Creates the data dir, the default config (share "share" over DATA_DIR/share) when the config file is the
    /// default one and absent, opens the directory store (importing DATA_DIR/users once), and sets up the user:
    /// FASTSMB_USER / FASTSMB_PASSWORD, whenever both are set, create or update that user on every start; without
    /// them, a directory with no user at all gets "fastsmb" with a generated password, shown once.
    /// The caller owns (and disposes) the returned store.
    /// </summary>
    public static Prepared Prepare(string dataDir, string? configPath, Func<string, string?> environment)
    {
        var dir = DataDir.At(dataDir);
        System.IO.Directory.CreateDirectory(dir.Root);
        var notes = new List<string>();
        string config = dir.ResolveConfig(configPath, out bool legacy);
        if (legacy)
            notes.Add($"using the old config file name {config}; rename it to {DataDir.ConfigFileName} (it is read only when {DataDir.ConfigFileName} is absent)");
        if (!File.Exists(config))
        {
            if (configPath is not null) throw new FileNotFoundException($"the config file {config} does not exist", config);
            System.IO.Directory.CreateDirectory(dir.DefaultSharePath);
            File.WriteAllText(config, DefaultConfig(dir.DefaultSharePath));
            notes.Add($"created {config} with the default share");
        }

        var directory = DirectoryStore.Open(dir.DirectoryPath);
        try
        {
            ImportLegacyUsers(dir, directory, notes);
            string? userName = environment("FASTSMB_USER") is { Length: > 0 } u ? u : null;
            string? envPassword = environment("FASTSMB_PASSWORD");
            string? generated = null;
            if (!string.IsNullOrEmpty(envPassword))
            {
                userName ??= DefaultUser;
                var r = directory.SetOrAddUser(userName, FileUserStore.ComputeNtHash(envPassword));
                if (r != DirectoryResult.Ok) throw new ArgumentException($"FASTSMB_USER '{userName}': {r}");
            }
            else if (directory.ListUsers().Count == 0)
            {
                userName ??= DefaultUser;
                generated = FileUserStore.GeneratePassword();
                directory.SetOrAddUser(userName, FileUserStore.ComputeNtHash(generated));
            }
            else if (userName is not null && !directory.TryGetUser(userName, out _))
            {
                notes.Add($"FASTSMB_USER={userName} is not in the directory and FASTSMB_PASSWORD is not set; no user created");
                userName = null;
            }
            if (userName is not null) MapDefaultUser(dir, directory, userName, notes);
            return new Prepared(dir, config, userName, generated, !string.IsNullOrEmpty(envPassword), directory, notes);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The embedded default user needs a Unix identity when the server runs as root (docs/administration.md, "Users
    /// and Unix accounts"). A Unix account of the same name, or a uid already in the directory, decides; otherwise the
    /// user is given the owner of the data dir, so that `scripts/serve.sh` works out of the box: run by root, that is
    /// root and nothing changes; with a data dir an operator chowned to a service account, files are that account's.
    /// </summary>
    public static void MapDefaultUser(DataDir dir, DirectoryStore directory, string userName, List<string> notes)
    {
        if (!Datapath.Identity.ThreadCredentials.CanSwitch) return;
        if (!directory.TryGetUser(userName, out var user) || user.Uid is not null) return;
        if (Identity.UnixAccounts.TryGetByName(userName, out _)) return;
        if (!Identity.UnixAccounts.TryGetOwner(dir.Root, out uint uid, out uint gid)) return;
        directory.SetUnixIds(userName, uid, gid);
        notes.Add($"user {userName} has no Unix account: its files are owned by uid {uid} gid {gid}, the owner of {dir.Root} "
            + $"(change with `fastsmb user del {userName}` and `fastsmb user add {userName} --uid N --gid N`)");
    }

    /// <summary>
    /// DATA_DIR/users (the file of earlier versions) is imported once: its users are added where the directory
    /// lacks them (a user already there keeps its password), then the file is renamed users.imported and kept as
    /// a backup, which the operator may delete.
    /// </summary>
    public static void ImportLegacyUsers(DataDir dir, DirectoryStore directory, List<string> notes)
    {
        if (!File.Exists(dir.LegacyUsersPath)) return;
        var legacy = new FileUserStore(dir.LegacyUsersPath);
        int imported = 0;
        foreach (var name in legacy.Names)
        {
            if (directory.TryGetUser(name, out _) || !legacy.TryGet(name, out var account)) continue;
            if (directory.AddUser(name, account.NtHash) == DirectoryResult.Ok) imported++;
        }
        File.Move(dir.LegacyUsersPath, dir.LegacyUsersPath + ".imported", overwrite: true);
        notes.Add($"imported {imported} user(s) from {dir.LegacyUsersPath} into the directory; the file is kept as {dir.LegacyUsersPath}.imported");
    }

    public static string DefaultConfig(string sharePath) => $"""
        # FastSmb configuration (smb.conf syntax; docs/configuration.md lists every key). Created by
        # `fastsmb serve` on first start. `fastsmb config check` shows what the server makes of it.
        [global]
           workgroup = WORKGROUP
           server string = FastSmb
           # auto: sign when the client asks; mandatory: refuse unsigned sessions
           server signing = auto

        [share]
           path = {sharePath}
           comment = FastSmb default share
           read only = no

        """;
}
