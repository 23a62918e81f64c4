namespace FastSmb.Interop.Tests.Support;

/// <summary>An SMB server the interop tests talk to: where it listens and the one account they log on with.</summary>
public sealed record ServerTarget(string Host, int Port, string User, string Password)
{
    /// <summary>Environment variable naming an already-running server instead of starting fastsmb: host:port:user:password.</summary>
    public const string EnvironmentVariable = "FASTSMB_TEST_TARGET";

    /// <summary>The share every server under test exports (FastSmb: DATA_DIR/share; the reference Samba: DIR/share).</summary>
    public const string ShareName = "share";

    /// <summary>user%password, as Samba's tools take it after -U.</summary>
    public string Credentials => $"{User}%{Password}";

    /// <summary>Parses host:port:user:password (the password may itself contain ':').</summary>
    public static bool TryParse(string? text, out ServerTarget target)
    {
        target = null!;
        var parts = text?.Split(':', 4);
        if (parts is not { Length: 4 } || parts[0].Length == 0 || parts[2].Length == 0
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }
        target = new ServerTarget(parts[0], port, parts[2], parts[3]);
        return true;
    }

    public override string ToString() => $"{Host}:{Port} as {User}";
}
