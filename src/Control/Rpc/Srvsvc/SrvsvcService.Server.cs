using System.Text;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// The calls about the server itself: NetrServerGetInfo, NetrServerDiskEnum, NetrServerTransportEnum,
/// NetrRemoteTOD and NetprNameValidate.
/// </summary>
public sealed partial class SrvsvcService
{
    /// <summary>
    /// The one transport this server reports: SMB directly over TCP, which Windows lists as "\Device\NetbiosSmb"
    /// with the server's NetBIOS name as address and a zero network (MAC) address.
    /// </summary>
    public const string TransportName = @"\Device\NetbiosSmb";

    /// <summary>The one volume srvsvc shows: every share path is presented under "C:" (<see cref="ShareInfo.From"/>).</summary>
    public const string DiskName = "C:";

    /// <summary>
    /// [MS-SRVS] 3.1.4.17 NetrServerGetInfo: ServerName, Level in; InfoStruct (SERVER_INFO union), status out.
    /// Serves 100, 101, 102 ([MS-SRVS] 2.2.4.40-42), 502 and 503 (2.2.4.43-44). 103 and 599 would need arms that
    /// Samba's IDL lacks or a hundred tuning fields this server does not have: ERROR_INVALID_LEVEL.
    /// </summary>
    private uint NetrServerGetInfo(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !r.TryReadUInt32(out uint level)) return RpcFaultStatus.BadStubData;

        bool served = level is 100 or 101 or 102 or 502 or 503;
        w.WriteUnionDiscriminant(level);
        if (ServerInfoCodec.IsUnionArm(level)) w.WriteUniquePointer(!served, s => ServerInfoCodec.Write(s, level, _server));
        w.FlushDeferred();
        w.WriteUInt32(served ? Win32Error.Success : Win32Error.InvalidLevel);
        return 0;
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.19 NetrServerDiskEnum: ServerName, Level, DiskInfoStruct ([in, out] DISK_ENUM_CONTAINER,
    /// 2.2.4.92), PreferedMaximumLength, ResumeHandle in; DiskInfoStruct, TotalEntries, ResumeHandle, status out.
    /// The server ignores the container, PreferedMaximumLength and ResumeHandle the client sends (the spec says
    /// so) and lists <see cref="DiskName"/>.
    /// </summary>
    private uint NetrServerDiskEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !r.TryReadUInt32(out uint level) || !DiskInfo.TrySkipContainer(ref r)
            || !EnumStruct.TryReadTail(ref r, out _, out uint resumePtr, out _))
            return RpcFaultStatus.BadStubData;

