using System.Text;

namespace FastSmb.Control.Config;

/// <summary>
/// Adds and removes share sections in the config file's text, keeping every other line (comments, unknown keys,
/// layout) as the operator wrote it. `share add`/`share del` use it; the result is parsed before it is written,
/// and written atomically (temp file + rename), so a bad edit never replaces a good file. Stateless.
/// </summary>
public static class SmbConfEditor
{
    /// <summary>Appends a section for <paramref name="share"/>. The caller checks that no share of that name exists.</summary>
    public static string AddShare(string text, ShareConfig share)
    {
        var o = new StringBuilder(text);
        if (o.Length > 0 && o[^1] != '\n') o.Append('\n');
        if (o.Length > 0 && !text.EndsWith("\n\n", StringComparison.Ordinal)) o.Append('\n');
        o.Append('[').Append(share.Name).Append("]\n");
        SmbConfWriter.FormatShareBody(o, share);
        return o.ToString();
    }

    /// <summary>
    /// Removes the section named <paramref name="shareName"/> (case-insensitive) from its header to the next header,
    /// keeping the comment lines just above the next header with that header. Returns false when there is none.
    /// </summary>
    public static bool TryRemoveShare(string text, string shareName, out string result)
    {
        var lines = text.Split('\n');
        int start = -1, end = lines.Length;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!TryHeader(lines[i], out var name)) continue;
            if (start >= 0) { end = i; break; }
            if (name.Equals(shareName, StringComparison.OrdinalIgnoreCase)) start = i;
        }
        if (start < 0) { result = text; return false; }
        // Comments and blank lines right before the next header belong to it.
        while (end < lines.Length && end - 1 > start && IsCommentOrBlank(lines[end - 1])) end--;
        result = string.Join('\n', lines[..start].Concat(lines[end..]));
        return true;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> through a temp file and a rename.</summary>
    public static void WriteAtomically(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        if (!OperatingSystem.IsWindows() && File.Exists(path))
            File.SetUnixFileMode(tmp, File.GetUnixFileMode(path));
        File.Move(tmp, path, overwrite: true);
    }

    private static bool TryHeader(string line, out string name)
    {
        var t = line.Trim();
        name = "";
        if (t.Length < 3 || t[0] != '[') return false;
        int end = t.IndexOf(']');
        if (end < 2) return false;
        name = t[1..end].Trim();
        return true;
    }

    private static bool IsCommentOrBlank(string line)
    {
        var t = line.Trim();
        return t.Length == 0 || t[0] is '#' or ';';
    }
}
