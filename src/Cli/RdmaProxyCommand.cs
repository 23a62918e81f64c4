using System.CommandLine;
using FastSmb.Control.Hosting;
using FastSmb.SmbDirect.Rdma;
using FastSmb.SmbDirect.Rdma.Soft;
using FastSmb.SmbDirect.Rdma.Verbs;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Datapath.SmbDirect.Proxy;
using FastSmb.SmbDirect;

namespace FastSmb.Cli;

/// <summary>
/// `fastsmb rdma-proxy`: the daemon that owns the RDMA provider and every SMB Direct connection, and hands each one to
/// the file server (`fastsmb rdma provider = proxy`) over its hand-off socket (see <see cref="RdmaProxy"/>, docs/rdma.md).
/// </summary>
public static class RdmaProxyCommand
{
    public static Command Create(CliConsole console)
    {
        var provider = new Option<string>("--provider") { Description = "RDMA provider: soft or verbs", DefaultValueFactory = _ => "verbs" };
        var listen = new Option<string?>("--listen") { Description = "SMB Direct listen address: soft: a Unix socket path; verbs: ip:port (default 0.0.0.0:5445)" };
        var server = new Option<string>("--server") { Description = "The server's hand-off socket", DefaultValueFactory = _ => RdmaListeners.DefaultProxySocket };
        var command = new Command("rdma-proxy", "Own the RDMA provider and hand SMB Direct connections to the server") { provider, listen, server };
        command.SetAction((parse, cancel) => RunAsync(console, parse.GetValue(provider)!, parse.GetValue(listen), parse.GetValue(server)!, cancel));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, string providerName, string? listen, string server, CancellationToken cancel)
    {
        IRdmaProvider provider;
        try
        {
            provider = providerName switch
            {
                "soft" => new SoftRdmaProvider(),
                "verbs" => new VerbsRdmaProvider(),
                _ => throw new ArgumentException($"--provider '{providerName}': soft or verbs"),
            };
        }
        catch (Exception e) when (e is RdmaUnavailableException or ArgumentException)
        {
            console.Error.WriteLine($"fastsmb rdma-proxy: {e.Message}");
            return 1;
        }
        listen ??= providerName == "soft" ? RdmaListeners.DefaultSoftSocket : "0.0.0.0:5445";
        var proxy = new RdmaProxy(provider, listen, server, new SmbDirectOptions(), m => console.Error.WriteLine(m));
        var stopped = new CancellationTokenSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stopped.Cancel(); });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, stopped.Token);
        console.Error.WriteLine($"fastsmb rdma-proxy: provider {provider.Name}, SMB Direct at {listen}, server hand-off socket {server}");
        try
        {
            await proxy.RunAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e)
        {
            console.Error.WriteLine($"fastsmb rdma-proxy: {e.Message}");
            return 1;
        }
        console.Error.WriteLine($"fastsmb rdma-proxy: stopping ({proxy.HandedOver} connection(s) handed over)");
        return 0;
    }
}
