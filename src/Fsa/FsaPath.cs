namespace FastSmb.Fsa;

/// <summary>
/// Checks and splits a path as an SMB2 CREATE or rename carries it: relative to the share root, components
/// separated by backslashes. Refuses what could leave the root or that Windows refuses in a name
/// ([MS-FSCC] 2.1.5.2 filename rules): absolute paths, ".", empty components, wildcards and the other
/// characters NTFS forbids. A ".." component removes the one before it, lexically, as Samba's path syntax check
/// does before any lookup ("sub\..\x" is "x", whatever "sub" is on disk, so no symlink is ever climbed out of);
/// one that would climb above the share root is STATUS_OBJECT_PATH_SYNTAX_BAD, Samba's and Windows' answer. The last component may name a stream ([MS-FSCC] 2.1.5.3): "name:stream",
/// "name:stream:$DATA", or "name::$DATA" for the default data stream.
/// </summary>
public static class FsaPath
{
    public const int MaxComponentLength = 255;

    /// <summary>A path that may not name a stream (a rename target): "name:stream" is STATUS_OBJECT_NAME_INVALID.</summary>
    public static NtStatus TrySplit(string path, out string[] components)
    {
        var status = TrySplit(path, out components, out var stream);
        return status == NtStatus.Success && stream is not null ? NtStatus.ObjectNameInvalid : status;
    }

    /// <summary>Splits <paramref name="path"/>; <paramref name="streamName"/> is the named stream, null for the default one.</summary>
    public static NtStatus TrySplit(string path, out string[] components, out string? streamName)
    {
        components = [];
        streamName = null;
        if (path.Length == 0) return NtStatus.Success;
        // [MS-SMB2] 3.3.5.9: the name is relative to the share; Windows refuses a leading separator.
        if (path[0] == '\\') return NtStatus.InvalidParameter;
        if (path[0] == '/') return NtStatus.ObjectNameInvalid;
        // Samba takes '/' inside a path as a separator too (smbtorture's timestamps tests rely on it); a '/' can then
        // never reach a file name.
        if (path.Contains('/')) path = path.Replace('/', '\\');
        if (path.EndsWith('\\')) path = path[..^1];
        var parts = path.Split('\\');
        int colon = parts[^1].IndexOf(':');
        if (colon >= 0)
        {
            var status = SplitStream(parts[^1][(colon + 1)..], out streamName);
            if (status != NtStatus.Success) return status;
            parts[^1] = parts[^1][..colon];
            if (parts[^1] == "..") return NtStatus.ObjectNameInvalid;
        }
        int kept = 0;
        foreach (var part in parts)
        {
            if (part == "..")
            {
                if (kept == 0) return NtStatus.ObjectPathSyntaxBad;
                kept--;
                continue;
            }
            if (part.Length == 0 || part == "." || part.Length > MaxComponentLength)
                return NtStatus.ObjectNameInvalid;
            foreach (char c in part)
                if (c < 0x20 || c is '"' or '*' or '/' or ':' or '<' or '>' or '?' or '|')
                    return NtStatus.ObjectNameInvalid;
            parts[kept++] = part;
        }
        components = kept == parts.Length ? parts : parts[..kept];
        return NtStatus.Success;
    }

    /// <summary>Whether <paramref name="path"/> ends by naming the default data stream explicitly ("name::$DATA").</summary>
    public static bool NamesDefaultStream(string path) => path.EndsWith("::$DATA", StringComparison.OrdinalIgnoreCase);

    /// <summary>"stream", "stream:$DATA" or ":$DATA" (the default stream); any other type, or an empty name without
    /// one, is invalid.</summary>
    private static NtStatus SplitStream(string spec, out string? streamName)
    {
        streamName = null;
        int colon = spec.IndexOf(':');
        string name = colon < 0 ? spec : spec[..colon];
        if (colon >= 0 && !spec.AsSpan(colon + 1).Equals("$DATA", StringComparison.OrdinalIgnoreCase))
            return NtStatus.ObjectNameInvalid;
        if (name.Length == 0) return colon >= 0 ? NtStatus.Success : NtStatus.ObjectNameInvalid;
        if (name.Length > MaxComponentLength) return NtStatus.ObjectNameInvalid;
        // [MS-FSCC] 2.1.5.3: a stream name may hold any character but NUL, backslash, '/' and ':' (control characters too).
        foreach (char c in name)
            if (c is '\0' or '/' or '\\' or ':') return NtStatus.ObjectNameInvalid;
        streamName = name;
        return NtStatus.Success;
    }
}
