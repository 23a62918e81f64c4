using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Control.Shares;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;
using static FastSmb.Server.Tests.Rpc.RpcTestKit;

namespace FastSmb.Server.Tests.Rpc;

public class SrvsvcServiceTests
{
    [TestCase("rpc-smbclient-netshareenumall-l1-req.hex", "rpc-samba-netshareenumall-l1-resp.hex")]
    [TestCase("rpc-impacket-netshareenumall-l1-req.hex", "rpc-samba-netshareenumall-l1-impacket-resp.hex")]
    public void NetrShareEnum_Level1FromCapturedClient_StubIdenticalToSambaButReferentIds(string request, string sambaResponse)
    {
        var stub = Call(BoundSrvsvc(), Captures.Load(request));
        var decoded = SrvsvcDecode.Enum(stub);
        Assert.That(decoded.Level, Is.EqualTo(1));
        Assert.That(decoded.Shares.Select(s => (s.NetName, s.Type, s.Remark)), Is.EqualTo(new[]
        {
            ("share", 0u, ""),
            ("IPC$", 0x80000003u, SambaIpcComment),
        }));
        Assert.That(decoded.TotalEntries, Is.EqualTo(2));
        Assert.That(decoded.ResumeHandle, Is.EqualTo(0));
        Assert.That(decoded.Status, Is.EqualTo(Win32Error.Success));
        // Same bytes as Samba once referent ids (Samba continues the request's count, we start at 0x20000) are masked.
        Assert.That(MaskReferents(stub), Is.EqualTo(MaskReferents(StubOf(sambaResponse))));
    }

    [Test]
    public void NetrShareEnum_Level2FromRpcclient_MatchesSambaWhereSemanticsMust()
    {
        var ours = SrvsvcDecode.Enum(Call(BoundSrvsvc(), Captures.Load("rpc-rpcclient-netshareenumall-l2-req.hex")));
        var samba = SrvsvcDecode.Enum(StubOf("rpc-samba-netshareenumall-l2-resp.hex"));
        Assert.That(ours.Level, Is.EqualTo(2));
        Assert.That(ours.ResumeHandle, Is.Null, "rpcclient sent no ResumeHandle, so none comes back");
        Assert.That(ours.ResumeHandle, Is.EqualTo(samba.ResumeHandle));
        Assert.That(ours.TotalEntries, Is.EqualTo(samba.TotalEntries));
        Assert.That(ours.Shares, Has.Count.EqualTo(2));
        for (int i = 0; i < 2; i++)
        {
            var (o, s) = (ours.Shares[i], samba.Shares[i]);
            Assert.That((o.NetName, o.Type, o.Remark, o.Permissions, o.MaxUses), Is.EqualTo((s.NetName, s.Type, s.Remark, s.Permissions, s.MaxUses)));
            // Differences by design: Samba sends an empty password string, we send NULL ([MS-SRVS] 2.2.4.24: ignored
            // under user-level security); Samba counts IPC$ connections in current_uses, we report 0 (no
            // connection counts yet); Samba shows IPC$'s internal path "C:\tmp", we show "" as Windows does.
            Assert.That(s.Password, Is.EqualTo(""));
            Assert.That(o.Password, Is.Null);
        }
        Assert.That(ours.Shares[0].Path, Is.EqualTo(samba.Shares[0].Path).And.EqualTo(@"C:\tmp\ref-samba-rpc\share"));
        Assert.That(ours.Shares[1].Path, Is.EqualTo(""));
    }

    [Test]
    public void NetrShareGetInfo_Level502FromRpcclient_MatchesSambaWhereSemanticsMust()
    {
        var ours = SrvsvcDecode.GetInfo(Call(BoundSrvsvc(), Captures.Load("rpc-rpcclient-netsharegetinfo-502-req.hex")));
        var samba = SrvsvcDecode.GetInfo(StubOf("rpc-samba-netsharegetinfo-502-resp.hex"));
        Assert.That(ours.Level, Is.EqualTo(502).And.EqualTo(samba.Level));
        Assert.That(ours.Status, Is.Zero);
        var (o, s) = (ours.Info!, samba.Info!);
        Assert.That((o.NetName, o.Type, o.Remark, o.Path, o.MaxUses, o.Reserved, o.SecurityDescriptor),
            Is.EqualTo((s.NetName, s.Type, s.Remark, s.Path, s.MaxUses, s.Reserved, s.SecurityDescriptor)));
    }

