using FastSmb.Control.Accounts;
using FastSmb.Control.Config;

namespace FastSmb.Control.Admin;

/// <summary>
/// Carries out admin requests against the directory store and the config file. The running server runs it behind
/// the admin socket (with <paramref name="reload"/> applying a re-read config to the live share registry); the CLI
/// runs the same code in-process when no server answers (no reload then). Requests are serialized by one lock,
/// so two `share add` cannot interleave their edits of the file. Thread-safe.
/// </summary>
public sealed partial class AdminService(DirectoryStore directory, string configPath, Action<ServerConfig>? reload = null,
    Func<CancellationToken, Task<FastSmb.Datapath.Sessions.Status.ServerStatus>>? status = null)
{
    private readonly Lock _lock = new();

    public string ConfigPath => configPath;

    public AdminResponse Execute(AdminRequest request)
    {
        lock (_lock)
        {
            try
            {
                return request.Command switch
                {
                    AdminCommands.UserAdd => UserAdd(request),
                    AdminCommands.UserPasswd => UserPasswd(request),
                    AdminCommands.UserDel => Result(directory.DeleteUser(Name(request)), $"user {request.Name} deleted", "user"),
                    AdminCommands.UserList => new AdminResponse(true, "")
                    {
                        Users = [.. directory.ListUsers().Select(u => new AdminUser(u.Name, u.Sid, u.Disabled) { Uid = u.Uid, Gid = u.Gid })],
                    },
                    AdminCommands.GroupAdd => Result(directory.AddGroup(Name(request)), $"group {request.Name} added", "group"),
                    AdminCommands.GroupDel => Result(directory.DeleteGroup(Name(request)), $"group {request.Name} deleted", "group"),
                    AdminCommands.GroupAddMember or AdminCommands.GroupDelMember => SetMember(request),
                    AdminCommands.GroupList => new AdminResponse(true, "")
                    {
                        Groups = [.. directory.ListGroups().Select(g => new AdminGroup(g.Name, g.Sid, g.Members))],
                    },
                    AdminCommands.ShareAdd => ShareAdd(request),
                    AdminCommands.ShareDel => ShareDel(request),
                    AdminCommands.ShareList => ShareList(),
                    AdminCommands.ConfigReload => Reload(),
                    AdminCommands.Status => AdminResponse.Failure("status needs a running server (`fastsmb serve`)"),
                    _ => AdminResponse.Failure($"unknown command '{request.Command}'"),
                };
            }
            catch (ArgumentException e)
            {
                return AdminResponse.Failure(e.Message);
            }
            catch (IOException e)
            {
                return AdminResponse.Failure(e.Message);
            }
        }
    }

    private static string Name(AdminRequest r) =>
        string.IsNullOrEmpty(r.Name) ? throw new ArgumentException("a name is required") : r.Name;

    private static byte[] Hash(AdminRequest r)
    {
        if (r.NtHash is not { Length: 32 }) throw new ArgumentException("an NT hash (32 hex digits) is required");
        try { return Convert.FromHexString(r.NtHash); }
        catch (FormatException) { throw new ArgumentException("the NT hash is not hex"); }
    }

    private AdminResponse UserAdd(AdminRequest r) => Result(directory.AddUser(Name(r), Hash(r), r.Uid, r.Gid),
        directory.TryGetUser(Name(r), out var u) ? $"user {u.Name} added ({u.Sid})" : $"user {r.Name} added", "user");

    private AdminResponse UserPasswd(AdminRequest r) => Result(directory.SetPassword(Name(r), Hash(r)), $"password of {r.Name} changed", "user");

    private AdminResponse SetMember(AdminRequest r)
    {
        bool add = r.Command == AdminCommands.GroupAddMember;
        if (string.IsNullOrEmpty(r.Member)) throw new ArgumentException("a member is required");
        var result = directory.SetMember(Name(r), r.Member, add);
        return result switch
        {
            DirectoryResult.Ok => AdminResponse.Success(add ? $"{r.Member} added to {r.Name}" : $"{r.Member} removed from {r.Name}"),
            DirectoryResult.AlreadyExists => AdminResponse.Failure($"{r.Member} is already a member of {r.Name}"),
            _ => AdminResponse.Failure(add ? $"no group {r.Name} or no user {r.Member}" : $"{r.Member} is not a member of {r.Name}"),
        };
    }

    private static AdminResponse Result(DirectoryResult result, string success, string kind) => result switch
    {
        DirectoryResult.Ok => AdminResponse.Success(success),
        DirectoryResult.AlreadyExists => AdminResponse.Failure($"that name is already taken by a user or group"),
        DirectoryResult.NotFound => AdminResponse.Failure($"no such {kind}"),
        _ => AdminResponse.Failure($"invalid {kind} name (1-64 characters, none of \" / \\ [ ] : ; | = , + * ? < > @)"),
    };

    private AdminResponse ShareAdd(AdminRequest r)
    {
        var name = Name(r);
        if (!SmbConfParser.IsValidShareName(name)) return AdminResponse.Failure($"invalid share name '{name}'");
        if (string.IsNullOrEmpty(r.Path) || !Path.IsPathRooted(r.Path)) return AdminResponse.Failure("--path must be an absolute path");
        if (!Directory.Exists(r.Path)) return AdminResponse.Failure($"{r.Path} does not exist or is not a directory");
        var (text, current) = LoadConfig();
        if (current is null) return AdminResponse.Failure(text);
        if (name.Equals("IPC$", StringComparison.OrdinalIgnoreCase)
            || current.Shares.Any(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            return AdminResponse.Failure($"share {name} already exists");
        var share = new ShareConfig(name, Path.GetFullPath(r.Path), r.Comment ?? "", r.ReadOnly);
        return Save(SmbConfEditor.AddShare(text, share), $"share {name} added");
    }

    private AdminResponse ShareDel(AdminRequest r)
    {
        var name = Name(r);
        var (text, current) = LoadConfig();
        if (current is null) return AdminResponse.Failure(text);
        if (!SmbConfEditor.TryRemoveShare(text, name, out var edited)) return AdminResponse.Failure($"no share {name} in {configPath}");
        return Save(edited, $"share {name} deleted");
    }

    private AdminResponse ShareList()
    {
        var (text, current) = LoadConfig();
        if (current is null) return AdminResponse.Failure(text);
        return new AdminResponse(true, "")
        {
            Shares = [.. current.Shares.Select(s => new AdminShare(s.Name, s.Path, s.Comment, s.ReadOnly, s.Browseable))],
        };
    }

    private AdminResponse Reload()
    {
        var (text, current) = LoadConfig();
        if (current is null) return AdminResponse.Failure(text);
        reload?.Invoke(current);
        return AdminResponse.Success($"reloaded {configPath}: {current.Shares.Count} share(s)");
    }

    /// <summary>The file's text and its parse; on a parse error, the errors (as text) and null.</summary>
    private (string Text, ServerConfig? Config) LoadConfig()
    {
        if (!File.Exists(configPath)) return ($"the config file {configPath} does not exist", null);
        var text = File.ReadAllText(configPath);
        var parsed = SmbConfParser.Parse(text, configPath);
        return parsed.Config is null
            ? ($"{configPath} has errors; fix them first:\n" + string.Join('\n', parsed.Errors), null)
            : (text, parsed.Config);
    }

    /// <summary>Checks the edited text parses, writes it atomically, then has the server reload it.</summary>
    private AdminResponse Save(string edited, string message)
    {
        var parsed = SmbConfParser.Parse(edited, configPath);
        if (parsed.Config is null) return AdminResponse.Failure("the edit would make the config invalid:\n" + string.Join('\n', parsed.Errors));
        SmbConfEditor.WriteAtomically(configPath, edited);
        if (reload is null) return AdminResponse.Success(message + " (no server running; it is read at the next start)");
        reload(parsed.Config);
        return AdminResponse.Success(message + "; the server reloaded its shares");
    }
}
