using System.Text;
using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;
using static FastSmb.Server.Tests.Rpc.SrvsvcRequests;

namespace FastSmb.Server.Tests.Rpc;

/// <summary>
/// NetrServerGetInfo (102, 502, 503), NetrServerDiskEnum, NetrServerTransportEnum, NetrRemoteTOD,
/// NetprNameValidate and NetrShareCheck: responses decoded field by field with the NDR reader.
/// </summary>
public class SrvsvcServerCallsTests
{
    private static void Must(bool ok, string what = "stub did not decode") { if (!ok) Assert.Fail(what); }

    private static string Str(ref NdrReader r)
    {
        Must(r.TryReadConformantVaryingString(out var s), "string");
        return s;
    }

    private static uint U32(ref NdrReader r)
    {
        Must(r.TryReadUInt32(out uint v), "uint32");
        return v;
    }

    private static NdrReader GetInfo(uint level, out uint discriminant, out uint ptr)
    {
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrServerGetInfo, ServerAnd(level), out var resp), Is.Zero);
        var r = new NdrReader(resp);
        discriminant = U32(ref r);
        ptr = 0;
        if (ServerInfoCodec.IsUnionArm(level)) Must(r.TryReadPointer(out ptr));
        return r;
    }

    [Test]
    public void NetrServerGetInfo_Level102_AllFieldsDecode()
    {
        var r = GetInfo(102, out uint disc, out uint ptr);
        Assert.That((disc, ptr != 0), Is.EqualTo((102u, true)));
        Assert.That(U32(ref r), Is.EqualTo(ServerInfo.PlatformIdNt));
        Must(r.TryReadPointer(out uint name));
        Assert.That((U32(ref r), U32(ref r), U32(ref r)), Is.EqualTo((10u, 0u, ServerInfo.DefaultServerType)));
        Must(r.TryReadPointer(out uint comment));
        uint users = U32(ref r), disc2 = U32(ref r), hidden = U32(ref r), announce = U32(ref r), anndelta = U32(ref r), licenses = U32(ref r);
        Must(r.TryReadPointer(out uint userpath));
        Assert.That(name != 0 && comment != 0 && userpath != 0);
        Assert.That((Str(ref r), Str(ref r), Str(ref r)), Is.EqualTo(("FASTSMB", "FastSmb", @"C:\")));
        Assert.That((users, disc2, hidden, announce, anndelta, licenses), Is.EqualTo((uint.MaxValue, 15u, 0u, 240u, 3000u, 0u)));
        Assert.That((U32(ref r), r.AtEnd), Is.EqualTo((Win32Error.Success, true)));
    }

    [Test]
    public void NetrServerGetInfo_Level502_EighteenFieldsNoPointers()
    {
        var r = GetInfo(502, out _, out uint ptr);
        Assert.That(ptr, Is.Not.Zero);
        for (int i = 0; i < 18; i++) U32(ref r);
        Assert.That((U32(ref r), r.AtEnd), Is.EqualTo((Win32Error.Success, true)));
    }

    [Test]
    public void NetrServerGetInfo_Level503_DomainAfterTheFlatPart()
    {
        var r = GetInfo(503, out _, out uint ptr);
        Assert.That(ptr, Is.Not.Zero);
        for (int i = 0; i < 18; i++) U32(ref r);
        Must(r.TryReadPointer(out uint domain));
        Assert.That(domain, Is.Not.Zero);
        for (int i = 0; i < 23; i++) U32(ref r);
        Assert.That(Str(ref r), Is.EqualTo("SAMBAGRP"));
        Assert.That((U32(ref r), r.AtEnd), Is.EqualTo((Win32Error.Success, true)));
    }

    [TestCase(599u, true)]
    [TestCase(1005u, true)]
    [TestCase(103u, false)]
    [TestCase(7u, false)]
    public void NetrServerGetInfo_LevelNotServed_InvalidLevel(uint level, bool isArm)
    {
        var r = GetInfo(level, out uint disc, out uint ptr);
        Assert.That((disc, ptr), Is.EqualTo((level, 0u)));
        Assert.That(ServerInfoCodec.IsUnionArm(level), Is.EqualTo(isArm));
        Assert.That((U32(ref r), r.AtEnd), Is.EqualTo((Win32Error.InvalidLevel, true)));
    }

    [Test]
    public void NetrServerDiskEnum_Level0_OneDiskAsVaryingString()
    {
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrServerDiskEnum, DiskEnum(0), out var resp), Is.Zero);
        var r = new NdrReader(resp);
        Assert.That(U32(ref r), Is.EqualTo(1), "EntriesRead");
        Must(r.TryReadPointer(out uint buffer));
        Assert.That(buffer, Is.Not.Zero);
        Must(r.TryReadConformance(out uint max, 8));
        Must(r.TryReadVariance(out uint offset, out uint actual));
        Assert.That((max, offset, actual), Is.EqualTo((1u, 0u, 1u)));
        Must(DiskInfo.TryReadDisk(ref r, out var disk));
        Assert.That(disk, Is.EqualTo("C:"));
        Assert.That(U32(ref r), Is.EqualTo(1), "TotalEntries");
        Must(r.TryReadPointer(out uint resumePtr) && resumePtr != 0);
        Assert.That((U32(ref r), U32(ref r), r.AtEnd), Is.EqualTo((0u, Win32Error.Success, true)));
    }

    [Test]
    public void NetrServerDiskEnum_Level1_InvalidLevelAndEmptyContainer()
    {
        Invoke(Service(), SrvsvcService.OpNetrServerDiskEnum, DiskEnum(1), out var resp);
        var r = new NdrReader(resp);
        Assert.That(U32(ref r), Is.Zero);
        Must(r.TryReadPointer(out uint buffer));
        Assert.That((buffer, U32(ref r)), Is.EqualTo((0u, 0u)));
        Must(r.TryReadPointer(out uint resumePtr) && resumePtr != 0);
        Assert.That((U32(ref r), U32(ref r), r.AtEnd), Is.EqualTo((0u, Win32Error.InvalidLevel, true)));
    }

    [Test]
    public void DiskInfo_WrittenContainer_ReadsBack()
    {
        var w = new NdrWriter();
        DiskInfo.WriteContainer(w, ["C:", "D:", ""]);
        var r = new NdrReader(w.Written);
        Assert.That(DiskInfo.TrySkipContainer(ref r) && r.AtEnd);
    }

    [TestCase(0u)]
    [TestCase(1u)]
    [TestCase(2u)]
    [TestCase(3u)]
    public void NetrServerTransportEnum_EachLevel_OneNetbiosSmbTransport(uint level)
    {
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrServerTransportEnum, Enum(level, true, []), out var resp), Is.Zero);
        var r = new NdrReader(resp);
        Assert.That((U32(ref r), U32(ref r)), Is.EqualTo((level, level)));
        Must(r.TryReadPointer(out uint ctr) && ctr != 0);
        Assert.That(U32(ref r), Is.EqualTo(1), "EntriesRead");
        Must(r.TryReadPointer(out uint array) && array != 0);
        Must(r.TryReadConformance(out uint max, 4) && max == 1);
        uint vcs = U32(ref r);
        Must(r.TryReadPointer(out uint name));
        Must(r.TryReadPointer(out uint addr));
        uint addrLen = U32(ref r);
        Must(r.TryReadPointer(out uint net));
        uint domainPtr = 0;
        if (level >= 1) Must(r.TryReadPointer(out domainPtr) && domainPtr != 0);
        if (level >= 2) Assert.That(U32(ref r), Is.Zero, "flags");
        if (level == 3)
        {
            Assert.That(U32(ref r), Is.Zero, "password length");
            Must(r.TryReadBytes(256, out _));
        }
        Assert.That((vcs, name != 0, addr != 0, addrLen, net != 0), Is.EqualTo((0u, true, true, 16u, true)));
        Assert.That(Str(ref r), Is.EqualTo(SrvsvcService.TransportName));
        Must(r.TryReadConformance(out uint addrMax, 1) && addrMax == 16);
        Must(r.TryReadBytes(16, out var address));
        Assert.That(Encoding.ASCII.GetString(address), Is.EqualTo("FASTSMB         "));
        Assert.That(Str(ref r), Is.EqualTo("000000000000"));
        if (level >= 1) Assert.That(Str(ref r), Is.EqualTo("SAMBAGRP"));
        Assert.That(U32(ref r), Is.EqualTo(1), "TotalEntries");
        Must(r.TryReadPointer(out uint resumePtr) && resumePtr == 0);
        Assert.That((U32(ref r), r.AtEnd), Is.EqualTo((Win32Error.Success, true)));
    }

    [Test]
    public void NetrServerTransportEnum_LevelOutsideTheUnion_InvalidLevel()
    {
        Invoke(Service(), SrvsvcService.OpNetrServerTransportEnum, Enum(4, false, []), out var resp);
        var res = DecodeEmptyEnum(resp, TransportInfo.IsUnionArm);
        Assert.That((res.HasArm, res.TotalEntries, res.Status), Is.EqualTo((false, 0u, Win32Error.InvalidLevel)));
    }

    [Test]
    public void NetrRemoteTOD_FixedClock_GmtFieldsAndZoneWestPositive()
    {
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrRemoteTOD, ServerAnd(), out var resp), Is.Zero);
        var r = new NdrReader(resp);
        Must(r.TryReadPointer(out uint ptr) && ptr != 0);
        var f = new uint[12];
        for (int i = 0; i < 12; i++) f[i] = U32(ref r);
        Assert.That(f, Is.EqualTo(new uint[]
        {
            (uint)FixedClock.Now.ToUnixTimeSeconds(), 123456, 13, 14, 15, 67,
            unchecked((uint)-60), // UTC+01:00 is 60 minutes east: negative
            TimeOfDay.TickInterval, 27, 2, 2024, 2, // Tuesday
        }));
        Assert.That((U32(ref r), r.AtEnd), Is.EqualTo((Win32Error.Success, true)));
    }

    [TestCase("share", NameValidation.NameTypeShare, Win32Error.Success)]
    [TestCase("a:b", NameValidation.NameTypeShare, Win32Error.InvalidName)]
    [TestCase("..", NameValidation.NameTypeShare, Win32Error.InvalidName)]
    [TestCase("", NameValidation.NameTypeUser, Win32Error.InvalidName)]
    [TestCase("", NameValidation.NameTypePassword, Win32Error.Success)]
    [TestCase("pass|word", NameValidation.NameTypePassword, Win32Error.Success)]
    [TestCase("123456789", NameValidation.NameTypeSharePassword, Win32Error.InvalidName)]
    [TestCase("WORK GROUP", NameValidation.NameTypeWorkgroup, Win32Error.Success)]
    [TestCase("MY DOMAIN", NameValidation.NameTypeDomain, Win32Error.InvalidName)]
    [TestCase("ABCDEFGHIJKLMNOP", NameValidation.NameTypeDomain, Win32Error.InvalidName)]
    [TestCase(" HOST", NameValidation.NameTypeComputer, Win32Error.InvalidName)]
    [TestCase("HOST*", NameValidation.NameTypeComputer, Win32Error.InvalidName)]
    [TestCase("HOST*", NameValidation.NameTypeMessageDest, Win32Error.Success)]
    [TestCase("HO*ST", NameValidation.NameTypeMessageDest, Win32Error.InvalidName)]
    [TestCase("x", 0u, Win32Error.InvalidParameter)]
    [TestCase("x", 14u, Win32Error.InvalidParameter)]
    public void NetprNameValidate_NameAndType_StatusBySpecTable(string name, uint nameType, uint expected)
    {
        Assert.That(Invoke(Service(), SrvsvcService.OpNetprNameValidate, ServerStringAnd(name, nameType, 0), out var resp), Is.Zero);
        var r = new NdrReader(resp);
        Assert.That((U32(ref r), r.AtEnd), Is.EqualTo((expected, true)));
    }

    [Test]
    public void NetprNameValidate_LengthLimits_MaxAcceptedOneMoreRejected()
    {
        for (uint type = 1; type <= 13; type++)
        {
            var (_, max) = NameValidation.LengthRange(type);
            string ok = new string('A', max - (type == NameValidation.NameTypeMessageDest ? 1 : 0))
                + (type == NameValidation.NameTypeMessageDest ? "*" : "");
            Assert.That(NameValidation.Validate(ok, type, 0), Is.EqualTo(Win32Error.Success), $"type {type}");
            Assert.That(NameValidation.Validate(new string('A', max + 1), type, 0), Is.EqualTo(Win32Error.InvalidName), $"type {type}");
        }
    }

    [Test]
    public void NetprNameValidate_ReservedFlags_InvalidParameter()
    {
        Invoke(Service(), SrvsvcService.OpNetprNameValidate, ServerStringAnd("share", 9, 0x80000000), out var resp);
        Assert.That(new NdrReader(resp).TryReadUInt32(out uint status) && status == Win32Error.InvalidParameter);
    }

    [TestCase(@"C:\tmp\ref-samba-rpc\share", 0u, Win32Error.Success)]
    [TestCase(@"c:\TMP\ref-samba-rpc\share\", 0u, Win32Error.Success)]
    [TestCase("C:", 0u, Win32Error.Success)]
    [TestCase("", 3u, Win32Error.Success)] // IPC$'s path, without STYPE_SPECIAL
    [TestCase(@"C:\elsewhere", 0u, Win32Error.DeviceNotShared)]
    [TestCase("D:", 0u, Win32Error.DeviceNotShared)]
    public void NetrShareCheck_Device_TypeOfTheShareOnIt(string device, uint type, uint expected)
    {
        Assert.That(Invoke(Service(), SrvsvcService.OpNetrShareCheck, ServerStringAnd(device), out var resp), Is.Zero);
        var r = new NdrReader(resp);
        Assert.That((U32(ref r), U32(ref r), r.AtEnd), Is.EqualTo((type, expected, true)));
    }

    private static IEnumerable<TestCaseData> Requests()
    {
        yield return new TestCaseData(SrvsvcService.OpNetrServerGetInfo, ServerAnd(503)).SetArgDisplayNames("ServerGetInfo");
        yield return new TestCaseData(SrvsvcService.OpNetrServerDiskEnum, DiskEnum(0)).SetArgDisplayNames("ServerDiskEnum");
        yield return new TestCaseData(SrvsvcService.OpNetrServerTransportEnum, Enum(1, true, [], resume: 0)).SetArgDisplayNames("ServerTransportEnum");
        yield return new TestCaseData(SrvsvcService.OpNetrRemoteTOD, ServerAnd()).SetArgDisplayNames("RemoteTOD");
        yield return new TestCaseData(SrvsvcService.OpNetprNameValidate, ServerStringAnd("name", 9, 0)).SetArgDisplayNames("NameValidate");
        yield return new TestCaseData(SrvsvcService.OpNetrShareCheck, ServerStringAnd(@"C:\x")).SetArgDisplayNames("ShareCheck");
        yield return new TestCaseData(SrvsvcService.OpNetrShareEnumSticky, Enum(502, true, [], resume: 0)).SetArgDisplayNames("ShareEnumSticky");
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
}
