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
    private readonly ReloadableShareRegistry _shares;
    private ServerConfig _config;

    private ServerHost(SmbServer server, ReloadableShareRegistry shares, IReadOnlyList<IPEndPoint> endpoints, ServerConfig config)
    {
        _server = server;
        _shares = shares;
        Endpoints = endpoints;
        _config = config;
    }

    public IReadOnlyList<IPEndPoint> Endpoints { get; }
    public ServerConfig Config => Volatile.Read(ref _config);

    /// <summary>The live sessions, tree connects and opens (`fastsmb status`).</summary>
    public SessionRegistry Sessions => _server.Sessions;

    /// <summary>
    /// Applies a re-read configuration: the share set is swapped at once (connections and their trees stay);
    /// [global] changes take effect at the next start.
    /// </summary>
    public void Reload(ServerConfig config)
    {
        _shares.Replace(ConfiguredShares.From(config));
        Volatile.Write(ref _config, config);
    }

    /// <summary>Builds the server and binds every endpoint; throws <see cref="SocketException"/> if one cannot be bound.
    /// <paramref name="state"/> (the caller owns it, and disposes it after the server) holds the global state tables;
    /// null keeps them in memory.</summary>
    public static ServerHost Start(ServerConfig config, IUserStore users, IReadOnlyList<IPEndPoint> listen, ConsoleLog log,
        FastSmb.Datapath.State.IServerStateStore? state = null)
    {
        var shares = new ReloadableShareRegistry(ConfiguredShares.From(config));
        var limits = LimitsFrom(config.Global);
        if (state is not null) limits = limits with { StateStore = state };
        var server = CreateServer(config, users, log, log, limits, shares);
        var bound = new List<IPEndPoint>();
        try
        {
            foreach (var endPoint in listen)
            {
                var listener = TcpTransportListener.Bind(endPoint);
                bound.Add((IPEndPoint)listener.LocalEndPoint);
                server.Start(listener);
            }
            // SMB Direct, as "fastsmb rdma provider" says (RdmaListeners; docs/rdma.md).
            foreach (var rdma in RdmaListeners.Create(config.Global)) server.Start(rdma);
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return new ServerHost(server, shares, bound, config);
    }

    /// <summary>
    /// Wires control plane, dispatcher and server without any listener; callers attach listeners (TCP here,
    /// in-memory ones in the functional tests) with <see cref="SmbServer.Start"/>. Pass <paramref name="shares"/>
    /// to reload them later; <paramref name="users"/> answers "@group" in "valid users" when it is an
    /// <see cref="IGroupMembership"/>.
    /// </summary>
    public static SmbServer CreateServer(ServerConfig config, IUserStore users, IServerLog serverLog, IControlLog controlLog,
        DatapathOptions? limits = null, IShareRegistry? shares = null)
    {
        limits ??= new DatapathOptions();
        // Volumes are opened on first use and take the process-wide break timeout then.
        FastSmb.Fsa.ShareModeTable.DefaultBreakTimeout = config.Global.OplockBreakTimeout;
        FastSmb.Fsa.ShareModeTable.DirectoryLeases = config.Global.DirectoryLeases;
        return new SmbServer(CreateDispatcher(config, users, controlLog, limits, shares), limits, serverLog);
    }

    /// <summary>The data path's limits as the configuration sets them.</summary>
    public static DatapathOptions LimitsFrom(GlobalConfig g) => new()
    {
        MaxUnauthenticatedConnections = g.MaxUnauthenticatedConnections,
        UnauthenticatedTimeout = g.UnauthenticatedTimeout,
        Io = g.Io,
        Cores = g.Cores,
        BusyPoll = TimeSpan.FromTicks(g.BusyPollMicroseconds * TimeSpan.TicksPerMicrosecond),
    };

    /// <summary>The dispatcher with its control plane and no transport: what the server runs per message, and what
    /// the micro-benchmarks drive without sockets.</summary>
    public static Smb2Dispatcher CreateDispatcher(ServerConfig config, IUserStore users, IControlLog controlLog,
        DatapathOptions limits, IShareRegistry? shares = null)
    {
        var g = config.Global;
        shares ??= new StaticShareRegistry(ConfiguredShares.From(config));
        var groups = users as IGroupMembership ?? NoGroups.Instance;
        var names = new ServerIdentity(g.NetbiosName, g.Workgroup, g.DnsHostName, "");
        var security = new SpnegoSecurityContextFactory(users, names);
        var pipes = new NamedPipeHost(shares, new ServerInfo(g.NetbiosName, g.ServerString, Workgroup: g.Workgroup));
        var sessions = new SessionRegistry(limits.StateStore);
        var control = new ControlPlane(g, limits, security, shares, groups, pipes, sessions, controlLog,
            new Identity.UnixIdentityResolver(users));
        return new Smb2Dispatcher(control, sessions);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class NoGroups : IGroupMembership
    {
        public static readonly NoGroups Instance = new();
        public bool IsMember(string userName, string groupName) => false;
    }
}
