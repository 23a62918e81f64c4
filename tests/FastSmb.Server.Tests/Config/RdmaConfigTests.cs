using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.SmbDirect.Rdma.Verbs;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Datapath.SmbDirect.Proxy;
using FastSmb.Server.Tests.Datapath.Rdma;

namespace FastSmb.Server.Tests.Config;

/// <summary>"fastsmb rdma provider/listen/port" and what start-up makes of them (RdmaListeners).</summary>
public class RdmaConfigTests
{
    [Test]
    public void Provider_ParsedWrittenBack_BadValuesRefused()
    {
        var g = SmbConfParser.Parse("[global]\n").Config!.Global;
        Assert.That((g.RdmaProvider, g.RdmaListen, g.RdmaPort), Is.EqualTo((RdmaProviderKind.None, (string?)null, 5445)));
        var c = SmbConfParser.Parse("[global]\n fastsmb rdma provider = Soft\n fastsmb rdma listen = /run/x.sock\n fastsmb rdma port = 445\n").Config!;
        Assert.That((c.Global.RdmaProvider, c.Global.RdmaListen, c.Global.RdmaPort), Is.EqualTo((RdmaProviderKind.Soft, "/run/x.sock", 445)));
        var back = SmbConfParser.Parse(SmbConfWriter.Format(c)).Config!.Global;
        Assert.That((back.RdmaProvider, back.RdmaListen, back.RdmaPort), Is.EqualTo((RdmaProviderKind.Soft, "/run/x.sock", 445)));
        foreach (var (key, bad) in new[] { ("fastsmb rdma provider", "infiniband"), ("fastsmb rdma provider", "2"),
                     ("fastsmb rdma port", "0"), ("fastsmb rdma port", "70000") })
        {
            var r = SmbConfParser.Parse($"[global]\n {key} = {bad}\n");
            Assert.That(r.Errors, Has.Count.EqualTo(1), bad);
            Assert.That(r.Errors[0], Does.Contain(key), bad);
        }
    }

    [Test]
    public async Task Listeners_PerProvider()
    {
        Assert.That(RdmaListeners.Create(new GlobalConfig()), Is.Empty, "none: no SMB Direct");
        var soft = RdmaListeners.Create(new GlobalConfig { RdmaProvider = RdmaProviderKind.Soft, RdmaListen = RdmaTestKit.NewAddress() });
        Assert.That(soft.Single(), Is.InstanceOf<SmbDirectTransportListener>());
        await soft[0].DisposeAsync();
        var proxy = RdmaListeners.Create(new GlobalConfig { RdmaProvider = RdmaProviderKind.Proxy, RdmaListen = RdmaTestKit.NewAddress() });
        Assert.That(proxy.Single(), Is.InstanceOf<ProxyHandoffListener>());
        await proxy[0].DisposeAsync();
    }

    [Test]
    public void VerbsAddresses_ExplicitThenRdmaInterfacesThenAny()
    {
        Assert.That(RdmaListeners.VerbsAddresses(new GlobalConfig { RdmaListen = "10.1.2.3" }), Is.EqualTo(new[] { "10.1.2.3:5445" }));
        Assert.That(RdmaListeners.VerbsAddresses(new GlobalConfig { RdmaListen = "fe80::1", RdmaPort = 445 }), Is.EqualTo(new[] { "[fe80::1]:445" }));
        Assert.That(RdmaListeners.VerbsAddresses(new GlobalConfig { RdmaListen = "10.1.2.3:7000" }), Is.EqualTo(new[] { "10.1.2.3:7000" }));
        // The loopback address is the one this host surely has; marked RDMA-capable, it is where verbs listens.
        Assert.That(RdmaListeners.VerbsAddresses(new GlobalConfig { Interfaces = ["127.0.0.1;capability=RDMA"] }), Is.EqualTo(new[] { "127.0.0.1:5445" }));
        Assert.That(RdmaListeners.VerbsAddresses(new GlobalConfig { Interfaces = ["127.0.0.1;capability=RSS"] }), Is.EqualTo(new[] { "0.0.0.0:5445" }),
            "no RDMA-capable interface listed: every RDMA device");
        Assert.That(VerbsRdmaProvider.Split("[fe80::1]:445"), Is.EqualTo(("fe80::1", 445)));
        Assert.That(VerbsRdmaProvider.Split("10.0.0.1"), Is.EqualTo(("10.0.0.1", 5445)));
    }
}

/// <summary>
/// The verbs provider on this host. The tests run where there is no RDMA device (CI, this machine); what they assert
/// follows from what /sys says the host has, so on an RDMA host they check the other side.
/// </summary>
public class VerbsProviderTests
{
    private static bool HostHasRdmaDevice =>
        Directory.Exists("/sys/class/infiniband") && Directory.EnumerateFileSystemEntries("/sys/class/infiniband").Any();

    [Test]
    public void WithoutDevice_FailsWithAClearError()
    {
        var why = VerbsRdmaProvider.Unavailable();
        if (HostHasRdmaDevice)
        {
            Assert.That(why, Is.Null, "an RDMA host with the shim built can run verbs");
            return;
        }
        Assert.That(why, Is.Not.Null);
        Assert.That(why, Does.Contain("no RDMA device").Or.Contain("libfastsmb_rdma.so").Or.Contain("kernel has no RDMA support"));
        var e = Assert.Throws<RdmaUnavailableException>(() => _ = new VerbsRdmaProvider());
        Assert.That(e!.Message, Is.EqualTo(why));
        // Start-up with the verbs provider refuses the same way, before any listener exists.
        var start = Assert.Throws<RdmaUnavailableException>(() => RdmaListeners.Create(new GlobalConfig { RdmaProvider = RdmaProviderKind.Verbs }));
        Assert.That(start!.Message, Is.EqualTo(why));
    }

    [Test]
    public void Shim_IsBuiltWhereRdmaCoreHeadersAreInstalled()
    {
        bool headers = File.Exists("/usr/include/infiniband/verbs.h") && File.Exists("/usr/include/rdma/rdma_cma.h");
        bool shim = File.Exists(Path.Combine(TestContext.CurrentContext.TestDirectory, "libfastsmb_rdma.so"));
        Assert.That(shim, Is.EqualTo(headers), "the cmake build makes libfastsmb_rdma.so exactly when libibverbs-dev and librdmacm-dev are there");
        if (shim && !HostHasRdmaDevice)
            Assert.That(VerbsRdmaProvider.Unavailable(), Does.StartWith("no RDMA device").Or.StartWith("ibv_get_device_list failed"),
                "the shim loads and reports what the host lacks (a device, or the kernel's RDMA support)");
    }
}
