using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Datapath.Pipes;
using FastSmb.Protocol.Rpc.Ndr;
using static FastSmb.Server.Tests.Rpc.SrvsvcRequests;

namespace FastSmb.Server.Tests.Rpc;

/// <summary>Share levels 501 and 1005, NetrShareEnumSticky and what anonymous callers may see.</summary>
public class SrvsvcShareLevelsTests
{
    private static readonly PipeCaller Anonymous = new("", "", true, new byte[16], "127.0.0.1");

    private static SrvsvcDecode.EnumOut Enum(ushort opnum, uint level, PipeCaller? caller = null)
    {
        Assert.That(Invoke(Service(), opnum, SrvsvcRequests.Enum(level, ShareInfoCodec.IsUnionArm(level), []), out var resp, caller), Is.Zero);
        return SrvsvcDecode.Enum(resp);
    }

    private static (uint Level, ShareInfo? Info, uint Status) GetInfo(string share, uint level, PipeCaller? caller = null)
    {
        var w = new NdrWriter();
        ServerName(w);
        w.WriteConformantVaryingString(share);
        w.WriteUInt32(level);
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrShareGetInfo, w.ToArray(), out var resp, caller), Is.Zero);
        return SrvsvcDecode.GetInfo(resp);
    }

    [Test]
    public void NetrShareEnum_Level501_NameTypeCommentAndFlags()
    {
        var res = Enum(SrvsvcService.OpNetrShareEnum, 501);
        Assert.That(res.Status, Is.EqualTo(Win32Error.Success));
        Assert.That(res.Shares.Select(s => (s.NetName, s.Type, s.Remark, s.Flags, s.Path)), Is.EqualTo(new[]
        {
            ("share", 0u, "", 0u, (string?)null),
            ("IPC$", 0x80000003u, RpcTestKit.SambaIpcComment, 0u, null),
        }));
    }

    [TestCase(501u)]
    [TestCase(1005u)]
    public void NetrShareGetInfo_Level501And1005_Decode(uint level)
    {
        var (got, info, status) = GetInfo("IPC$", level);
        Assert.That((got, status), Is.EqualTo((level, Win32Error.Success)));
        Assert.That(info!.Flags, Is.Zero);
        Assert.That(info.NetName, level == 501 ? Is.EqualTo("IPC$") : Is.Null, "SHARE_INFO_1005 carries only the flags");
    }

    [TestCase(0u)]
    [TestCase(1u)]
    [TestCase(2u)]
    [TestCase(502u)]
    public void NetrShareEnumSticky_ServedLevel_ConfiguredSharesWithoutIpc(uint level)
    {
        var res = Enum(SrvsvcService.OpNetrShareEnumSticky, level);
        Assert.That((res.Status, res.TotalEntries), Is.EqualTo((Win32Error.Success, 1u)));
        Assert.That(res.Shares.Select(s => s.NetName), Is.EqualTo(new[] { "share" }));
    }

    [Test]
    public void NetrShareEnumSticky_Level501_InvalidLevelAndNullContainer()
    {
        var res = Enum(SrvsvcService.OpNetrShareEnumSticky, 501);
        Assert.That((res.Status, res.ContainerNull), Is.EqualTo((Win32Error.InvalidLevel, true)));
    }

    [TestCase(0u, Win32Error.Success)]
    [TestCase(1u, Win32Error.Success)]
    [TestCase(2u, Win32Error.AccessDenied)]
    [TestCase(501u, Win32Error.AccessDenied)]
    [TestCase(502u, Win32Error.AccessDenied)]
    public void NetrShareEnum_Anonymous_PathLevelsDenied(uint level, uint expected)
    {
        var res = Enum(SrvsvcService.OpNetrShareEnum, level, Anonymous);
        Assert.That(res.Status, Is.EqualTo(expected));
        Assert.That(res.ContainerNull, Is.EqualTo(expected != Win32Error.Success));
        Assert.That(Enum(SrvsvcService.OpNetrShareEnum, level).Status, Is.EqualTo(Win32Error.Success), "an authenticated user");
    }

    [TestCase(0u, Win32Error.Success)]
    [TestCase(1u, Win32Error.Success)]
    [TestCase(2u, Win32Error.AccessDenied)]
    [TestCase(501u, Win32Error.Success)]
    [TestCase(502u, Win32Error.AccessDenied)]
    [TestCase(1005u, Win32Error.Success)]
    public void NetrShareGetInfo_Anonymous_PathLevelsDenied(uint level, uint expected)
    {
        var (_, info, status) = GetInfo("IPC$", level, Anonymous);
        Assert.That(status, Is.EqualTo(expected));
        Assert.That(info is null, Is.EqualTo(expected != Win32Error.Success));
    }
}
