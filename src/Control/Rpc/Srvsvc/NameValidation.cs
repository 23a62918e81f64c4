namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// The name rules of [MS-SRVS] 2.2.2.8 (Name Types) that NetprNameValidate (3.1.4.32) applies: a length range and
/// a set of characters that may not appear per type, plus a few per-type extras. Stateless.
/// </summary>
public static class NameValidation
{
    public const uint NameTypeUser = 1, NameTypePassword = 2, NameTypeGroup = 3, NameTypeComputer = 4, NameTypeEvent = 5,
        NameTypeDomain = 6, NameTypeService = 7, NameTypeNet = 8, NameTypeShare = 9, NameTypeMessage = 10,
        NameTypeMessageDest = 11, NameTypeSharePassword = 12, NameTypeWorkgroup = 13;

    /// <summary>The default invalid characters: "/\[]:|&lt;&gt;+=;,? and the controls 0x01-0x1F.</summary>
    private const string DefaultInvalid = "\"/\\[]:|<>+=;,?";

    /// <summary>
    /// NERR_Success, ERROR_INVALID_NAME for a name its type does not allow, or ERROR_INVALID_PARAMETER for an
    /// unknown type or non-zero <paramref name="flags"/> (reserved: the spec says the server SHOULD fail the call).
    /// </summary>
    public static uint Validate(string name, uint nameType, uint flags)
    {
        if (flags != 0 || nameType is < NameTypeUser or > NameTypeWorkgroup) return Win32Error.InvalidParameter;
        var (min, max) = LengthRange(nameType);
        if (name.Length < min || name.Length > max) return Win32Error.InvalidName;

        // Passwords may hold anything but NUL, which a [string] cannot carry anyway.
        if (nameType is NameTypePassword or NameTypeSharePassword) return Win32Error.Success;

        foreach (char c in name)
        {
            if (c < 0x20 || DefaultInvalid.Contains(c)) return Win32Error.InvalidName;
        }
        // "Restricted to dots and spaces? No": a name made of nothing but dots and spaces is not a name.
        if (name.AsSpan().TrimStart(". ").IsEmpty) return Win32Error.InvalidName;

        switch (nameType)
        {
            case NameTypeComputer:
                if (name.Contains('*') || name[0] == ' ' || name[^1] == ' ') return Win32Error.InvalidName;
                break;
            case NameTypeDomain:
                if (name.Contains('*') || name.Contains(' ')) return Win32Error.InvalidName;
                break;
            case NameTypeMessageDest:
                // "*" only as the last character; a name of the maximum length must end with it.
                int star = name.IndexOf('*');
                if (star >= 0 && star != name.Length - 1) return Win32Error.InvalidName;
                if (name.Length == max && star < 0) return Win32Error.InvalidName;
                break;
        }
        return Win32Error.Success;
    }

    /// <summary>Minimum and maximum length in UTF-16 units, per the table in [MS-SRVS] 2.2.2.8.</summary>
    public static (int Min, int Max) LengthRange(uint nameType) => nameType switch
    {
        NameTypeUser or NameTypeGroup => (1, 256),
        NameTypePassword => (0, 256),
        NameTypeComputer or NameTypeNet or NameTypeMessageDest => (1, 260),
        NameTypeEvent => (1, 16),
        NameTypeDomain or NameTypeMessage or NameTypeWorkgroup => (1, 15),
        NameTypeService or NameTypeShare => (1, 80),
        NameTypeSharePassword => (0, 8),
        _ => (0, 0),
    };
}
