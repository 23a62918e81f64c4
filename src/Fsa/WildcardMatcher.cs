namespace FastSmb.Fsa;

/// <summary>
/// [MS-FSA] 2.1.4.4 "Algorithm for Determining if a FileName Is in an Expression" (FsRtlIsNameInExpression),
/// case-insensitive: <c>*</c> any run of characters, <c>?</c> exactly one, <c>&lt;</c> (DOS_STAR) any run that
/// does not pass the name's last period, <c>&gt;</c> (DOS_QM) one character, or none at a period or at the end,
/// <c>"</c> (DOS_DOT) a period, or none at the end. Stateless.
/// </summary>
public static class WildcardMatcher
{
    public static bool HasWildcards(ReadOnlySpan<char> expression) => expression.IndexOfAny("*?<>\"") >= 0;

    public static bool IsMatch(ReadOnlySpan<char> name, ReadOnlySpan<char> expression)
    {
        if (expression.Length == 0) return name.Length == 0;
        if (expression is "*" or "*.*" or "<.<") return true;
        int lastDot = name.LastIndexOf('.');
        // reachable[i]: the expression so far can have consumed exactly name[..i].
        Span<bool> reachable = name.Length < 256 ? stackalloc bool[name.Length + 1] : new bool[name.Length + 1];
        Span<bool> next = name.Length < 256 ? stackalloc bool[name.Length + 1] : new bool[name.Length + 1];
        reachable.Clear();
        reachable[0] = true;
        foreach (char e in expression)
        {
            next.Clear();
            bool any = false;
            for (int i = 0; i <= name.Length; i++)
            {
                if (!reachable[i]) continue;
                switch (e)
                {
                    case '*':
                        for (int k = i; k <= name.Length; k++) next[k] = true;
                        break;
                    case '<':
                        // Up to, not past, the final period: any k with no last-dot inside name[i..k).
                        for (int k = i; k <= name.Length; k++)
                        {
                            next[k] = true;
                            if (k == lastDot) break;
                        }
                        break;
                    case '?':
                        if (i < name.Length) next[i + 1] = true;
                        break;
                    case '>':
                        if (i == name.Length || name[i] == '.') next[i] = true;
                        else next[i + 1] = true;
                        break;
                    case '"':
                        if (i == name.Length) next[i] = true;
                        else if (name[i] == '.') next[i + 1] = true;
                        break;
                    default:
                        if (i < name.Length && char.ToUpperInvariant(name[i]) == char.ToUpperInvariant(e)) next[i + 1] = true;
                        break;
                }
            }
            for (int i = 0; i <= name.Length; i++) any |= next[i];
            if (!any) return false;
            next.CopyTo(reachable);
        }
        return reachable[name.Length];
    }
}
