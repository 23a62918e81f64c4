using FastSmb.Control.Shares;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>The share calls: NetrShareEnum, NetrShareEnumSticky, NetrShareGetInfo, NetrShareCheck.</summary>
public sealed partial class SrvsvcService
{
    /// <summary>
    /// [MS-SRVS] 3.1.4.8 NetrShareEnum: ServerName, InfoStruct (level + container pointer), PreferedMaximumLength,
    /// ResumeHandle in; InfoStruct, TotalEntries, ResumeHandle, status out.
    /// </summary>
    private uint NetrShareEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w) =>
        ShareEnum(stub, call, w, sticky: false);

    /// <summary>
    /// [MS-SRVS] 3.1.4.9 NetrShareEnumSticky: NetrShareEnum's parameters, but only the shares kept in persistent
    /// configuration, so not IPC$, which the server creates itself; levels 0, 1, 2 and 502 (501 is
    /// ERROR_INVALID_LEVEL, as smbtorture's NetShareEnum test expects of Windows).
    /// </summary>
    private uint NetrShareEnumSticky(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w) =>
        ShareEnum(stub, call, w, sticky: true);

    /// <summary>
    /// Levels an anonymous (null session) caller may not read: 2 and 502 show local paths and 501 enumerated
    /// the caching flags; Windows answers ERROR_ACCESS_DENIED (smbtorture's rpc.srvsvc "anonymous access" table).
    /// NetrShareGetInfo still allows 501 to anyone.
    /// </summary>
    private static bool DeniedToAnonymous(RpcCallContext call, uint level, bool enumeration) =>
        call.Caller.IsAnonymous && (level is 2 or 502 || (enumeration && level == 501));

    private uint ShareEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w, bool sticky)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r)) return RpcFaultStatus.BadStubData;
        // SHARE_ENUM_STRUCT: Level, then the union SHARE_ENUM_UNION switched on it (a non-encapsulated union
        // sends its discriminant again), whose arms are all unique pointers to a container.
        if (!r.TryReadUInt32(out uint level) || !r.TryReadUInt32(out uint discriminant) || discriminant != level)
            return RpcFaultStatus.BadStubData;
        bool isArm = ShareInfoCodec.IsUnionArm(level);
        if (isArm)
        {
            if (!r.TryReadPointer(out uint containerPtr)) return RpcFaultStatus.BadStubData;
            // Clients send an empty container; read whatever they sent to get past it.
            var ignored = new List<ShareInfo>();
            if (containerPtr != 0 && (!ShareInfoCodec.TryReadContainer(ref r, level, ignored) || !r.TryReadDeferred()))
                return RpcFaultStatus.BadStubData;
        }
        if (!EnumStruct.TryReadTail(ref r, out uint preferredMaximumLength, out uint resumePtr, out uint resume))
            return RpcFaultStatus.BadStubData;

        // "browseable = no" hides a share from enumeration only (as Samba's lp_browseable); GetInfo still finds it.
        var all = _shares.All.Where(s => s.Browseable && !(sticky && s.IsIpc)).ToList();
        var entries = new List<ShareInfo>();
        uint status = Win32Error.Success, nextResume = 0;
        if (!(sticky ? ShareInfoCodec.IsStickyEnumLevel(level) : ShareInfoCodec.IsEnumLevel(level)))
        {
            status = Win32Error.InvalidLevel;
        }
        else if (DeniedToAnonymous(call, level, enumeration: true))
        {
            status = Win32Error.AccessDenied;
        }
        else
        {
            // [MS-SRVS] 3.1.4.8: ResumeHandle is where the previous call stopped; PreferedMaximumLength bounds
            // the reply (0xFFFFFFFF: no bound), and at least one entry is returned per call.
            int budget = preferredMaximumLength == uint.MaxValue ? int.MaxValue : (int)Math.Min(preferredMaximumLength, int.MaxValue);
            int used = 0;
            for (int i = (int)Math.Min(resume, (uint)all.Count); i < all.Count; i++)
            {
                var info = ShareInfo.From(all[i]);
                int size = EstimateSize(level, info);
                if (entries.Count > 0 && used + size > budget)
                {
                    status = Win32Error.MoreData;
                    nextResume = (uint)i;
                    break;
                }
                used += size;
                entries.Add(info);
            }
        }

        bool served = status is Win32Error.Success or Win32Error.MoreData;
        EnumStruct.Write(w, level, isArm, served, entries.Count, a =>
        {
            foreach (var e in entries) ShareInfoCodec.Write(a, level, e);
        });
        EnumStruct.WriteTail(w, served ? (uint)all.Count : 0, resumePtr, nextResume, status);
        return 0;
    }

    /// <summary>[MS-SRVS] 3.1.4.10 NetrShareGetInfo: ServerName, NetName ([ref, string]), Level in; InfoStruct, status out.</summary>
    private uint NetrShareGetInfo(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !r.TryReadConformantVaryingString(out var netName) || !r.TryReadUInt32(out uint level))
            return RpcFaultStatus.BadStubData;

        uint status = Win32Error.Success;
        ShareInfo? info = null;
        if (!ShareInfoCodec.IsGetInfoLevel(level)) status = Win32Error.InvalidLevel;
        else if (DeniedToAnonymous(call, level, enumeration: false)) status = Win32Error.AccessDenied;
        else if (!_shares.TryGet(netName, out var share)) status = Win32Error.NetNameNotFound;
        else info = ShareInfo.From(share);

        // SHARE_INFO union switched on Level; every arm is a unique pointer to one SHARE_INFO_n.
        w.WriteUnionDiscriminant(level);
        if (ShareInfoCodec.IsUnionArm(level)) w.WriteUniquePointer(info is null, s => ShareInfoCodec.Write(s, level, info!));
        w.FlushDeferred();
        w.WriteUInt32(status);
        return 0;
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.16 NetrShareCheck: ServerName, Device ([ref, string]) in; Type, status out. A share matches
    /// when its local path, as this server shows it (<see cref="ShareInfo.From"/>), is the device, or lies on it
    /// when the device is a volume ("C:"). The type goes back without STYPE_SPECIAL, as the spec says.
    /// </summary>
    private uint NetrShareCheck(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !r.TryReadConformantVaryingString(out var device)) return RpcFaultStatus.BadStubData;

        uint type = 0, status = Win32Error.DeviceNotShared;
        foreach (var share in _shares.All)
        {
            if (!SharesDevice(ShareInfo.From(share).Path ?? "", device)) continue;
            type = (uint)share.Type & ~(uint)ShareType.Special;
            status = Win32Error.Success;
            break;
        }
        w.WriteUInt32(type);
        w.WriteUInt32(status);
        return 0;
    }

    private static bool SharesDevice(string sharePath, string device)
    {
        var path = sharePath.AsSpan().TrimEnd('\\');
        var dev = device.AsSpan().TrimEnd('\\');
        if (path.Equals(dev, StringComparison.OrdinalIgnoreCase)) return true;
        bool isVolume = dev.Length == 2 && dev[1] == ':' && char.IsAsciiLetter(dev[0]);
        return isVolume && path.Length > 2 && path.StartsWith(dev, StringComparison.OrdinalIgnoreCase) && path[2] == '\\';
    }

    /// <summary>Roughly what one entry costs on the wire, to honor PreferedMaximumLength.</summary>
    private static int EstimateSize(uint level, ShareInfo s)
    {
        static int Str(string? v) => v is null ? 0 : 12 + 2 * (v.Length + 1) + 3;
        int size = 4 + Str(s.NetName);
        if (level >= 1) size += 8 + Str(s.Remark);
        if (level is 2 or 502) size += 20 + Str(s.Path) + Str(s.Password);
        if (level == 501) size += 4;
        if (level == 502) size += 8;
        return size;
    }
}
