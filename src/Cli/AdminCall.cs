using FastSmb.Control.Accounts;
using FastSmb.Control.Admin;
using FastSmb.Control.Hosting;

namespace FastSmb.Cli;

/// <summary>
/// How every admin command reaches the data: through the running server's admin socket when it answers, else by
/// opening the directory store and the config file directly (the same <see cref="AdminService"/> code runs
/// in-process). A server that is running but refuses us (socket permissions) is an error, not a fallback: it
/// holds the store.
/// </summary>
internal static class AdminCall
{
    public static AdminResponse? Run(CliConsole console, string dataDir, string? configPath, AdminRequest request)
    {
        var dir = DataDir.At(dataDir);
        switch (AdminClient.Send(dir.AdminSocketPath, request, out var response))
        {
            case AdminClient.Outcome.Answered:
                return response;
            case AdminClient.Outcome.PermissionDenied:
                console.Error.WriteLine($"fastsmb: permission denied on {dir.AdminSocketPath}: the admin socket is for root and the \"admin group\"");
                return null;
        }
        if (!Directory.Exists(dir.Root))
        {
            console.Error.WriteLine($"fastsmb: no data dir {dir.Root} (start `fastsmb serve --data-dir {dataDir}` once, or pass --data-dir)");
            return null;
        }
        try
        {
            using var directory = DirectoryStore.Open(dir.DirectoryPath);
            var notes = new List<string>();
            EmbeddedDefault.ImportLegacyUsers(dir, directory, notes);
            foreach (var n in notes) console.Error.WriteLine($"fastsmb: {n}");
            return new AdminService(directory, dir.ResolveConfig(configPath, out _)).Execute(request);
        }
        catch (DirectoryLockedException e)
        {
            console.Error.WriteLine($"fastsmb: {e.Message}; its admin socket {dir.AdminSocketPath} does not answer");
            return null;
        }
        catch (DirectoryFormatException e)
        {
            console.Error.WriteLine($"fastsmb: {e.Message}");
            return null;
        }
    }

    /// <summary>Prints the message (stdout on success, stderr on failure); the exit code.</summary>
    public static int Report(CliConsole console, AdminResponse? response)
    {
        if (response is null) return 1;
        if (!response.Ok)
        {
            console.Error.WriteLine($"fastsmb: {response.Message}");
            return 1;
        }
        if (response.Message.Length > 0) console.Out.WriteLine(response.Message);
        return 0;
    }
}
