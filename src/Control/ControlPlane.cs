using FastSmb.Control.Auth;
using FastSmb.Control.Config;
using FastSmb.Control.Identity;
using FastSmb.Control.Shares;
using FastSmb.Control.Smb2;
using FastSmb.Datapath;
using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Identity;
using FastSmb.Datapath.Pipes;
using FastSmb.Datapath.Sessions;
using FastSmb.Protocol;

namespace FastSmb.Control;

/// <summary>The control plane as the data path sees it (<see cref="IControlPlane"/>). Thread-safe.</summary>
public sealed class ControlPlane : IControlPlane
{
    private readonly NegotiateHandler _negotiate;
    private readonly Net.NetworkInterfaceTable _interfaces;

    public ControlPlane(GlobalConfig config, DatapathOptions limits, ISecurityContextFactory security,
        IShareRegistry shares, IGroupMembership groups, INamedPipeHost pipes, SessionRegistry sessions, IControlLog log,
        UnixIdentityResolver? identities = null)
    {
        _negotiate = new NegotiateHandler(config, limits, security, () => AnyContinuouslyAvailable(shares));
        _interfaces = new Net.NetworkInterfaceTable(config.Interfaces);
        // Only a root server can run file calls as its users; otherwise every call is the server's own (said once).
        if (identities is not null && !ThreadCredentials.CanSwitch)
        {
            log.Notice($"not running as root (uid {ThreadCredentials.Server.Uid}): every file operation runs as this "
                + "user, whoever logs on; run as root for per-user file ownership and permissions");
            identities = null;
        }
        var sessionSetup = new SessionSetupHandler(config, security, sessions, log, limits.SessionLifetime, identities);
        // One volume per shared directory for the life of the server: every tree connect's opens meet in it.
        var volumes = new Fsa.FsaVolumeRegistry(limits.WrapVolume);
        var tree = new TreeConnectHandler(shares, groups, volumes, identities, log);
        // Persistent opens of continuously available shares come back from the state store before any client does.
        State.PersistentOpenRecovery.Run(shares, volumes, sessions.Durable, log);
        Negotiate = _negotiate.Handle;
        SessionSetup = sessionSetup.Handle;
        Logoff = sessionSetup.HandleLogoff;
        TreeConnect = tree.Handle;
        TreeDisconnect = tree.HandleDisconnect;
        Pipes = pipes;
    }

    private static bool AnyContinuouslyAvailable(IShareRegistry shares)
    {
        foreach (var share in shares.All)
            if (share.ContinuouslyAvailable) return true;
        return false;
    }

    public Smb2CommandHandler Negotiate { get; }
    public Smb2CommandHandler SessionSetup { get; }
    public Smb2CommandHandler Logoff { get; }
    public Smb2CommandHandler TreeConnect { get; }
    public Smb2CommandHandler TreeDisconnect { get; }
    public INamedPipeHost Pipes { get; }

    public IReadOnlyList<Protocol.Smb2.Commands.NetworkInterfaceEntry> QueryNetworkInterfaces() => _interfaces.Query();

    public NtStatus NegotiateFromSmb1(Smb2Connection connection, bool wildcard, ResponseBuffer response) =>
        _negotiate.HandleSmb1(connection, wildcard, response);
}
