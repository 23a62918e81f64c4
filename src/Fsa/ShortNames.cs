namespace FastSmb.Fsa;

/// <summary>
/// The 8.3 ("short") name a file reports in FileAlternateNameInformation ([MS-FSCC] 2.4.5) and 8.3 is all an old
/// client can address. A name that already is a legal 8.3 name is its own short name; any other gets a generated one,
/// up to five characters of its base, '~', two characters from a hash of the whole name, and up to three characters
/// of its extension ("Program Files.txt" → "PROGR~xx.TXT"). The hash makes the name the same on every query and
/// every server start, though two long names may share one: no short name is stored, none opens a file. Pure.
/// </summary>
public static class ShortNames
{
    private const string HashAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>The most characters a short name has.</summary>
    public const int MaxLength = 12;

    public static string Get(string name)
    {
        if (Is8Dot3(name)) return name;
        Span<char> result = stackalloc char[MaxLength];
        return new string(result[..Generate(name, result)]);
    }

    /// <summary>
    /// The short name a directory listing reports ([MS-FSCC] 2.4.8 FileBothDirectoryInformation ShortName): written
    /// into <paramref name="dest"/> (at least <see cref="MaxLength"/> characters), its length returned; 0 for a name
    /// that is a legal 8.3 name itself, which has no short name of its own, as on NTFS. Allocates nothing.
    /// </summary>
    public static int Format(ReadOnlySpan<char> name, Span<char> dest) => Is8Dot3(name) ? 0 : Generate(name, dest);

    private static int Generate(ReadOnlySpan<char> name, Span<char> result)
    {
        int dot = name.LastIndexOf('.');
        var baseName = dot > 0 ? name[..dot] : name;
        var extension = dot > 0 ? name[(dot + 1)..] : [];
        int n = AppendLegal(result, baseName, 5);
        if (n == 0) result[n++] = '_';
        uint hash = Fnv1a(name);
        result[n++] = '~';
        result[n++] = HashAlphabet[(int)(hash % 36)];
        result[n++] = HashAlphabet[(int)(hash / 36 % 36)];
        Span<char> ext = stackalloc char[3];
        int e = AppendLegal(ext, extension, 3);
        if (e > 0)
        {
            result[n++] = '.';
            ext[..e].CopyTo(result[n..]);
            n += e;
        }
        return n;
    }

    /// <summary>One to eight characters, optionally a dot and one to three more, all legal in a short name.</summary>
    public static bool Is8Dot3(ReadOnlySpan<char> name)
    {
        if (name is "." or "..") return true;
        int dot = name.IndexOf('.');
        var baseName = dot < 0 ? name : name[..dot];
        var extension = dot < 0 ? [] : name[(dot + 1)..];
        if (baseName.Length is 0 or > 8 || extension.Length > 3 || (dot >= 0 && extension.Length == 0)) return false;
        foreach (char c in baseName) if (!IsLegal(c)) return false;
        foreach (char c in extension) if (!IsLegal(c)) return false;
        return true;
    }

    // Letters, digits and $%'-_@~`!(){}^#&: no blanks, no dots but the one, nothing beyond ASCII.
    private static bool IsLegal(char c) => char.IsAsciiLetterOrDigit(c) || "$%'-_@~`!(){}^#&".Contains(c);

    private static int AppendLegal(Span<char> dest, ReadOnlySpan<char> source, int max)
    {
        int n = 0;
        foreach (char c in source)
        {
            if (n == max) break;
            if (IsLegal(c)) dest[n++] = char.ToUpperInvariant(c);
        }
        return n;
    }

    private static uint Fnv1a(ReadOnlySpan<char> name)
    {
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash ^= char.ToUpperInvariant(c);
            hash *= 16777619;
        }
        return hash;
    }
}
