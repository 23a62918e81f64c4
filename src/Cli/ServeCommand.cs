using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;

namespace FastSmb.Cli;

/// <summary>
/// `fastsmb serve`: starts the server. With no options it prepares the embedded default under ./fastsmb-data
/// (config, one share, one user), listens on 445 when it may and the port is free, otherwise on 4445, and prints
/// how to connect.
/// </summary>
public static class ServeCommand
{
    public const int PreferredPort = 445;
    public const int FallbackPort = 4445;

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory (config, users, default share)", DefaultValueFactory = _ => "fastsmb-data" };
        var port = new Option<int?>("--port") { Description = "TCP port (default: 445 if permitted and free, else 4445)" };
        var listen = new Option<string>("--listen") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var verbose = new Option<bool>("--verbose") { Description = "Log every connection" };
        var command = new Command("serve", "Run the SMB server") { dataDir, port, listen, verbose };
        command.SetAction((parse, cancel) => RunAsync(parse.GetValue(dataDir)!, parse.GetValue(port),
            parse.GetValue(listen)!, parse.GetValue(verbose), cancel));
        return command;
    }

    private static async Task<int> RunAsync(string dataDir, int? port, string listen, bool verbose, CancellationToken cancel)
    {
        if (!IPAddress.TryParse(listen, out var address))
        {
            Console.Error.WriteLine($"fastsmb: --listen '{listen}' is not an IP address");
            return 2;
        }
        var prepared = EmbeddedDefault.Prepare(dataDir, Environment.GetEnvironmentVariable);
        var parsed = SmbConfParser.Parse(File.ReadAllText(prepared.ConfigPath));
        if (parsed.Config is null)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"fastsmb: {prepared.ConfigPath}: {e}");
            return 1;
        }
        foreach (var i in parsed.Ignored) Console.Error.WriteLine($"fastsmb: {prepared.ConfigPath}: not understood, ignored: {i}");

        var log = new ConsoleLog(Console.Error, verbose);
        ServerHost host;
        try
        {
            host = StartOnPort(parsed.Config, prepared, address, port, log);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"fastsmb: cannot listen on {address}:{port}: {e.Message}");
            return 1;
        }
        await using (host)
        {
            Banner.Print(Console.Out, prepared, parsed.Config, host.Endpoints[0]);
            var stopped = new TaskCompletionSource();
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stopped.TrySetResult(); });
            using var reg = cancel.Register(() => stopped.TrySetResult());
            await stopped.Task;
            Console.Error.WriteLine("fastsmb: stopping");
        }
        return 0;
    }

    /// <summary>An explicit --port is used or fails; otherwise 445 is tried first, then 4445.</summary>
    private static ServerHost StartOnPort(ServerConfig config, EmbeddedDefault.Prepared prepared, IPAddress address,
        int? port, ConsoleLog log)
    {
        if (port is int p)
            return ServerHost.Start(config, prepared.Users, [new IPEndPoint(address, p)], log);
        try
        {
            return ServerHost.Start(config, prepared.Users, [new IPEndPoint(address, PreferredPort)], log);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied or SocketError.AddressAlreadyInUse)
        {
            return ServerHost.Start(config, prepared.Users, [new IPEndPoint(address, FallbackPort)], log);
        }
    }
}
