using FastSmb.Control.Users;

namespace FastSmb.Control.Hosting;

/// <summary>
/// The zero-configuration start: a data dir holding fastsmb.conf, one share directory and the user file.
/// Everything is created on first start and reused afterwards; an existing fastsmb.conf is never overwritten.
/// </summary>
public static class EmbeddedDefault
{
    public const string ConfigFileName = "fastsmb.conf";
    public const string UsersFileName = "users";
    public const string DefaultUser = "fastsmb";

    /// <summary>What the first start decided, for the banner.</summary>
    public sealed record Prepared(string DataDir, string ConfigPath, string UserName, string? GeneratedPassword,
        bool PasswordFromEnvironment, FileUserStore Users);

    /// <summary>
    /// Creates the data dir, the default config (share "share" over DATA_DIR/share) and the user. The user and
    /// password come from FASTSMB_USER / FASTSMB_PASSWORD (the password is then set on every start); without
    /// them a user "fastsmb" gets a generated password once, shown to the operator once.
    /// </summary>
    public static Prepared Prepare(string dataDir, Func<string, string?> environment)
    {
        dataDir = Path.GetFullPath(dataDir);
        Directory.CreateDirectory(dataDir);
        string configPath = Path.Combine(dataDir, ConfigFileName);
        if (!File.Exists(configPath))
        {
            string share = Path.Combine(dataDir, "share");
            Directory.CreateDirectory(share);
            File.WriteAllText(configPath, DefaultConfig(share));
        }

        var users = new FileUserStore(Path.Combine(dataDir, UsersFileName));
        string userName = environment("FASTSMB_USER") is { Length: > 0 } u ? u : DefaultUser;
        string? envPassword = environment("FASTSMB_PASSWORD");
        string? generated = null;
        if (!string.IsNullOrEmpty(envPassword))
        {
            users.SetPassword(userName, envPassword);
        }
        else if (!users.TryGet(userName, out _))
        {
            generated = FileUserStore.GeneratePassword();
            users.SetPassword(userName, generated);
        }
        return new Prepared(dataDir, configPath, userName, generated, !string.IsNullOrEmpty(envPassword), users);
    }

    private static string DefaultConfig(string sharePath) => $"""
        # FastSmb configuration (smb.conf syntax). Created by `fastsmb serve` on first start.
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
