namespace FastSmb.Fsa;

/// <summary>
/// Checks and splits a path as an SMB2 CREATE or rename carries it: relative to the share root, components
/// separated by backslashes. Refuses what could leave the root or that Windows refuses in a name
/// ([MS-FSCC] 2.1.5.2 filename rules): absolute paths, "..", ".", empty components, wildcards and the other
/// characters NTFS forbids. "name::$DATA" names the default data stream, the only stream served.
/// </summary>
public static class FsaPath
{
    public const int MaxComponentLength = 255;

    public static NtStatus TrySplit(string path, out string[] components)
    {
        components = [];
        if (path.Length == 0) return NtStatus.Success;
        // [MS-SMB2] 3.3.5.9: the name is relative to the share; Windows refuses a leading separator.
        if (path[0] == '\\') return NtStatus.InvalidParameter;
        if (path.EndsWith('\\')) path = path[..^1];
        var parts = path.Split('\\');
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (i == parts.Length - 1 && part.EndsWith("::$DATA", StringComparison.OrdinalIgnoreCase))
                parts[i] = part = part[..^"::$DATA".Length];
            if (part == "..") return NtStatus.ObjectPathSyntaxBad;
            if (part.Length == 0 || part == "." || part.Length > MaxComponentLength)
                return NtStatus.ObjectNameInvalid;
            foreach (char c in part)
                if (c < 0x20 || c is '"' or '*' or '/' or ':' or '<' or '>' or '?' or '|')
                    return NtStatus.ObjectNameInvalid;
        }
        components = parts;
        return NtStatus.Success;
    }
}