        string[] disks = level == 0 ? [DiskName] : [];
        DiskInfo.WriteContainer(w, disks);
        w.WriteUInt32((uint)disks.Length); // TotalEntries
        if (w.WritePointer(resumePtr == 0) != 0) w.WriteUInt32(0);
        w.WriteUInt32(level == 0 ? Win32Error.Success : Win32Error.InvalidLevel);
        return 0;
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.23 NetrServerTransportEnum: ServerName, InfoStruct (SERVER_XPORT_ENUM_STRUCT),
    /// PreferedMaximumLength, ResumeHandle in; InfoStruct, TotalEntries, ResumeHandle, status out.
    /// Levels 0 to 3 (SERVER_TRANSPORT_INFO_0 … _3, 2.2.4.96-99), one transport: <see cref="TransportName"/>.
    /// </summary>
    private uint NetrServerTransportEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !EnumStruct.TryReadEmpty(ref r, TransportInfo.IsUnionArm, out uint level)
            || !EnumStruct.TryReadTail(ref r, out _, out uint resumePtr, out _))
            return RpcFaultStatus.BadStubData;

        bool served = TransportInfo.IsUnionArm(level);
        var transport = new TransportInfo(0, TransportName, TransportInfo.NetBiosAddress(_server.NetBiosName), "000000000000",
            _server.Workgroup);
        EnumStruct.Write(w, level, served, served, 1, a => transport.Write(a, level));
        EnumStruct.WriteTail(w, served ? 1u : 0u, resumePtr, 0, served ? Win32Error.Success : Win32Error.InvalidLevel);
        return 0;
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.21 NetrRemoteTOD: ServerName in; a [ref] pointer to a [unique] TIME_OF_DAY_INFO (2.2.4.105)
    /// and the status out.
    /// </summary>
    private uint NetrRemoteTOD(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r)) return RpcFaultStatus.BadStubData;

        // The top-level [ref] pointer has no wire form; the [unique] one it points to has, and its referent
        // follows at once.
        w.WritePointer(isNull: false);
        TimeOfDay.Write(w, _time.GetUtcNow(), _time.LocalTimeZone, _time.GetTimestamp() * 1000 / _time.TimestampFrequency);
        w.WriteUInt32(Win32Error.Success);
        return 0;
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.32 NetprNameValidate: ServerName, Name ([ref, string]), NameType, Flags in; status out.
    /// The rules are <see cref="NameValidation"/>'s.
    /// </summary>
    private uint NetprNameValidate(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !r.TryReadConformantVaryingString(out var name) || !r.TryReadUInt32(out uint nameType)
            || !r.TryReadUInt32(out uint flags))
            return RpcFaultStatus.BadStubData;
        w.WriteUInt32(NameValidation.Validate(name, nameType, flags));
        return 0;
    }
}

/// <summary>The SERVER_INFO levels NetrServerGetInfo serves ([MS-SRVS] 2.2.3.7, 2.2.4.40-44).</summary>
public static class ServerInfoCodec
{
    /// <summary>The cases of the SERVER_INFO union as Samba's srvsvc.idl declares them; any other level is the empty default arm.</summary>
    public static bool IsUnionArm(uint level) => level switch
    {
        100 or 101 or 102 or 402 or 403 or 502 or 503 or 599 or 1005 or 1010 or 1016 or 1017 or 1018 or 1107 => true,
        >= 1501 and <= 1556 => level is not (1504 or 1505 or 1507 or 1508 or 1517 or 1519 or 1526 or 1527 or 1531 or 1532 or 1551),
        _ => false,
    };

    /// <summary>
    /// SERVER_INFO_102 figures ([MS-SRVS] 2.2.4.42): no user limit, and the LanmanServer defaults for the
    /// auto-disconnect time (minutes) and the announcement interval (seconds) and its jitter (milliseconds).
    /// </summary>
    private const uint Unlimited = 0xFFFFFFFF, AnnounceSeconds = 240, AnnounceDeltaMs = 3000, AutoDisconnectMinutes = 15;

