using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using FastSmb.Control.Accounts;
using FastSmb.Control.Admin;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.State;
using FastSmb.Control.Users;

namespace FastSmb.Cli;

/// <summary>
/// `fastsmb serve`: starts the server. With no options it prepares the embedded default under ./fastsmb-data
/// (smb.conf, one share, the directory store with one user), serves the admin socket, listens on 445 when it may and the port is free, otherwise on 4445, and prints
/// how to connect.
/// </summary>
public static class ServeCommand
{
    public const int PreferredPort = 445;
    public const int FallbackPort = 4445;

    public static Command Create(CliConsole console)
    {
        var dataDir = CommonOptions.DataDir();
        var config = new Option<string?>("--config") { Description = "Config file (default: DATA_DIR/smb.conf, created on first start)" };
        var port = new Option<int?>("--port") { Description = "TCP port (default: 445 if permitted and free, else 4445)" };
        var listen = new Option<string>("--listen") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var verbose = new Option<bool>("--verbose") { Description = "Log every connection" };
        var command = new Command("serve", "Run the SMB server") { dataDir, config, port, listen, verbose };
        command.SetAction((parse, cancel) => RunAsync(console, parse.GetValue(dataDir)!, parse.GetValue(config), parse.GetValue(port),
            parse.GetValue(listen)!, parse.GetValue(verbose), cancel));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string dataDir, string? configPath, int? port, string listen,
        bool verbose, CancellationToken cancel)
    {
        if (!IPAddress.TryParse(listen, out var address))
        {
            console.Error.WriteLine($"fastsmb: --listen '{listen}' is not an IP address");
            return 2;
        }
        EmbeddedDefault.Prepared prepared;
        try
        {
            prepared = EmbeddedDefault.Prepare(dataDir, configPath, Environment.GetEnvironmentVariable);
        }
        catch (Exception e) when (e is DirectoryLockedException or DirectoryFormatException or FileNotFoundException or ArgumentException)
        {
            console.Error.WriteLine($"fastsmb: {e.Message}");
            return 1;
        }
        using var directory = prepared.Directory;
        foreach (var n in prepared.Notes) console.Error.WriteLine($"fastsmb: {n}");
        var parsed = SmbConfParser.ParseFile(prepared.ConfigPath);
        foreach (var w in parsed.Warnings) console.Error.WriteLine($"fastsmb: warning: {w}");
        if (parsed.Config is null)
        {
            foreach (var e in parsed.Errors) console.Error.WriteLine($"fastsmb: error: {e}");
            return 1;
        }

        // FASTSMB_IO (uring|sockets) overrides "fastsmb io", so a test run can switch every server it starts.
        if (Environment.GetEnvironmentVariable("FASTSMB_IO") is { Length: > 0 } ioOverride)
        {
            var reparsed = SmbConfParser.Parse($"[global]\nfastsmb io = {ioOverride}\n");
            if (reparsed.Config is { } io) parsed = parsed with { Config = parsed.Config with { Global = parsed.Config.Global with { Io = io.Global.Io } } };
            else console.Error.WriteLine($"fastsmb: warning: FASTSMB_IO={ioOverride} ignored (uring or sockets)");
        }
        bool uring = parsed.Config!.Global.Io == FastSmb.Datapath.IoEngine.Uring;
        // before the first socket: the runtime reads the event-loop settings once. With io = uring the socket engine
        // only accepts, so one thread does; the core loops take "fastsmb cores".
        int loops = FastSmb.Datapath.EventLoops.Configure(uring ? 1 : parsed.Config.Global.Cores, Environment.GetEnvironmentVariable,
            Environment.SetEnvironmentVariable);
        if (verbose) console.Error.WriteLine(uring ? "fastsmb: io = uring (pinned core loops)" : $"fastsmb: {loops} network event loop(s)");
        var log = new ConsoleLog(console.Error, verbose);
        FastSmb.Datapath.State.IServerStateStore state;
        try
        {
            state = StateStoreFactory.Open(parsed.Config.Global, prepared.DataDir.StatePath, log.Notice);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StateStoreLockedException or StateStoreFormatException)
        {
            console.Error.WriteLine($"fastsmb: cannot open the state store {prepared.DataDir.StatePath}: {e.Message}");
            return 1;
        }
        // Disposed after the server (declared before it): a last checkpoint once no request can change state.
        await using var stateOwner = state;
        ServerHost host;
        try
        {
            host = StartOnPort(parsed.Config, directory, address, port, log, state);
        }
        catch (SocketException e)
        {
            console.Error.WriteLine($"fastsmb: cannot listen on {address}:{port}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is FastSmb.SmbDirect.Rdma.Verbs.RdmaUnavailableException or IOException)
        {
            console.Error.WriteLine($"fastsmb: cannot start SMB Direct (fastsmb rdma provider = {parsed.Config.Global.RdmaProvider.ToString().ToLowerInvariant()}): {e.Message}");
            return 1;
        }
        await using (host)
        {
            AdminSocketServer admin;
            try
            {
                var service = new AdminService(directory, prepared.ConfigPath, host.Reload,
                    ct => host.Sessions.SnapshotAsync(cancellationToken: ct));
                admin = AdminSocketServer.Start(prepared.DataDir.AdminSocketPath, service, parsed.Config.Global.AdminGroup, log);
            }
            catch (Exception e) when (e is ArgumentException or IOException or SocketException)
            {
                console.Error.WriteLine($"fastsmb: cannot open the admin socket {prepared.DataDir.AdminSocketPath}: {e.Message}");
                return 1;
            }
            await using (admin)
            {
                Banner.Print(console.Out, prepared, parsed.Config, host.Endpoints[0]);
                var stopped = new TaskCompletionSource();
                using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                    System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stopped.TrySetResult(); });
                using var sighup = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                    System.Runtime.InteropServices.PosixSignal.SIGHUP, ctx =>
                    {
                        // As smbd: SIGHUP re-reads the config file.
                        ctx.Cancel = true;
                        var r = admin.Reload();
                        console.Error.WriteLine($"fastsmb: SIGHUP: {r.Message}");
                    });
                using var reg = cancel.Register(() => stopped.TrySetResult());
                await stopped.Task;
                console.Error.WriteLine("fastsmb: stopping");
            }
        }
        // Shutdown order: admin socket (no new changes), SMB server (no new logons), then the state store (its last
        // checkpoint) and the directory store.
        return 0;
    }

    /// <summary>An explicit --port is used or fails; otherwise 445 is tried first, then 4445.</summary>
    private static ServerHost StartOnPort(ServerConfig config, IUserStore users, IPAddress address, int? port, ConsoleLog log,
        FastSmb.Datapath.State.IServerStateStore state)
    {
        if (port is int p)
            return ServerHost.Start(config, users, [new IPEndPoint(address, p)], log, state);
        try
        {
            return ServerHost.Start(config, users, [new IPEndPoint(address, PreferredPort)], log, state);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied or SocketError.AddressAlreadyInUse)
        {
            return ServerHost.Start(config, users, [new IPEndPoint(address, FallbackPort)], log, state);
        }
    }
}
