using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Control.Rpc.Wkssvc;
using FastSmb.Control.Shares;
using FastSmb.Datapath.Pipes;
using FastSmb.Protocol;

namespace FastSmb.Control.Rpc;

/// <summary>
/// The DCERPC endpoints behind \PIPE\name on IPC$. Knows "srvsvc" and "wkssvc" out of the box; later services add their
/// pipe with <see cref="AddPipe"/> at start-up. Thread-safe once configured: <see cref="Open"/> only reads.
/// </summary>
public sealed class NamedPipeHost : INamedPipeHost
{
    private readonly Dictionary<string, RpcInterfaceRegistry> _pipes = new(StringComparer.OrdinalIgnoreCase);
    private int _nextAssocGroup = 0x5c00;

    public NamedPipeHost(IShareRegistry shares, ServerInfo server)
    {
        AddPipe("srvsvc", new RpcInterfaceRegistry().Register(new SrvsvcService(shares, server)));
        AddPipe("wkssvc", new RpcInterfaceRegistry().Register(new WkssvcService(server)));
    }

    /// <summary>Makes <paramref name="name"/> (without "\PIPE\") an endpoint serving <paramref name="interfaces"/>. Start-up only.</summary>
    public NamedPipeHost AddPipe(string name, RpcInterfaceRegistry interfaces)
    {
        _pipes[name] = interfaces;
        return this;
    }

    public NtStatus Open(string pipeName, PipeCaller caller, out INamedPipe? pipe)
    {
        pipe = null;
        var name = Normalize(pipeName);
        if (!_pipes.TryGetValue(name, out var interfaces)) return NtStatus.ObjectNameNotFound;
        // bind_ack secondary address ([C706] 12.6.4.4 port_any_t): Windows answers "\PIPE\name".
        pipe = new RpcPipe(@"\PIPE\" + name, interfaces, caller, () => (uint)Interlocked.Increment(ref _nextAssocGroup));
        return NtStatus.Success;
    }

    /// <summary>"srvsvc", "\srvsvc", "\PIPE\srvsvc" and "PIPE\srvsvc" all name the same pipe.</summary>
    public static string Normalize(string pipeName)
    {
        var name = pipeName.AsSpan().TrimStart('\\');
        if (name.StartsWith(@"PIPE\", StringComparison.OrdinalIgnoreCase)) name = name[5..].TrimStart('\\');
        return name.ToString();
    }
}