    [Test]
    public void NetrServerGetInfo_Level101FromRpcclient_ReportsThisServer()
    {
        var ours = SrvsvcDecode.ServerGetInfo(Call(BoundSrvsvc(), Captures.Load("rpc-rpcclient-netsrvgetinfo-req.hex")));
        var samba = SrvsvcDecode.ServerGetInfo(StubOf("rpc-samba-netsrvgetinfo-101-resp.hex"));
        Assert.That(ours.Level, Is.EqualTo(101).And.EqualTo(samba.Level));
        Assert.That(ours.PlatformId, Is.EqualTo(500).And.EqualTo(samba.PlatformId));
        Assert.That(ours.Name, Is.EqualTo("FASTSMB"));
        Assert.That((ours.Major, ours.Minor), Is.EqualTo((10u, 0u)));
        Assert.That(ours.Type, Is.EqualTo(ServerInfo.DefaultServerType));
        Assert.That(ours.Comment, Is.EqualTo("FastSmb"));
        Assert.That(ours.Status, Is.Zero);
    }

    private static byte[] ServerName(NdrWriter w)
    {
        if (w.WritePointer(false) != 0) w.WriteConformantVaryingString(@"\\127.0.0.1");
        return [];
    }

    private static byte[] EnumRequest(uint level, uint prefMax = uint.MaxValue, uint? resume = 0)
    {
        var w = new NdrWriter();
        ServerName(w);
        w.WriteUInt32(level);
        w.WriteUnionDiscriminant(level);
        if (ShareInfoCodec.IsUnionArm(level)) w.WriteUniquePointer(false, c => { c.WriteUInt32(0); c.WritePointer(true); });
        w.FlushDeferred();
        w.WriteUInt32(prefMax);
        if (w.WritePointer(resume is null) != 0) w.WriteUInt32(resume!.Value);
        return Request(9, 0, SrvsvcService.OpNetrShareEnum, w.ToArray());
    }

    [TestCase(0u)]
    [TestCase(1u)]
    [TestCase(2u)]
    [TestCase(502u)]
    public void NetrShareEnum_EachSupportedLevel_ListsAllShares(uint level)
    {
        var res = SrvsvcDecode.Enum(Call(BoundSrvsvc(), EnumRequest(level)));
        Assert.That(res.Status, Is.Zero);
        Assert.That(res.Shares.Select(s => s.NetName), Is.EqualTo(new[] { "share", "IPC$" }));
    }

    [Test]
    public void NetrShareEnum_LevelOfTheUnionNotServed_InvalidLevelAndNullContainer()
    {
        var res = SrvsvcDecode.Enum(Call(BoundSrvsvc(), EnumRequest(1005)));
        Assert.That(res.Status, Is.EqualTo(Win32Error.InvalidLevel));
        Assert.That(res.ContainerNull, Is.True);
    }

    [Test]
    public void NetrShareEnum_LevelOutsideTheUnion_InvalidLevelAndEmptyDefaultArm()
    {
        // Samba's IDL gives SHARE_ENUM_UNION an empty [default] arm: the discriminant, then nothing.
        var w = new NdrWriter();
        ServerName(w);
        w.WriteUInt32(7);
        w.WriteUnionDiscriminant(7);
        w.WriteUInt32(uint.MaxValue);
        w.WritePointer(isNull: true);
        var res = SrvsvcDecode.Enum(Call(BoundSrvsvc(), Request(9, 0, SrvsvcService.OpNetrShareEnum, w.ToArray())));
        Assert.That(res.Status, Is.EqualTo(Win32Error.InvalidLevel));
        Assert.That(res.ContainerNull, Is.True);
    }