    /// <summary>The flat part of SERVER_INFO_level for <paramref name="server"/>; strings are queued as referents.</summary>
    public static void Write(NdrWriter w, uint level, ServerInfo server)
    {
        if (level is 502 or 503)
        {
            WriteTuning(w, level, server);
            return;
        }
        w.WriteUInt32(ServerInfo.PlatformIdNt);
        w.WriteUniqueString(server.NetBiosName);
        if (level == 100) return;
        w.WriteUInt32(server.VersionMajor);
        w.WriteUInt32(server.VersionMinor);
        w.WriteUInt32(server.ServerType);
        w.WriteUniqueString(server.Comment);
        if (level == 101) return;
        w.WriteUInt32(Unlimited);             // sv102_users
        w.WriteUInt32(AutoDisconnectMinutes); // sv102_disc
        w.WriteUInt32(0);                     // sv102_hidden: SV_VISIBLE
        w.WriteUInt32(AnnounceSeconds);       // sv102_announce
        w.WriteUInt32(AnnounceDeltaMs);       // sv102_anndelta
        w.WriteUInt32(0);                     // sv102_licenses: unused on NT
        w.WriteUniqueString(@"C:\");          // sv102_userpath
    }

    /// <summary>
    /// SERVER_INFO_502 (2.2.4.43) and 503 (2.2.4.44): SMB1-era tuning knobs this server has no counterpart for,
    /// so most are 0. Setting them is not offered (no NetrServerSetInfo); they are only read, by admin tools.
    /// </summary>
    private static void WriteTuning(NdrWriter w, uint level, ServerInfo server)
    {
        w.WriteUInt32(16384); // sessopens: files open per session (nominal)
        w.WriteUInt32(1);     // sessvcs: virtual circuits per client
        w.WriteUInt32(2048);  // opensearch
        w.WriteUInt32(65536); // sizreqbuf (nominal)
        w.WriteUInt32(0);     // initworkitems
        w.WriteUInt32(0);     // maxworkitems
        w.WriteUInt32(0);     // rawworkitems
        w.WriteUInt32(0);     // irpstacksize
        w.WriteUInt32(65536); // maxrawbuflen (nominal; SMB1 raw I/O is not served)
        w.WriteUInt32(Unlimited); // sessusers
        w.WriteUInt32(Unlimited); // sessconns
        w.WriteUInt32(0);     // maxpagedmemoryusage
        w.WriteUInt32(0);     // maxnonpagedmemoryusage
        w.WriteUInt32(0);     // enablesoftcompat
        w.WriteUInt32(1);     // enableforcedlogoff
        w.WriteUInt32(0);     // timesource
        w.WriteUInt32(0);     // acceptdownlevelapis
        w.WriteUInt32(0);     // lmannounce
        if (level == 502) return;
        w.WriteUniqueString(server.Workgroup); // sv503_domain
        for (int i = 0; i < 23; i++) w.WriteUInt32(0); // maxcopyreadlen … maxfreeconnections: no such knobs
    }
}

/// <summary>DISK_ENUM_CONTAINER ([MS-SRVS] 2.2.4.92) of DISK_INFO ([string] WCHAR Disk[3], 2.2.4.91).</summary>
public static class DiskInfo
{
    /// <summary>
    /// Reads the request's container: EntriesRead and a [size_is, length_is] pointer to DISK_INFOs (clients send
    /// NULL; anything else is read through, since the spec says the server ignores it).
    /// </summary>
    public static bool TrySkipContainer(ref NdrReader r)
    {
        if (!r.TryReadUInt32(out uint count) || !r.TryReadPointer(out uint ptr)) return false;
        if (ptr == 0) return true;
        if (!r.TryReadConformance(out uint max, 8) || !r.TryReadVariance(out uint offset, out uint actual)
            || offset != 0 || actual > max || max != count) return false;
        for (uint i = 0; i < actual; i++)
        {
            if (!TryReadDisk(ref r, out _)) return false;
        }
        return true;
    }

    /// <summary>One DISK_INFO: a varying string in a fixed array of 3 (offset, actual_count, then the characters).</summary>
    public static bool TryReadDisk(ref NdrReader r, out string disk)
    {
        disk = "";
        if (!r.TryReadVariance(out uint offset, out uint actual) || offset != 0 || actual > 3
            || !r.TryReadBytes((int)actual * 2, out var chars)) return false;
        disk = Encoding.Unicode.GetString(chars).TrimEnd('\0');
        return true;
    }

    public static void WriteContainer(NdrWriter w, IReadOnlyList<string> disks)
    {
        w.WriteUInt32((uint)disks.Count);
        w.WriteUniquePointer(disks.Count == 0, a =>
        {
            a.WriteConformance((uint)disks.Count);
            a.WriteVariance(0, (uint)disks.Count);
            foreach (var d in disks)
            {
                a.WriteVariance(0, (uint)d.Length + 1);
                a.WriteBytes(Encoding.Unicode.GetBytes(d + "\0"));
            }
        });
        w.FlushDeferred();
    }
}
