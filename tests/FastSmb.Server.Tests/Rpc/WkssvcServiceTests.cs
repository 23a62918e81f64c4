using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Wkssvc;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Server.Tests.Rpc;

public class WkssvcServiceTests
{
    private static readonly WkssvcService Service = new(new ServerInfo("FASTSMB", Workgroup: "SAMBAGRP"));

    private static void Must(bool ok, string what = "stub did not decode") { if (!ok) Assert.Fail(what); }

    /// <summary>NetrWkstaGetInfo's [in] parameters as smbtorture sends them: ServerName "127.0.0.1", Level.</summary>
    private static byte[] Request(uint level)
    {
        var w = new NdrWriter();
        if (w.WritePointer(false) != 0) w.WriteConformantVaryingString("127.0.0.1");
        w.WriteUInt32(level);
        return w.ToArray();
    }

    private static uint Invoke(byte[] stub, out byte[] response)
    {
        Assert.That(Service.TryGetOperation(WkssvcService.OpNetrWkstaGetInfo, out var op));
        var w = new NdrWriter();
        uint result = op(stub, new RpcCallContext(RpcTestKit.Caller, @"\PIPE\wkssvc", 1, 0, 0), w);
        response = w.ToArray();
        return result;
    }

    [TestCase(100u)]
    [TestCase(101u)]
    [TestCase(102u)]
    public void NetrWkstaGetInfo_Level10x_NamesAndVersion(uint level)
    {
        Assert.That(Invoke(Request(level), out var resp), Is.Zero);
        var r = new NdrReader(resp);
        Must(r.TryReadUInt32(out uint disc) && disc == level);
        Must(r.TryReadPointer(out uint ptr) && ptr != 0);
        Must(r.TryReadUInt32(out uint platform));
        Must(r.TryReadPointer(out uint name));
        Must(r.TryReadPointer(out uint domain));
        Must(r.TryReadUInt32(out uint major));
        Must(r.TryReadUInt32(out uint minor));
        uint lanRoot = 0, users = 99;
        if (level >= 101) Must(r.TryReadPointer(out lanRoot) && lanRoot != 0);
        if (level == 102) Must(r.TryReadUInt32(out users));
        Assert.That((platform, name != 0, domain != 0, major, minor), Is.EqualTo((500u, true, true, 10u, 0u)));
        Must(r.TryReadConformantVaryingString(out var n));
        Must(r.TryReadConformantVaryingString(out var d));
        Assert.That((n, d), Is.EqualTo(("FASTSMB", "SAMBAGRP")));
        if (level >= 101) Must(r.TryReadConformantVaryingString(out var root) && root == WkstaInfoCodec.LanRoot);
        if (level == 102) Assert.That(users, Is.Zero, "logged-on users");
        Must(r.TryReadUInt32(out uint status));
        Assert.That((status, r.AtEnd), Is.EqualTo((Win32Error.Success, true)));
    }

    [Test]
    public void NetrWkstaGetInfo_Level502_ThirtyFiveFields()
    {
        Invoke(Request(502), out var resp);
        var r = new NdrReader(resp);
        Must(r.TryReadUInt32(out _) && r.TryReadPointer(out uint ptr) && ptr != 0);
        for (int i = 0; i < 35; i++) Must(r.TryReadUInt32(out _));
        Must(r.TryReadUInt32(out uint status));
        Assert.That((status, r.AtEnd), Is.EqualTo((Win32Error.Success, true)));
    }

    [TestCase(1010u, true)]
    [TestCase(7u, false)]
    public void NetrWkstaGetInfo_LevelNotServed_InvalidLevel(uint level, bool isArm)
    {
        Invoke(Request(level), out var resp);
        var r = new NdrReader(resp);
        Must(r.TryReadUInt32(out uint disc) && disc == level);
        Assert.That(WkssvcService.IsUnionArm(level), Is.EqualTo(isArm));
        if (isArm) Must(r.TryReadPointer(out uint ptr) && ptr == 0);
        Must(r.TryReadUInt32(out uint status));
        Assert.That((status, r.AtEnd), Is.EqualTo((Win32Error.InvalidLevel, true)));
    }

    [Test]
    public void NetrWkstaGetInfo_TruncatedStub_FaultNdr()
    {
        var stub = Request(101);
        for (int len = 0; len < stub.Length; len++)
            Assert.That(Invoke(stub[..len], out _), Is.EqualTo(RpcFaultStatus.BadStubData), $"{len}-byte prefix");
        ParserRobustness.SurvivesCorruption(stub, s => Invoke(s.ToArray(), out _) == 0);
    }

    [Test]
    public void Opnum1_NotInTheTable_PipeFaultsOpRangeError()
    {
        Assert.That(Service.TryGetOperation(1, out _), Is.False);
    }

    [Test]
    public void Pipe_BindAndCall_ThroughNamedPipeHost()
    {
        Assert.That(RpcTestKit.Host().Open("wkssvc", RpcTestKit.Caller, out var p), Is.EqualTo(NtStatus.Success));
        var pipe = (RpcPipe)p!;
        var ack = RpcTestKit.Exchange(pipe, RpcTestKit.Bind(4280, 4280,
            new RpcContextRequest(0, WkssvcService.InterfaceId, [RpcSyntaxId.Ndr])));
        Assert.That(RpcBindAck.TryParse(ack[0], out var a) && a.Result(0).Result == RpcContextResultCode.Acceptance);
        var stub = RpcTestKit.Call(pipe, RpcTestKit.Request(2, 0, WkssvcService.OpNetrWkstaGetInfo, Request(100)));
        Assert.That(new NdrReader(stub).TryReadUInt32(out uint level) && level == 100);
    }
}
