using System.Globalization;
using FastSmb.Datapath.Sessions.Status;

namespace FastSmb.Cli;

/// <summary>`fastsmb status` as text: one table per section, in smbstatus's order and spirit. Stateless.</summary>
internal static class StatusTables
{
    public static void Write(TextWriter o, ServerStatus s, bool sessions, bool shares, bool locks)
    {
        o.WriteLine($"FastSmb status at {Time(s.TakenAtUtc)}");
        if (s.SessionsNotReached > 0)
            o.WriteLine($"({s.SessionsNotReached} session(s) closing or busy were not reached)");
        if (sessions)
        {
            o.WriteLine();
            Table(o, ["SessionId", "User", "Client", "Dialect", "Signing", "Encryption", "Channels", "State", "Since"],
                s.Sessions.Select(x => new[]
                {
                    Hex(x.SessionId), User(x.Domain, x.User, x.Guest, x.Anonymous), x.ClientAddress, x.Dialect,
                    x.Signing ?? "-", x.Encryption ?? "-", ChannelCount(x), x.State, Time(x.CreatedAtUtc),
                }));
        }
        if (shares)
        {
            o.WriteLine();
            Table(o, ["Share", "SessionId", "TreeId", "User", "Client", "Encrypted", "Connected at"],
                s.TreeConnects.Select(t => new[]
                {
                    t.Share, Hex(t.SessionId), t.TreeId.ToString(CultureInfo.InvariantCulture), t.User, t.ClientAddress,
                    t.Encrypted ? "yes" : "no", Time(t.ConnectedAtUtc),
                }));
        }
        if (locks)
        {
            var files = s.Opens.Where(x => !x.IsPipe).ToList();
            o.WriteLine();
            if (files.Count == 0) { o.WriteLine("No open files"); return; }
            o.WriteLine("Open files:");
            Table(o, ["SessionId", "User", "Share", "Path", "Access", "ShareMode", "Caching", "Durable", "State", "Opened at"],
                files.Select(x => new[]
                {
                    x.Disconnected ? "-" : Hex(x.SessionId), x.User, x.Share, x.Path.Length == 0 ? "\\" : x.Path,
                    "0x" + x.GrantedAccess.ToString("x8", CultureInfo.InvariantCulture), ShareMode(x.ShareAccess), x.Caching,
                    x.Persistent ? "persistent" : x.Durable ? "durable" : "-", OpenState(x), Time(x.OpenedAtUtc),
                }));
            var byteRanges = files.SelectMany(f => f.Locks.Select(l => (File: f, Lock: l))).ToList();
            if (byteRanges.Count == 0) return;
            o.WriteLine();
            o.WriteLine("Byte-range locks:");
            Table(o, ["Share", "Path", "Type", "Offset", "Length", "PersistentId"],
                byteRanges.Select(r => new[]
                {
                    r.File.Share, r.File.Path, r.Lock.Exclusive ? "WRITE" : "READ",
                    r.Lock.Offset.ToString(CultureInfo.InvariantCulture), r.Lock.Length.ToString(CultureInfo.InvariantCulture),
                    Hex(r.File.PersistentFileId),
                }));
        }
    }

    /// <summary>"connected", or for a disconnected durable open how long it is still kept for a reconnect.</summary>
    internal static string OpenState(OpenStatus x) => x.Disconnected
        ? $"disconnected, {(x.TimeLeftMs ?? 0) / 1000.0:0.0}s left"
        : "connected";

    /// <summary>FILE_SHARE_READ/WRITE/DELETE as R, W, D letters (smbstatus spells DENY_ modes; SMB2 has only these).</summary>
    internal static string ShareMode(uint shareAccess) =>
        ((shareAccess & 1) != 0 ? "R" : "-") + ((shareAccess & 2) != 0 ? "W" : "-") + ((shareAccess & 4) != 0 ? "D" : "-");

    private static string ChannelCount(SessionStatus x) => x.Channels.Count.ToString(CultureInfo.InvariantCulture);

    private static string User(string domain, string user, bool guest, bool anonymous) =>
        anonymous ? "(anonymous)" : (domain.Length > 0 ? domain + "\\" + user : user) + (guest ? " (guest)" : "");

    private static string Hex(ulong id) => "0x" + id.ToString("x", CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static void Table(TextWriter o, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        o.WriteLine(Line(headers, widths));
        o.WriteLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        foreach (var row in all) o.WriteLine(Line(row, widths));
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
