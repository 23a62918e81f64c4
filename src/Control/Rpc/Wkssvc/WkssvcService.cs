using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc.Wkssvc;

/// <summary>
/// [MS-WKST] wkssvc, interface 6bffd098-a112-3610-9833-46c3f87e345a v1.0 on \PIPE\wkssvc: NetrWkstaGetInfo, which
/// `rpcclient wkssvc_wkstagetinfo`, `net rpc` and Windows' NetWkstaGetInfo call to learn a machine's name and
/// workgroup. Other opnums get nca_s_op_rng_error from the pipe. Stateless; thread-safe.
/// </summary>
public sealed class WkssvcService : IRpcInterface
{
    public static readonly RpcSyntaxId InterfaceId = new(new Guid("6bffd098-a112-3610-9833-46c3f87e345a"), 1, 0);

    public const ushort OpNetrWkstaGetInfo = 0;

    private readonly ServerInfo _server;
    private readonly RpcOperationTable _ops;

    public WkssvcService(ServerInfo server)
    {
        _server = server;
        _ops = new RpcOperationTable().Add(OpNetrWkstaGetInfo, NetrWkstaGetInfo);
    }

    public RpcSyntaxId Syntax => InterfaceId;

    public bool TryGetOperation(ushort opnum, out RpcOperation operation) => _ops.TryGet(opnum, out operation);

    /// <summary>Levels NetrWkstaGetInfo serves ([MS-WKST] 3.2.4.1: anything else is ERROR_INVALID_LEVEL).</summary>
    public static bool IsServedLevel(uint level) => level is 100 or 101 or 102 or 502;

    /// <summary>The cases of the WKSTA_INFO union as Samba's wkssvc.idl declares them; any other level is the empty default arm.</summary>
    public static bool IsUnionArm(uint level) => level switch
    {
        100 or 101 or 102 or 502 or 1010 or 1011 or 1012 or 1013 or 1018 or 1023 or 1027 or 1028 or 1032 or 1033 => true,
        >= 1041 and <= 1062 => true,
        _ => false,
    };

    /// <summary>
    /// [MS-WKST] 3.2.4.1 NetrWkstaGetInfo: ServerName ([in, string, unique]), Level in; WkstaInfo (a WKSTA_INFO
    /// union of unique pointers, 2.2.4.1) and the status out.
    /// </summary>
    private uint NetrWkstaGetInfo(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!r.TryReadPointer(out uint serverPtr) || (serverPtr != 0 && !r.TryReadConformantVaryingString(out _))
            || !r.TryReadUInt32(out uint level))
            return RpcFaultStatus.BadStubData;

        bool served = IsServedLevel(level);
        w.WriteUnionDiscriminant(level);
        if (IsUnionArm(level)) w.WriteUniquePointer(!served, s => WkstaInfoCodec.Write(s, level, _server));
        w.FlushDeferred();
        w.WriteUInt32(served ? Win32Error.Success : Win32Error.InvalidLevel);
        return 0;
    }
}

/// <summary>WKSTA_INFO_100, _101, _102 ([MS-WKST] 2.2.5.1-3) and _502 (2.2.5.4).</summary>
public static class WkstaInfoCodec
{
    /// <summary>
    /// wki101_lanroot: the LAN Manager root directory. This server has none; Windows reports an empty string
    /// rather than NULL, which clients print.
    /// </summary>
    public const string LanRoot = "";

    /// <summary>The flat part of WKSTA_INFO_level; strings are queued as referents.</summary>
    public static void Write(NdrWriter w, uint level, ServerInfo server)
    {
        if (level == 502)
        {
            WriteInfo502(w);
            return;
        }
        w.WriteUInt32(ServerInfo.PlatformIdNt);
        w.WriteUniqueString(server.NetBiosName); // wki100_computername
        w.WriteUniqueString(server.Workgroup);   // wki100_langroup
        w.WriteUInt32(server.VersionMajor);
        w.WriteUInt32(server.VersionMinor);
        if (level == 100) return;
        w.WriteUniqueString(LanRoot);
        if (level == 101) return;
        // wki102_logged_on_users: users logged on interactively at this machine. A file server daemon has none.
        w.WriteUInt32(0);
    }

    /// <summary>
    /// WKSTA_INFO_502: the SMB redirector's tuning, a client-side concept (this machine runs no redirector).
    /// Nothing here configures anything: the values are LAN Manager-era defaults, there so tools show plausible
    /// figures rather than zeros.
    /// </summary>
    private static void WriteInfo502(NdrWriter w)
    {
        ReadOnlySpan<uint> values =
        [
            3600, 250, 16, 600, 50, 60, 512, 17, // char_wait … max_threads
            6144, 10, 500, 10, 500, 40, 1, 0xFFFFFFFF, // lock_quota … read_ahead_throughput
            3, 20, 5, 3600, // num_mailslot_buffers … dgram_event_reset_freq
            0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, // log_election_packets … use_512_byte_max_transfer
        ];
        foreach (uint v in values) w.WriteUInt32(v);
    }
}
