using System.Text.RegularExpressions;

namespace FastSmb.Interop.Tests.Support;

/// <summary>A share as a client listed it.</summary>
public sealed record ListedShare(string Name, string Type);

/// <summary>Reads what Samba 4.17's client tools print.</summary>
public static partial class SambaToolOutput
{
    /// <summary>
    /// The shares of `smbclient -L` (source3/client/client.c browse_fn prints "\t%-15s %-10s %s\n" under the
    /// "Sharename Type Comment" heading).
    /// </summary>
    public static IReadOnlyList<ListedShare> SmbclientShares(string stdout) =>
        SmbclientShareLine().Matches(stdout)
            .Select(m => new ListedShare(m.Groups["name"].Value, m.Groups["type"].Value))
            .Where(s => s.Name != "---------")
            .ToList();

    /// <summary>The share names of `rpcclient -c netshareenumall` ("netname: NAME" per share).</summary>
    public static IReadOnlyList<string> RpcclientNetNames(string stdout) =>
        RpcclientNetName().Matches(stdout).Select(m => m.Groups["name"].Value).ToList();

    [GeneratedRegex(@"^\t(?<name>\S.*?)\s+(?<type>Disk|IPC|Printer|Device)(?:\s|$)", RegexOptions.Multiline)]
    private static partial Regex SmbclientShareLine();

    [GeneratedRegex(@"^netname: (?<name>.+?)\r?$", RegexOptions.Multiline)]
    private static partial Regex RpcclientNetName();
}
