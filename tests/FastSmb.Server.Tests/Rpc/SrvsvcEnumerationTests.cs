using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;
using static FastSmb.Server.Tests.Rpc.SrvsvcRequests;

namespace FastSmb.Server.Tests.Rpc;

/// <summary>
/// NetrConnectionEnum, NetrFileEnum, NetrSessionEnum, NetrCharDevEnum and NetrCharDevQEnum: the levels and
/// filters smbtorture's rpc.srvsvc and the spec exercise, with empty lists (no server-wide registry yet).
/// </summary>
public class SrvsvcEnumerationTests
{
    private static bool ConnArm(uint l) => l <= 1;
    private static bool FileArm(uint l) => l is 2 or 3;
    private static bool SessArm(uint l) => l is 0 or 1 or 2 or 10 or 502;

    [TestCase(0u)]
    [TestCase(1u)]
    public void NetrConnectionEnum_ShareQualifier_EmptyContainerAndSuccess(uint level)
    {
        var stub = Enum(level, true, ["IPC$"]);
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrConnectionEnum, stub, out var resp), Is.Zero);
        var res = DecodeEmptyEnum(resp, ConnArm);
        Assert.That((res.Level, res.ContainerNull, res.EntriesRead, res.TotalEntries, res.Resume, res.Status),
            Is.EqualTo((level, false, 0u, 0u, (uint?)null, Win32Error.Success)));
    }

    [TestCase("nosuch", Win32Error.NetNameNotFound)]
    [TestCase(null, Win32Error.InvalidParameter)]
    [TestCase("", Win32Error.InvalidParameter)]
    [TestCase(@"\\CLIENT", Win32Error.Success)]
    public void NetrConnectionEnum_Qualifier_StatusBySpec(string? qualifier, uint expected)
    {
        Invoke(Service(), SrvsvcService.OpNetrConnectionEnum, Enum(1, true, [qualifier]), out var resp);
        var res = DecodeEmptyEnum(resp, ConnArm);
        Assert.That(res.Status, Is.EqualTo(expected));
        Assert.That(res.ContainerNull, Is.EqualTo(expected != Win32Error.Success));
    }

    [TestCase(2u)]
    [TestCase(502u)]
    public void NetrConnectionEnum_BadLevel_InvalidLevelAndEmptyDefaultArm(uint level)
    {
        Invoke(Service(), SrvsvcService.OpNetrConnectionEnum, Enum(level, false, ["IPC$"]), out var resp);
        var res = DecodeEmptyEnum(resp, ConnArm);
        Assert.That((res.HasArm, res.Status), Is.EqualTo((false, Win32Error.InvalidLevel)));
    }

    [TestCase(2u)]
    [TestCase(3u)]
    public void NetrFileEnum_NoFilters_EmptyContainerAndResumeHandleBack(uint level)
    {
        Invoke(Service(), SrvsvcService.OpNetrFileEnum, Enum(level, true, [null, null], resume: 5), out var resp);
        var res = DecodeEmptyEnum(resp, FileArm);
        Assert.That((res.Level, res.ContainerNull, res.EntriesRead, res.Resume, res.Status),
            Is.EqualTo((level, false, 0u, (uint?)0, Win32Error.Success)));
    }

    [TestCase(0u)]
    [TestCase(1u)]
    public void NetrFileEnum_BadLevel_InvalidLevel(uint level)
    {
        Invoke(Service(), SrvsvcService.OpNetrFileEnum, Enum(level, false, [@"C:\", "bench"]), out var resp);
        var res = DecodeEmptyEnum(resp, FileArm);
        Assert.That((res.HasArm, res.Status), Is.EqualTo((false, Win32Error.InvalidLevel)));
    }

    [TestCase(0u)]
    [TestCase(1u)]
    [TestCase(2u)]
    [TestCase(10u)]
    [TestCase(502u)]
    public void NetrSessionEnum_EachLevel_EmptyContainer(uint level)
    {
        Invoke(Service(), SrvsvcService.OpNetrSessionEnum, Enum(level, true, [null, null]), out var resp);
        var res = DecodeEmptyEnum(resp, SessArm);
        Assert.That((res.Level, res.ContainerNull, res.EntriesRead, res.TotalEntries, res.Status),
            Is.EqualTo((level, false, 0u, 0u, Win32Error.Success)));
    }

    [TestCase(@"\\OTHER", null, Win32Error.ClientNameNotFound)]
    [TestCase(null, "nobody", Win32Error.UserNotFound)]
    public void NetrSessionEnum_FilterMatchingNothing_NotFound(string? client, string? user, uint expected)
    {
        Invoke(Service(), SrvsvcService.OpNetrSessionEnum, Enum(10, true, [client, user]), out var resp);
        Assert.That(DecodeEmptyEnum(resp, SessArm).Status, Is.EqualTo(expected));
    }

    [Test]
    public void NetrSessionEnum_BadLevel_InvalidLevel()
    {
        Invoke(Service(), SrvsvcService.OpNetrSessionEnum, Enum(3, false, [null, null]), out var resp);
        Assert.That(DecodeEmptyEnum(resp, SessArm).Status, Is.EqualTo(Win32Error.InvalidLevel));
    }

    [TestCase(SrvsvcService.OpNetrCharDevEnum, 0u)]
    [TestCase(SrvsvcService.OpNetrCharDevEnum, 1u)]
    [TestCase(SrvsvcService.OpNetrCharDevQEnum, 0u)]
    [TestCase(SrvsvcService.OpNetrCharDevQEnum, 1u)]
    public void NetrCharDev_AnyLevel_NotSupportedWithNullContainer(ushort opnum, uint level)
    {
        string?[] filters = opnum == SrvsvcService.OpNetrCharDevQEnum ? ["Administrator"] : [];
        Invoke(Service(), opnum, Enum(level, true, filters), out var resp);
        var res = DecodeEmptyEnum(resp, ConnArm);
        Assert.That((res.ContainerNull, res.TotalEntries, res.Status), Is.EqualTo((true, 0u, Win32Error.NotSupported)));
    }

    private static IEnumerable<TestCaseData> Requests()
    {
        yield return new TestCaseData(SrvsvcService.OpNetrConnectionEnum, Enum(1, true, ["IPC$"], resume: 0)).SetArgDisplayNames("ConnectionEnum");
        yield return new TestCaseData(SrvsvcService.OpNetrFileEnum, Enum(3, true, [@"C:\x", "bench"])).SetArgDisplayNames("FileEnum");
        yield return new TestCaseData(SrvsvcService.OpNetrSessionEnum, Enum(502, true, [null, "bench"])).SetArgDisplayNames("SessionEnum");
        yield return new TestCaseData(SrvsvcService.OpNetrCharDevEnum, Enum(1, true, [])).SetArgDisplayNames("CharDevEnum");
        yield return new TestCaseData(SrvsvcService.OpNetrCharDevQEnum, Enum(0, true, ["Administrator"])).SetArgDisplayNames("CharDevQEnum");
    }

    [TestCaseSource(nameof(Requests))]
    public void Operation_TruncatedStub_FaultNdr(ushort opnum, byte[] stub)
    {
        var service = Service();
        Assert.That(Invoke(service, opnum, stub, out _), Is.Zero);
        for (int len = 0; len < stub.Length; len++)
            Assert.That(Invoke(service, opnum, stub[..len], out _), Is.EqualTo(RpcFaultStatus.BadStubData), $"{len}-byte prefix");
        ParserRobustness.SurvivesCorruption(stub, s => Invoke(service, opnum, s.ToArray(), out _) == 0);
    }

    [Test]
    public void Enumeration_ClientSentNonEmptyBuffer_FaultNdr()
    {
        // Clients send Buffer NULL; a buffer cannot be skipped without its element type.
        var w = new Protocol.Rpc.Ndr.NdrWriter();
        ServerName(w);
        OptionalString(w, null);
        OptionalString(w, null);
        w.WriteUInt32(0);
        w.WriteUnionDiscriminant(0);
        w.WriteUniquePointer(false, c => { c.WriteUInt32(1); c.WritePointer(isNull: false); });
        w.FlushDeferred();
        w.WriteUInt32(uint.MaxValue);
        w.WritePointer(isNull: true);
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrSessionEnum, w.ToArray(), out _), Is.EqualTo(RpcFaultStatus.BadStubData));
    }
}
