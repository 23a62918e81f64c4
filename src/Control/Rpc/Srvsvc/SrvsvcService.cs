using FastSmb.Control.Shares;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// [MS-SRVS] srvsvc, interface 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0: the calls `smbclient -L`,
/// `rpcclient srvinfo/netshareenumall/netsharegetinfo`, impacket's listShares, Windows' "net view" and
/// smbtorture's rpc.srvsvc make. One file per concern: shares (SrvsvcService.Shares.cs), the server itself
/// (SrvsvcService.Server.cs), sessions, connections and open files (SrvsvcService.Sessions.cs).
/// Reads the share registry on every call, so a reload shows at once. Stateless; thread-safe.
/// </summary>
public sealed partial class SrvsvcService : IRpcInterface
{
    public static readonly RpcSyntaxId InterfaceId = new(new Guid("4b324fc8-1670-01d3-1278-5a47bf6ee188"), 3, 0);

    /// <summary>Opnums ([MS-SRVS] 3.1.4, Table of methods).</summary>
    public const ushort OpNetrCharDevEnum = 0, OpNetrCharDevQEnum = 3, OpNetrConnectionEnum = 8, OpNetrFileEnum = 9,
        OpNetrSessionEnum = 12, OpNetrShareEnum = 15, OpNetrShareGetInfo = 16, OpNetrShareCheck = 20,
        OpNetrServerGetInfo = 21, OpNetrServerDiskEnum = 23, OpNetrServerTransportEnum = 26, OpNetrRemoteTOD = 28,
        OpNetprNameValidate = 33, OpNetrShareEnumSticky = 36;

    private readonly IShareRegistry _shares;
    private readonly ServerInfo _server;
    private readonly TimeProvider _time;
    private readonly RpcOperationTable _ops;

    /// <param name="time">The clock NetrRemoteTOD reads (tests pass a fake one); the system clock by default.</param>
    public SrvsvcService(IShareRegistry shares, ServerInfo server, TimeProvider? time = null)
    {
        _shares = shares;
        _server = server;
        _time = time ?? TimeProvider.System;
        _ops = new RpcOperationTable()
            .Add(OpNetrCharDevEnum, NetrCharDevEnum)
            .Add(OpNetrCharDevQEnum, NetrCharDevQEnum)
            .Add(OpNetrConnectionEnum, NetrConnectionEnum)
            .Add(OpNetrFileEnum, NetrFileEnum)
            .Add(OpNetrSessionEnum, NetrSessionEnum)
            .Add(OpNetrShareEnum, NetrShareEnum)
            .Add(OpNetrShareGetInfo, NetrShareGetInfo)
            .Add(OpNetrShareCheck, NetrShareCheck)
            .Add(OpNetrServerGetInfo, NetrServerGetInfo)
            .Add(OpNetrServerDiskEnum, NetrServerDiskEnum)
            .Add(OpNetrServerTransportEnum, NetrServerTransportEnum)
            .Add(OpNetrRemoteTOD, NetrRemoteTOD)
            .Add(OpNetprNameValidate, NetprNameValidate)
            .Add(OpNetrShareEnumSticky, NetrShareEnumSticky);
    }

    public RpcSyntaxId Syntax => InterfaceId;

    public bool TryGetOperation(ushort opnum, out RpcOperation operation) => _ops.TryGet(opnum, out operation);

    /// <summary>[in, string, unique] SRVSVC_HANDLE ServerName: any value names this server, so it is read and dropped.</summary>
    private static bool TrySkipServerName(ref NdrReader r) => TryReadOptionalString(ref r, out _);

    /// <summary>An [in, string, unique] wchar_t* parameter: its referent follows the pointer at once (top level).</summary>
    private static bool TryReadOptionalString(ref NdrReader r, out string? value)
    {
        value = null;
        if (!r.TryReadPointer(out uint ptr)) return false;
        if (ptr == 0) return true;
        if (!r.TryReadConformantVaryingString(out var s)) return false;
        value = s;
        return true;
    }
}
