using FastSmb.Control.Shares;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// [MS-SRVS] srvsvc, interface 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0: the calls `smbclient -L`,
/// `rpcclient srvinfo/netshareenumall/netsharegetinfo`, impacket's listShares and Windows' "net view" make.
/// Reads the share registry on every call, so a reload shows at once. Stateless; thread-safe.
/// </summary>
public sealed class SrvsvcService : IRpcInterface
{
    public static readonly RpcSyntaxId InterfaceId = new(new Guid("4b324fc8-1670-01d3-1278-5a47bf6ee188"), 3, 0);

    public const ushort OpNetrShareEnum = 15, OpNetrShareGetInfo = 16, OpNetrServerGetInfo = 21;

    /// <summary>Win32 / NERR results ([MS-ERREF] 2.2) these calls return in their NET_API_STATUS.</summary>
    public const uint WerrOk = 0, WerrInvalidLevel = 0x7C, WerrMoreData = 0xEA, WerrNetNameNotFound = 0x906;

    private readonly IShareRegistry _shares;
    private readonly ServerInfo _server;
    private readonly RpcOperationTable _ops;

    public SrvsvcService(IShareRegistry shares, ServerInfo server)
    {
        _shares = shares;
        _server = server;
        _ops = new RpcOperationTable()
            .Add(OpNetrShareEnum, NetrShareEnum)
            .Add(OpNetrShareGetInfo, NetrShareGetInfo)
            .Add(OpNetrServerGetInfo, NetrServerGetInfo);
    }

    public RpcSyntaxId Syntax => InterfaceId;

    public bool TryGetOperation(ushort opnum, out RpcOperation operation) => _ops.TryGet(opnum, out operation);

