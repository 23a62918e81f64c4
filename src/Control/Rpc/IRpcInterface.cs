using FastSmb.Datapath.Pipes;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc;

/// <summary>
/// One call's server routine: unmarshals <paramref name="stub"/> (NDR, [C706] 14), marshals [out] parameters
/// and the return value into <paramref name="response"/>, and returns 0, or a fault status
/// (<see cref="RpcFaultStatus"/>; nca_s_fault_ndr when the stub does not unmarshal) that the pipe sends instead.
/// Must not throw on bad input.
/// </summary>
public delegate uint RpcOperation(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter response);

/// <summary>What a server routine knows about its call.</summary>
public sealed record RpcCallContext(PipeCaller Caller, string Endpoint, uint CallId, ushort ContextId, ushort Opnum);

/// <summary>
/// A DCERPC interface a pipe can bind to: its abstract syntax (UUID and version) and its opnum dispatch table.
/// Implementations are shared by every pipe instance and must be thread-safe.
/// </summary>
public interface IRpcInterface
{
    RpcSyntaxId Syntax { get; }

    /// <summary>The routine for <paramref name="opnum"/>; false gives the client nca_s_op_rng_error.</summary>
    bool TryGetOperation(ushort opnum, out RpcOperation operation);
}

/// <summary>An opnum → routine table for <see cref="IRpcInterface"/> implementations. Built once, then read-only.</summary>
public sealed class RpcOperationTable
{
    private RpcOperation?[] _ops = [];

    public RpcOperationTable Add(ushort opnum, RpcOperation operation)
    {
        if (opnum >= _ops.Length) Array.Resize(ref _ops, opnum + 1);
        _ops[opnum] = operation;
        return this;
    }

    public bool TryGet(ushort opnum, out RpcOperation operation)
    {
        operation = null!;
        if (opnum >= _ops.Length || _ops[opnum] is not { } op) return false;
        operation = op;
        return true;
    }
}

/// <summary>
/// The interfaces reachable through one endpoint (a named pipe). Lookup follows [C706] 12.6.3.1 version
/// rules: same UUID and major version, client minor version not above the server's.
/// Filled at start-up, read-only afterwards, so shared by all pipes without locks.
/// </summary>
public sealed class RpcInterfaceRegistry
{
    private readonly List<IRpcInterface> _interfaces = [];

    public RpcInterfaceRegistry Register(IRpcInterface rpcInterface)
    {
        _interfaces.Add(rpcInterface);
        return this;
    }

    public bool TryFind(RpcSyntaxId abstractSyntax, out IRpcInterface rpcInterface)
    {
        foreach (var i in _interfaces)
        {
            var s = i.Syntax;
            if (s.Uuid == abstractSyntax.Uuid && s.MajorVersion == abstractSyntax.MajorVersion
                && abstractSyntax.MinorVersion <= s.MinorVersion)
            {
                rpcInterface = i;
                return true;
            }
        }
        rpcInterface = null!;
        return false;
    }
}
