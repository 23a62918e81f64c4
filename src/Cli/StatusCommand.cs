using System.CommandLine;
using System.Text.Json;
using FastSmb.Control.Admin;
using FastSmb.Control.Hosting;
using FastSmb.Datapath.Sessions.Status;

namespace FastSmb.Cli;

/// <summary>
/// `fastsmb status`: the running server's sessions, tree connects and opens, as Samba's smbstatus shows them
/// (docs/operations.md). Live state only, so only over the admin socket: with no server running there is nothing to show.
/// </summary>
public static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var sessions = new Option<bool>("--sessions", "-p") { Description = "Show sessions only (smbstatus -p)" };
        var shares = new Option<bool>("--shares", "-S") { Description = "Show tree connects only (smbstatus -S)" };
        var locks = new Option<bool>("--locks", "-L") { Description = "Show open files and byte-range locks only (smbstatus -L)" };
        var json = new Option<bool>("--json") { Description = "The whole snapshot as JSON (for scripts)" };
        var dataDir = CommonOptions.DataDir();
        var status = new Command("status", "Show the running server's sessions, tree connects and open files")
        {
            sessions, shares, locks, json, dataDir,
        };
        status.SetAction(parse =>
        {
            var snapshot = Fetch(console, parse.GetValue(dataDir)!);
            if (snapshot is null) return 1;
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(snapshot, IndentedJson.ServerStatus));
                return 0;
            }
            bool all = !parse.GetValue(sessions) && !parse.GetValue(shares) && !parse.GetValue(locks);
            StatusTables.Write(console.Out, snapshot, all || parse.GetValue(sessions), all || parse.GetValue(shares),
                all || parse.GetValue(locks));
            return 0;
        });
        return status;
    }

    private static readonly AdminJson IndentedJson = new(new JsonSerializerOptions(AdminJson.Default.Options) { WriteIndented = true });

    /// <summary>The snapshot from the server, or null after saying on stderr why there is none.</summary>
    private static ServerStatus? Fetch(CliConsole console, string dataDirPath)
    {
        var dir = DataDir.At(dataDirPath);
        switch (AdminClient.Send(dir.AdminSocketPath, new AdminRequest(AdminCommands.Status), out var response))
        {
            case AdminClient.Outcome.NoServer:
                console.Error.WriteLine($"fastsmb: no server is running on {dir.Root} (its admin socket {dir.AdminSocketPath} does not answer)");
                return null;
            case AdminClient.Outcome.PermissionDenied:
                console.Error.WriteLine($"fastsmb: permission denied on {dir.AdminSocketPath}: the admin socket is for root and the \"admin group\"");
                return null;
        }
        if (response is not { Ok: true, Status: { } snapshot })
        {
            console.Error.WriteLine($"fastsmb: {(response is { Ok: false } ? response.Message : "the server's reply has no status")}");
            return null;
        }
        return snapshot;
    }
}