    [Test]
    public void NetrShareEnum_SmallPreferredLength_PagesWithResumeHandleAndMoreData()
    {
        var shares = new StaticShareRegistry(Enumerable.Range(0, 5)
            .Select(i => new ShareDefinition($"s{i}", $"/d/s{i}", ShareType.Disk, "")).Append(StaticShareRegistry.Ipc()));
        var pipe = BoundSrvsvc(shares);
        var names = new List<string?>();
        uint resume = 0;
        for (int round = 0; round < 10; round++)
        {
            var res = SrvsvcDecode.Enum(Call(pipe, EnumRequest(1, prefMax: 60, resume: resume)));
            Assert.That(res.TotalEntries, Is.EqualTo(6));
            names.AddRange(res.Shares.Select(s => s.NetName));
            if (res.Status == Win32Error.Success) { Assert.That(res.ResumeHandle, Is.Zero); break; }
            Assert.That(res.Status, Is.EqualTo(Win32Error.MoreData));
            resume = res.ResumeHandle!.Value;
        }
        Assert.That(names, Is.EqualTo(new[] { "s0", "s1", "s2", "s3", "s4", "IPC$" }));
    }

    private static byte[] GetInfoRequest(string name, uint level)
    {
        var w = new NdrWriter();
        ServerName(w);
        w.WriteConformantVaryingString(name);
        w.WriteUInt32(level);
        return Request(9, 0, SrvsvcService.OpNetrShareGetInfo, w.ToArray());
    }

    [Test]
    public void NetrShareGetInfo_UnknownShare_NetNameNotFound()
    {
        var res = SrvsvcDecode.GetInfo(Call(BoundSrvsvc(), GetInfoRequest("nosuch", 1)));
        Assert.That(res.Status, Is.EqualTo(Win32Error.NetNameNotFound));
        Assert.That(res.Info, Is.Null);
    }

    [TestCase(0u)]
    [TestCase(1u)]
    [TestCase(2u)]
    public void NetrShareGetInfo_KnownShareAnyCase_Found(uint level)
    {
        var res = SrvsvcDecode.GetInfo(Call(BoundSrvsvc(), GetInfoRequest("ipc$", level)));
        Assert.That(res.Status, Is.Zero);
        Assert.That(res.Info!.NetName, Is.EqualTo("IPC$"));
        if (level >= 1) Assert.That(res.Info.Type, Is.EqualTo(0x80000003));
    }

    [Test]
    public void NetrShareGetInfo_UnknownLevel_InvalidLevel()
    {
        Assert.That(SrvsvcDecode.GetInfo(Call(BoundSrvsvc(), GetInfoRequest("share", 1006))).Status, Is.EqualTo(Win32Error.InvalidLevel));
    }

    [Test]
    public void NetrServerGetInfo_Level100AndUnknown_NameOrInvalidLevel()
    {
        var w = new NdrWriter();
        ServerName(w);
        w.WriteUInt32(100);
        var res = SrvsvcDecode.ServerGetInfo(Call(BoundSrvsvc(), Request(9, 0, SrvsvcService.OpNetrServerGetInfo, w.ToArray())));
        Assert.That((res.PlatformId, res.Name, res.Status), Is.EqualTo((500u, "FASTSMB", 0u)));
        w = new NdrWriter();
        ServerName(w);
        w.WriteUInt32(599);
        res = SrvsvcDecode.ServerGetInfo(Call(BoundSrvsvc(), Request(9, 0, SrvsvcService.OpNetrServerGetInfo, w.ToArray())));
        Assert.That(res.Status, Is.EqualTo(Win32Error.InvalidLevel));
    }

    [TestCase("rpc-smbclient-netshareenumall-l1-req.hex")]
    [TestCase("rpc-impacket-netshareenumall-l1-req.hex")]
    [TestCase("rpc-rpcclient-netshareenumall-l2-req.hex")]
    [TestCase("rpc-rpcclient-netsharegetinfo-502-req.hex")]
    [TestCase("rpc-rpcclient-netsrvgetinfo-req.hex")]
    public void Operations_TruncatedOrCorruptedStubs_FaultOrAnswerButNeverThrow(string capture)
    {
        Assert.That(RpcRequest.TryParse(Captures.Load(capture), out var req), Is.True);
        var stub = req.StubData.ToArray();
        var service = new SrvsvcService(SambaLikeShares(), new ServerInfo("FASTSMB"));
        Assert.That(service.TryGetOperation(req.Opnum, out var op), Is.True);
        var call = new RpcCallContext(Caller, @"\PIPE\srvsvc", 1, 0, req.Opnum);
        Assert.That(op(stub, call, new NdrWriter()), Is.Zero);
        ParserRobustness.Check(stub, s => op(s, call, new NdrWriter()) == 0);
    }
}
