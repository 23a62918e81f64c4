using System.Net;
using System.Net.Sockets;
using FastSmb.Control.Auth;
using FastSmb.Control.Config;
using FastSmb.Control.Rpc;
using FastSmb.Control.Shares;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Datapath.Transport.Tcp;
using FastSmb.Protocol.Security;

namespace FastSmb.Control.Hosting;

/// <summary>
/// A running server: the control plane, the dispatcher and the listeners, built from a configuration and a user
/// store. `fastsmb serve` and the functional tests both start servers through it.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly SmbServer _server;

    private ServerHost(SmbServer server, IReadOnlyList<IPEndPoint> endpoints, ServerConfig config)
    {
        _server = server;
        Endpoints = endpoints;
        Config = config;
    }

    public IReadOnlyList<IPEndPoint> Endpoints { get; }
    public ServerConfig Config { get; }

    /// <summary>Builds the server and binds every endpoint; throws <see cref="SocketException"/> if one cannot be bound.</summary>
    public static ServerHost Start(ServerConfig config, IUserStore users, IReadOnlyList<IPEndPoint> listen, ConsoleLog log)
    {
        var server = CreateServer(config, users, log, log);
        var bound = new List<IPEndPoint>();
        try
        {
            foreach (var endPoint in listen)
            {
                var listener = TcpTransportListener.Bind(endPoint);
                bound.Add((IPEndPoint)listener.LocalEndPoint);
                server.Start(listener);
            }
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return new ServerHost(server, bound, config);
    }

    /// <summary>
    /// Wires control plane, dispatcher and server without any listener; callers attach listeners (TCP here,
    /// in-memory ones in the functional tests) with <see cref="SmbServer.Start"/>.
    /// </summary>
    public static SmbServer CreateServer(ServerConfig config, IUserStore users, IServerLog serverLog, IControlLog controlLog,
        DatapathOptions? limits = null)
    {
        limits ??= new DatapathOptions();
        var g = config.Global;
        var shares = new StaticShareRegistry(ConfiguredShares.From(config));
        var names = new ServerIdentity(g.NetbiosName, g.Workgroup, g.DnsHostName, "");
        var security = new SpnegoSecurityContextFactory(users, names);
        var pipes = new NamedPipeHost(shares, new ServerInfo(g.NetbiosName, g.ServerString, Workgroup: g.Workgroup));
        var sessions = new SessionRegistry();
        var control = new ControlPlane(g, limits, security, shares, pipes, sessions, controlLog);
        return new SmbServer(new Smb2Dispatcher(control, sessions), limits, serverLog);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
