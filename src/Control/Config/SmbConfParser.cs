using FastSmb.Protocol.Smb2;

namespace FastSmb.Control.Config;

/// <summary>
/// Reads the smb.conf-style configuration file: "[section]" headers, "key = value" lines, ';' and '#' comments,
/// keys case-insensitive with spaces significant only between words (as Samba's loadparm). Unknown keys are
/// reported, not fatal, so an operator can bring a Samba smb.conf.
/// </summary>
public static class SmbConfParser
{
    public sealed record Result(ServerConfig? Config, IReadOnlyList<string> Errors, IReadOnlyList<string> Ignored);

    public static Result Parse(string text)
    {
        var errors = new List<string>();
        var ignored = new List<string>();
        var global = new GlobalConfig();
        var shares = new List<ShareConfig>();
        string? section = null;
        ShareConfig? share = null;
        int lineNo = 0;

        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#') continue;
            if (line[0] == '[')
            {
                if (share is not null) shares.Add(share);
                share = null;
                int end = line.IndexOf(']');
                if (end < 2) { errors.Add($"line {lineNo}: bad section header"); section = null; continue; }
                section = line[1..end].Trim();
                if (!section.Equals("global", StringComparison.OrdinalIgnoreCase))
                    share = new ShareConfig(section, "");
                continue;
            }
            int eq = line.IndexOf('=');
            if (eq < 1 || section is null) { errors.Add($"line {lineNo}: expected 'key = value' inside a section"); continue; }
            string key = Normalize(line[..eq]);
            string value = line[(eq + 1)..].Trim();
            if (share is null)
                global = ApplyGlobal(global, key, value, lineNo, errors, ignored);
            else
                share = ApplyShare(share, key, value, lineNo, errors, ignored);
        }
        if (share is not null) shares.Add(share);

        foreach (var s in shares.Where(s => s.Path.Length == 0))
            errors.Add($"share [{s.Name}]: no path");
        var dup = shares.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) errors.Add($"share [{dup.Key}] defined twice");

        return new Result(errors.Count == 0 ? new ServerConfig(global, shares) : null, errors, ignored);
    }

    private static string Normalize(string key) => string.Join(' ', key.Trim().ToLowerInvariant()
        .Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static GlobalConfig ApplyGlobal(GlobalConfig g, string key, string value, int line, List<string> errors, List<string> ignored)
    {
        switch (key)
        {
            case "netbios name": return g with { NetbiosName = value.ToUpperInvariant() };
            case "workgroup": return g with { Workgroup = value.ToUpperInvariant() };
            case "server string": return g with { ServerString = value };
            case "server signing":
                return value.ToLowerInvariant() switch
                {
                    "auto" or "default" or "if_required" or "enabled" => g with { ServerSigning = SigningPolicy.Auto },
                    "mandatory" or "required" or "yes" or "true" => g with { ServerSigning = SigningPolicy.Mandatory },
                    "disabled" or "no" or "false" => g with { ServerSigning = SigningPolicy.Disabled },
                    _ => Bad(g, line, key, value, errors),
                };
            case "smb encrypt" or "server smb encrypt":
                return TryEncryption(value, out var e) ? g with { ServerEncryption = e } : Bad(g, line, key, value, errors);
            case "server min protocol":
                return TryDialect(value, out var min) ? g with { MinProtocol = min } : Bad(g, line, key, value, errors);
            case "server max protocol":
                return TryDialect(value, out var max) ? g with { MaxProtocol = max } : Bad(g, line, key, value, errors);
            default:
                ignored.Add($"line {line}: [global] {key}");
                return g;
        }
    }

    private static ShareConfig ApplyShare(ShareConfig s, string key, string value, int line, List<string> errors, List<string> ignored)
    {
        switch (key)
        {
            case "path": return s with { Path = value };
            case "comment": return s with { Comment = value };
            case "read only": return TryBool(value, out var ro) ? s with { ReadOnly = ro } : Bad(s, line, key, value, errors);
            case "smb encrypt":
                return TryEncryption(value, out var e) ? s with { Encrypt = e } : Bad(s, line, key, value, errors);
            case "writable" or "writeable" or "write ok":
                return TryBool(value, out var w) ? s with { ReadOnly = !w } : Bad(s, line, key, value, errors);
            default:
                ignored.Add($"line {line}: [{s.Name}] {key}");
                return s;
        }
    }

    private static T Bad<T>(T unchanged, int line, string key, string value, List<string> errors)
    {
        errors.Add($"line {line}: invalid value '{value}' for '{key}'");
        return unchanged;
    }

    public static bool TryBool(string v, out bool b)
    {
        switch (v.ToLowerInvariant())
        {
            case "yes" or "true" or "1" or "on": b = true; return true;
            case "no" or "false" or "0" or "off": b = false; return true;
            default: b = false; return false;
        }
    }

    /// <summary>Samba's "smb encrypt" values (and the booleans it accepts for them).</summary>
    public static bool TryEncryption(string v, out EncryptionPolicy e)
    {
        switch (v.ToLowerInvariant())
        {
            case "default" or "enabled" or "if_required" or "auto": e = EncryptionPolicy.Default; return true;
            case "off" or "disabled" or "no" or "false": e = EncryptionPolicy.Off; return true;
            case "desired" or "yes" or "true": e = EncryptionPolicy.Desired; return true;
            case "required" or "mandatory" or "forced": e = EncryptionPolicy.Required; return true;
            default: e = EncryptionPolicy.Default; return false;
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