    /// <summary>
    /// [MS-SRVS] 3.1.4.8 NetrShareEnum: ServerName, InfoStruct (level + container pointer), PreferedMaximumLength,
    /// ResumeHandle in; InfoStruct, TotalEntries, ResumeHandle, status out.
    /// </summary>
    private uint NetrShareEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r)) return RpcFaultStatus.BadStubData;
        // SHARE_ENUM_STRUCT: Level, then the union SHARE_ENUM_UNION switched on it (a non-encapsulated union
        // sends its discriminant again), whose arms are all unique pointers to a container.
        if (!r.TryReadUInt32(out uint level) || !r.TryReadUInt32(out uint discriminant) || discriminant != level
            || !r.TryReadPointer(out uint containerPtr)) return RpcFaultStatus.BadStubData;
        if (containerPtr != 0)
        {
            // Clients send an empty container; read whatever they sent to get past it.
            var ignored = new List<ShareInfo>();
            if (!ShareInfoCodec.TryReadContainer(ref r, level, ignored) || !r.TryReadDeferred()) return RpcFaultStatus.BadStubData;
        }
        if (!r.TryReadUInt32(out uint preferredMaximumLength) || !r.TryReadPointer(out uint resumePtr))
            return RpcFaultStatus.BadStubData;
        uint resume = 0;
        if (resumePtr != 0 && !r.TryReadUInt32(out resume)) return RpcFaultStatus.BadStubData;

        // "browseable = no" hides a share from enumeration only (Samba's lp_browseable); GetInfo still finds it.
        var all = _shares.All.Where(s => s.Browseable).ToArray();
        var entries = new List<ShareInfo>();
        uint status = WerrOk, nextResume = 0;
        if (!ShareInfoCodec.IsSupportedLevel(level))
        {
            status = WerrInvalidLevel;
        }
        else
        {
            // [MS-SRVS] 3.1.4.8: ResumeHandle is where the previous call stopped; PreferedMaximumLength bounds
            // the reply (0xFFFFFFFF: no bound), and at least one entry is returned per call.
            int budget = preferredMaximumLength == uint.MaxValue ? int.MaxValue : (int)Math.Min(preferredMaximumLength, int.MaxValue);
            int used = 0;
            for (int i = (int)Math.Min(resume, (uint)all.Length); i < all.Length; i++)
            {
                var info = ShareInfo.From(all[i]);
                int size = EstimateSize(level, info);
                if (entries.Count > 0 && used + size > budget)
                {
                    status = WerrMoreData;
                    nextResume = (uint)i;
                    break;
                }
                used += size;
                entries.Add(info);
            }
        }

        w.WriteUInt32(level);
        w.WriteUnionDiscriminant(level);
        if (status == WerrInvalidLevel) w.WritePointer(isNull: true);
        else w.WriteUniquePointer(false, c => ShareInfoCodec.WriteContainer(c, level, entries));
        w.FlushDeferred();
        w.WriteUInt32((uint)all.Length); // TotalEntries
        // [in, out, unique] ResumeHandle comes back only if the client sent one.
        if (w.WritePointer(resumePtr == 0) != 0) w.WriteUInt32(nextResume);
        w.WriteUInt32(status);
        return 0;
    }

    /// <summary>[MS-SRVS] 3.1.4.10 NetrShareGetInfo: ServerName, NetName ([ref, string]), Level in; InfoStruct, status out.</summary>
    private uint NetrShareGetInfo(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !r.TryReadConformantVaryingString(out var netName) || !r.TryReadUInt32(out uint level))
            return RpcFaultStatus.BadStubData;

        uint status = WerrOk;
        ShareInfo? info = null;
        if (!ShareInfoCodec.IsSupportedLevel(level)) status = WerrInvalidLevel;
        else if (!_shares.TryGet(netName, out var share)) status = WerrNetNameNotFound;
        else info = ShareInfo.From(share);

        // SHARE_INFO union switched on Level; every arm is a unique pointer to one SHARE_INFO_n.
        w.WriteUnionDiscriminant(level);
        w.WriteUniquePointer(info is null, s => ShareInfoCodec.Write(s, level, info!));
        w.FlushDeferred();
        w.WriteUInt32(status);
        return 0;
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.17 NetrServerGetInfo levels 100 and 101 (2.2.4.40 SERVER_INFO_100, 2.2.4.41 SERVER_INFO_101).
    /// </summary>
    private uint NetrServerGetInfo(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !r.TryReadUInt32(out uint level)) return RpcFaultStatus.BadStubData;

        bool known = level is 100 or 101;
        w.WriteUnionDiscriminant(level);
        w.WriteUniquePointer(!known, s =>
        {
            s.WriteUInt32(ServerInfo.PlatformIdNt);
            s.WriteUniqueString(_server.NetBiosName);
            if (level == 100) return;
            s.WriteUInt32(_server.VersionMajor);
            s.WriteUInt32(_server.VersionMinor);
            s.WriteUInt32(_server.ServerType);
            s.WriteUniqueString(_server.Comment);
        });
        w.FlushDeferred();
        w.WriteUInt32(known ? WerrOk : WerrInvalidLevel);
        return 0;
    }

    /// <summary>[in, string, unique] SRVSVC_HANDLE ServerName: any value names this server, so it is read and dropped.</summary>
    private static bool TrySkipServerName(ref NdrReader r)
    {
        if (!r.TryReadPointer(out uint ptr)) return false;
        return ptr == 0 || r.TryReadConformantVaryingString(out _);
    }

    /// <summary>Roughly what one entry costs on the wire, to honor PreferedMaximumLength.</summary>
    private static int EstimateSize(uint level, ShareInfo s)
    {
        static int Str(string? v) => v is null ? 0 : 12 + 2 * (v.Length + 1) + 3;
        int size = 4 + Str(s.NetName);
        if (level >= 1) size += 8 + Str(s.Remark);
        if (level >= 2) size += 20 + Str(s.Path) + Str(s.Password);
        if (level == 502) size += 8;
        return size;
    }
}
