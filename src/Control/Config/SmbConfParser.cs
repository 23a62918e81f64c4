using FastSmb.Protocol.Smb2;

namespace FastSmb.Control.Config;

/// <summary>
/// Reads the smb.conf-style configuration file: "[section]" headers, "key = value" lines, ';' and '#' comments,
/// keys case-insensitive with spaces significant only between words (as Samba's loadparm). Unknown keys are
/// warnings, not fatal, so an operator can bring a Samba smb.conf; bad values are errors. Every message starts
/// with "FILE:LINE: ".
/// </summary>
public static class SmbConfParser
{
    public sealed record Result(ServerConfig? Config, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

    /// <summary>Reads and parses <paramref name="path"/>; a missing or unreadable file is an error, not an exception.</summary>
    public static Result ParseFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Result(null, [$"{path}: cannot read: {e.Message}"], []);
        }
        return Parse(text, path);
    }

    public static Result Parse(string text, string fileName = "smb.conf")
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var global = new GlobalConfig();
        var shares = new List<ShareConfig>();
        var shareLines = new Dictionary<ShareConfig, int>(ReferenceEqualityComparer.Instance);
        string? section = null;
        ShareConfig? share = null;
        int shareLine = 0;
        int lineNo = 0;
        var err = new Reporter(fileName, errors);
        var warn = new Reporter(fileName, warnings);

        void EndShare()
        {
            if (share is null) return;
            shares.Add(share);
            shareLines[share] = shareLine;
            share = null;
        }

        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#') continue;
            if (line[0] == '[')
            {
                EndShare();
                int end = line.IndexOf(']');
                if (end < 2) { err.Add(lineNo, "bad section header"); section = null; continue; }
                section = line[1..end].Trim();
                if (!section.Equals("global", StringComparison.OrdinalIgnoreCase))
                {
                    if (!IsValidShareName(section)) err.Add(lineNo, $"invalid share name '{section}'");
                    share = new ShareConfig(section, "");
                    shareLine = lineNo;
                }
                continue;
            }
            int eq = line.IndexOf('=');
            if (eq < 1 || section is null) { err.Add(lineNo, "expected 'key = value' inside a section"); continue; }
            string key = Normalize(line[..eq]);
            string value = line[(eq + 1)..].Trim();
            if (share is null)
                global = ApplyGlobal(global, key, value, lineNo, err, warn);
            else
                share = ApplyShare(share, key, value, lineNo, err, warn);
        }
        EndShare();

        foreach (var s in shares.Where(s => s.Path.Length == 0))
            err.Add(shareLines[s], $"share [{s.Name}]: no path");
        foreach (var g in shares.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            err.Add(shareLines[g.Last()], $"share [{g.Last().Name}] defined twice");
        if (shares.Any(s => s.Name.Equals("IPC$", StringComparison.OrdinalIgnoreCase)))
            err.Add(shareLines[shares.First(s => s.Name.Equals("IPC$", StringComparison.OrdinalIgnoreCase))],
                "[IPC$] is built in and cannot be configured");
        if (global.MinProtocol > global.MaxProtocol)
            errors.Add($"{fileName}: server min protocol is above server max protocol");

        return new Result(errors.Count == 0 ? new ServerConfig(global, shares) : null, errors, warnings);
    }

    /// <summary>Collects "FILE:LINE: message" lines.</summary>
    private readonly struct Reporter(string file, List<string> sink)
    {
        public void Add(int line, string message) => sink.Add($"{file}:{line}: {message}");
    }

    /// <summary>
    /// Share names as Windows accepts them ([MS-SRVS] 2.2.4.22 netname; the characters \ / : * ? " &lt; &gt; | are
    /// not allowed), at most 80 characters.
    /// </summary>
    public static bool IsValidShareName(string name) =>
        name.Length is > 0 and <= 80 && name.IndexOfAny(['\\', '/', ':', '*', '?', '"', '<', '>', '|', '[', ']']) < 0
        && name.Trim() == name;

    private static string Normalize(string key) => string.Join(' ', key.Trim().ToLowerInvariant()
        .Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static GlobalConfig ApplyGlobal(GlobalConfig g, string key, string value, int line, Reporter errors, Reporter warnings)
    {
        switch (key)
        {
            case "netbios name":
                return value.Length is > 0 and <= 15 ? g with { NetbiosName = value.ToUpperInvariant() }
                    : Bad(g, line, key, value, errors, "at most 15 characters");
            case "workgroup":
                return value.Length is > 0 and <= 15 ? g with { Workgroup = value.ToUpperInvariant() }
                    : Bad(g, line, key, value, errors, "at most 15 characters");
            case "server string": return g with { ServerString = value };
            case "server signing":
                return value.ToLowerInvariant() switch
                {
                    "auto" or "default" or "if_required" or "enabled" => g with { ServerSigning = SigningPolicy.Auto },
                    "mandatory" or "required" or "yes" or "true" => g with { ServerSigning = SigningPolicy.Mandatory },
                    "disabled" or "no" or "false" => g with { ServerSigning = SigningPolicy.Disabled },
                    _ => Bad(g, line, key, value, errors, "auto, mandatory or disabled"),
                };
            case "smb encrypt" or "server smb encrypt":
                return TryEncryption(value, out var e) ? g with { ServerEncryption = e } : Bad(g, line, key, value, errors, EncryptionValues);
            case "server min protocol" or "min protocol":
                return TryDialect(value, out var min) ? g with { MinProtocol = min } : Bad(g, line, key, value, errors, DialectNames);
            case "server max protocol" or "max protocol" or "protocol":
                return TryDialect(value, out var max) ? g with { MaxProtocol = max } : Bad(g, line, key, value, errors, DialectNames);
            case "interfaces":
                var interfaces = SplitList(value);
                foreach (var entry in interfaces)
                    if (!InterfaceSpec.TryParse(entry, out _, out var why))
                        return Bad(g, line, key, value, errors, "names, addresses or networks with ;speed=,capability=,if_index= (" + why + ")");
                return g with { Interfaces = interfaces };
            case "server multi channel support":
                return TryBool(value, out var multiChannel) ? g with { ServerMultiChannelSupport = multiChannel }
                    : Bad(g, line, key, value, errors, YesNo);
            case "bind interfaces only":
                return TryBool(value, out var bind) ? g with { BindInterfacesOnly = bind } : Bad(g, line, key, value, errors, YesNo);
            case "log level" or "debuglevel" or "debug level":
                // Samba allows "3 auth:5 passdb:2": the first word is the level of every class.
                var first = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                return int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var level)
                    && level <= 10 ? g with { LogLevel = level } : Bad(g, line, key, value, errors, "a number 0-10");
            case "fastsmb max unauthenticated connections":
                return TryPositive(value, out int maxUnauth) ? g with { MaxUnauthenticatedConnections = maxUnauth }
                    : Bad(g, line, key, value, errors, "a positive number");
            case "fastsmb rdma provider":
                return Enum.TryParse<RdmaProviderKind>(value, ignoreCase: true, out var provider) && !int.TryParse(value, out _)
                    ? g with { RdmaProvider = provider } : Bad(g, line, key, value, errors, "none, soft, verbs or proxy");
            case "fastsmb rdma listen":
                return value.Length > 0 ? g with { RdmaListen = value } : Bad(g, line, key, value, errors, "a socket path or an address");
            case "fastsmb rdma port":
                return TryPositive(value, out int rdmaPort) && rdmaPort <= 65535 ? g with { RdmaPort = rdmaPort }
                    : Bad(g, line, key, value, errors, "a port, 1 to 65535");
            case "fastsmb cores":
                return TryPositive(value, out int cores) && cores <= 1024 ? g with { Cores = cores }
                    : Bad(g, line, key, value, errors, "a number of cores, 1 to 1024");
            case "fastsmb io":
                return value.ToLowerInvariant() switch
                {
                    "uring" or "io_uring" => g with { Io = FastSmb.Datapath.IoEngine.Uring },
                    "sockets" => g with { Io = FastSmb.Datapath.IoEngine.Sockets },
                    _ => Bad(g, line, key, value, errors, "uring or sockets"),
                };
            case "fastsmb busy poll":
                return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int spin)
                    && spin <= 1_000_000 ? g with { BusyPollMicroseconds = spin }
                    : Bad(g, line, key, value, errors, "microseconds, 0 to 1000000");
            case "fastsmb unauthenticated timeout":
                return TryPositive(value, out int seconds) ? g with { UnauthenticatedTimeout = TimeSpan.FromSeconds(seconds) }
                    : Bad(g, line, key, value, errors, "a positive number of seconds");
            case "fastsmb oplock break timeout":
                return TryPositive(value, out int breakSeconds) ? g with { OplockBreakTimeout = TimeSpan.FromSeconds(breakSeconds) }
                    : Bad(g, line, key, value, errors, "a positive number of seconds");
            case "fastsmb state store":
                return value.ToLowerInvariant() switch
                {
                    "faster" => g with { StateStore = StateStoreKind.Faster },
                    "memory" => g with { StateStore = StateStoreKind.Memory },
                    _ => Bad(g, line, key, value, errors, "faster or memory"),
                };

            case "smb3 directory leases" or "fastsmb directory leases":
                return TryBool(value, out var dirLeases) ? g with { DirectoryLeases = dirLeases } : Bad(g, line, key, value, errors, YesNo);
            case "kernel change notify":
                return TryBool(value, out var kernelNotify) ? g with { KernelChangeNotify = kernelNotify } : Bad(g, line, key, value, errors, YesNo);
            case "kernel oplocks":
                return TryBool(value, out var kernelOplocks) ? g with { KernelOplocks = kernelOplocks } : Bad(g, line, key, value, errors, YesNo);
            case "admin group":
                return value.Length > 0 ? g with { AdminGroup = value } : Bad(g, line, key, value, errors, "a group name");
            default:
                warnings.Add(line, $"unknown parameter '{key}' in [global], ignored");
                return g;
        }
    }

    private static ShareConfig ApplyShare(ShareConfig s, string key, string value, int line, Reporter errors, Reporter warnings)
    {
        switch (key)
        {
            case "path" or "directory":
                return value.Length > 0 && value[0] == '/' ? s with { Path = value } : Bad(s, line, key, value, errors, "an absolute path");
            case "comment": return s with { Comment = value };
            case "read only": return TryBool(value, out var ro) ? s with { ReadOnly = ro } : Bad(s, line, key, value, errors, YesNo);
            case "writable" or "writeable" or "write ok":
                return TryBool(value, out var w) ? s with { ReadOnly = !w } : Bad(s, line, key, value, errors, YesNo);
            case "durable handles":
                return TryBool(value, out var durable) ? s with { DurableHandles = durable } : Bad(s, line, key, value, errors, YesNo);
            case "kernel change notify":
                return TryBool(value, out var kernelNotify) ? s with { KernelChangeNotify = kernelNotify } : Bad(s, line, key, value, errors, YesNo);
            case "kernel oplocks":
                return TryBool(value, out var kernelOplocks) ? s with { KernelOplocks = kernelOplocks } : Bad(s, line, key, value, errors, YesNo);
            case "continuously available":
                return TryBool(value, out var ca) ? s with { ContinuouslyAvailable = ca } : Bad(s, line, key, value, errors, YesNo);
            case "guest ok" or "public":
                return TryBool(value, out var guest) ? s with { GuestOk = guest } : Bad(s, line, key, value, errors, YesNo);
            case "browseable" or "browsable":
                return TryBool(value, out var browse) ? s with { Browseable = browse } : Bad(s, line, key, value, errors, YesNo);
            case "valid users":
                var users = SplitList(value);
                return users.All(IsValidUserEntry) ? s with { ValidUsers = users }
                    : Bad(s, line, key, value, errors, "user names or @group names");
            case "smb encrypt":
                return TryEncryption(value, out var enc) ? s with { Encrypt = enc }
                    : Bad(s, line, key, value, errors, EncryptionValues);
            case "force user":
                return IsValidUserEntry(value) && !value.StartsWith('@') ? s with { ForceUser = value }
                    : Bad(s, line, key, value, errors, "a user name");
            case "force group":
                // Samba accepts "+group" (Unix group) too; the name service is what FastSmb asks either way.
                var group = value.TrimStart('+', '@');
                return group.Length > 0 && IsValidUserEntry(group) ? s with { ForceGroup = group }
                    : Bad(s, line, key, value, errors, "a group name");
            case "create mask" or "create mode":
                return TryOctalMode(value, out var fileMask) ? s with { CreateMask = fileMask }
                    : Bad(s, line, key, value, errors, OctalMode);
            case "directory mask" or "directory mode":
                return TryOctalMode(value, out var dirMask) ? s with { DirectoryMask = dirMask }
                    : Bad(s, line, key, value, errors, OctalMode);
            default:
                warnings.Add(line, $"unknown parameter '{key}' in [{s.Name}], ignored");
                return s;
        }
    }

    private const string YesNo = "yes or no";
    private const string OctalMode = "octal permission bits such as 0744";

    /// <summary>Permission bits in octal, as Samba writes them ("0744", "744"); at most 07777.</summary>
    public static bool TryOctalMode(string value, out uint mode)
    {
        mode = 0;
        if (value.Length is 0 or > 5) return false;
        foreach (char c in value)
        {
            if (c is < '0' or > '7') return false;
            mode = mode * 8 + (uint)(c - '0');
        }
        return mode <= 0xFFF;
    }
    private const string EncryptionValues = "off, if_required, desired or required";
    private const string DialectNames = "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11";

    private static T Bad<T>(T unchanged, int line, string key, string value, Reporter errors, string expected)
    {
        errors.Add(line, $"invalid value '{value}' for '{key}' (expected {expected})");
        return unchanged;
    }

    /// <summary>
    /// Samba's list syntax: entries separated by commas and/or white space; double quotes keep a name with spaces
    /// together ("valid users = alice, \"bob smith\" @staff").
    /// </summary>
    public static IReadOnlyList<string> SplitList(string value)
    {
        var items = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in value)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (!quoted && (c == ',' || char.IsWhiteSpace(c)))
            {
                if (current.Length > 0) { items.Add(current.ToString()); current.Clear(); }
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0) items.Add(current.ToString());
        return items;
    }

    /// <summary>A user name, or a group as "@name" / "+name" (Samba's NIS-or-Unix and Unix group prefixes).</summary>
    private static bool IsValidUserEntry(string entry)
    {
        var name = entry.TrimStart('@', '+', '&');
        return name.Length > 0 && name.Length <= entry.Length && name.IndexOfAny([':', '/', '\\']) < 0;
    }

    /// <summary>Samba's "smb encrypt" values, legacy spellings included (auto/default = if_required, mandatory = required).</summary>
    public static bool TryEncryption(string v, out EncryptionPolicy e)
    {
        switch (v.ToLowerInvariant())
        {
            case "default" or "enabled" or "if_required" or "auto": e = EncryptionPolicy.Default; return true;
            case "off" or "disabled" or "no" or "false": e = EncryptionPolicy.Off; return true;
            case "desired" or "yes" or "true" or "on": e = EncryptionPolicy.Desired; return true;
            case "required" or "mandatory" or "forced": e = EncryptionPolicy.Required; return true;
            default: e = EncryptionPolicy.Default; return false;
        }
    }

    private static bool TryPositive(string v, out int n) =>
        int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out n) && n > 0;

    public static bool TryBool(string v, out bool b)
    {
        switch (v.ToLowerInvariant())
        {
            case "yes" or "true" or "1" or "on": b = true; return true;
            case "no" or "false" or "0" or "off": b = false; return true;
            default: b = false; return false;
        }
    }

    /// <summary>Samba's protocol names (SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11, SMB2, SMB3).</summary>
    public static bool TryDialect(string v, out Smb2Dialect d)
    {
        d = v.ToUpperInvariant() switch
        {
            "SMB2_02" => Smb2Dialect.Smb202,
            "SMB2_10" => Smb2Dialect.Smb210,
            "SMB2" => Smb2Dialect.Smb210,
            "SMB3_00" => Smb2Dialect.Smb300,
            "SMB3_02" => Smb2Dialect.Smb302,
            "SMB3_11" or "SMB3" => Smb2Dialect.Smb311,
            _ => Smb2Dialect.None,
        };
        return d != Smb2Dialect.None;
    }
}
