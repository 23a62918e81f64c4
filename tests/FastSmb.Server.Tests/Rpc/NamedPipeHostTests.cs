using FastSmb.Control.Rpc;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Rpc;

public class NamedPipeHostTests
{
    [TestCase("srvsvc")]
    [TestCase("SRVSVC")]
    [TestCase(@"\srvsvc")]
    [TestCase(@"\PIPE\srvsvc")]
    [TestCase(@"pipe\SrvSvc")]
    public void Open_SrvsvcSpelledAnyWay_Succeeds(string name)
    {
        var status = RpcTestKit.Host().Open(name, RpcTestKit.Caller, out var pipe);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(pipe, Is.InstanceOf<RpcPipe>());
        pipe!.Dispose();
    }

    [TestCase("netlogon")]
    [TestCase("lsarpc")]
    [TestCase(@"\PIPE\srvsvc\x")]
    [TestCase("")]
    public void Open_UnknownPipe_ObjectNameNotFound(string name)
    {
        Assert.That(RpcTestKit.Host().Open(name, RpcTestKit.Caller, out var pipe), Is.EqualTo(NtStatus.ObjectNameNotFound));
        Assert.That(pipe, Is.Null);
    }

    [TestCase("wkssvc")]
    [TestCase(@"\PIPE\WKSSVC")]
    public void Open_Wkssvc_Succeeds(string name)
    {
        Assert.That(RpcTestKit.Host().Open(name, RpcTestKit.Caller, out var pipe), Is.EqualTo(NtStatus.Success));
        pipe!.Dispose();
    }

    [Test]
    public void AddPipe_ExtraEndpoint_Opens()
    {
        var host = RpcTestKit.Host().AddPipe("lsarpc", new RpcInterfaceRegistry());
        Assert.That(host.Open(@"\PIPE\LSARPC", RpcTestKit.Caller, out _), Is.EqualTo(NtStatus.Success));
    }
}
