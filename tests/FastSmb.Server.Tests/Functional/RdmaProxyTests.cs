using System.Diagnostics;
using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Datapath.Identity;
using FastSmb.SmbDirect.Rdma.Soft;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Datapath.SmbDirect.Proxy;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.Server.Tests.Functional.Support;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// `fastsmb rdma-proxy` (the smbd-d plan): the proxy owns the soft-RDMA listener and the client's queue pair, and hands
/// the server each SMB Direct connection as a data socketpair end, a control socketpair end and a payload memfd over
/// the server's hand-off socket. The client logs on and moves READ/WRITE payloads by RDMA through the proxy into the
/// server's files. Run with the proxy in this process and as a separate `fastsmb rdma-proxy` process.
/// </summary>
public class RdmaProxyTests
{
    private static async Task<(SmbServer Server, string ShareDir, ProxyHandoffListener Handoff)> StartServerAsync(string handoffPath)
    {
        var shareDir = Directory.CreateTempSubdirectory("fastsmb-proxy-").FullName;
        var config = new ServerConfig(new GlobalConfig { NetbiosName = "FASTSMBTEST" }, [new ShareConfig(TestServer.ShareName, shareDir)]);
        var log = new RecordingLog();
        var self = ThreadCredentials.Server;
        var users = new InMemoryUserStore().Add(TestServer.User, TestServer.Password, uid: self.Uid, gid: self.Gid);
        var server = ServerHost.CreateServer(config, users, log, log, null);
        var handoff = new ProxyHandoffListener(handoffPath);
        server.Start(handoff);
        await Task.CompletedTask;
        return (server, shareDir, handoff);
    }

    /// <summary>Connects once the proxy listens (it does only while it is connected to the server).</summary>
    private static async Task<SmbDirectConnection> ConnectThroughProxyAsync(string rdmaAddress)
    {
        var provider = new SoftRdmaProvider();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var qp = await provider.ConnectAsync(rdmaAddress, cts.Token);
                return await SmbDirectConnection.ConnectAsync(qp, new SmbDirectOptions(), cts.Token);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task ExerciseAsync(SmbDirectConnection smbd, string shareDir, string name)
    {
        await using var client = new Smb2ClientConnection(new TimeoutStream(new SmbDirectStream(smbd), TestServer.ReadTimeout));
        Assert.That((await client.NegotiateAsync([Smb2Dialect.Smb302, Smb2Dialect.Smb311])).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await client.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success), "logon through the proxy");
        var (status, tree, _) = await client.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var (cs, file, _) = await client.CreateAsync(tree, name, FileClient.OverwriteIf);
        Assert.That(cs, Is.EqualTo(NtStatus.Success));

        const int Size = 512 * 1024;
        var data = new byte[Size];
        for (int i = 0; i < Size; i++) data[i] = (byte)(i * 17 + (i >> 9));
        using var buffer = new Smb2ClientRdmaBuffer(smbd, Size);
        data.CopyTo(buffer.Memory);
        var (ws, written) = await client.WriteRdmaAsync(tree, file, 0, buffer, Size, pieces: 2);
        Assert.That((ws, written), Is.EqualTo((NtStatus.Success, Size)), "WRITE: the proxy RDMA-read the payload into the shared region");
        Assert.That(File.ReadAllBytes(Path.Combine(shareDir, name)), Is.EqualTo(data));

        buffer.Memory.Span.Clear();
        var (rs, count, _) = await client.ReadRdmaAsync(tree, file, 0, buffer, Size, invalidate: true);
        Assert.That((rs, count), Is.EqualTo((NtStatus.Success, Size)), "READ: the proxy RDMA-wrote the shared region to the client");
        Assert.That(buffer.Memory.ToArray(), Is.EqualTo(data));
        Assert.That(buffer.Region.RemoteKeyValid, Is.False, "the response went out as a send-with-invalidate");
        Assert.That(await client.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task InProcessProxy_LogonReadWrite_ServerRestartIsSurvived()
    {
        var handoffPath = RdmaTestKit.NewAddress();
        var rdmaAddress = RdmaTestKit.NewAddress();
        var (server, shareDir, handoff) = await StartServerAsync(handoffPath);
        var proxy = new RdmaProxy(new SoftRdmaProvider(), rdmaAddress, handoffPath, new SmbDirectOptions());
        using var stop = new CancellationTokenSource();
        var running = proxy.RunAsync(stop.Token);
        try
        {
            var smbd = await ConnectThroughProxyAsync(rdmaAddress);
            await ExerciseAsync(smbd, shareDir, "one.bin");
            Assert.That(proxy.HandedOver, Is.EqualTo(1));

            // The server goes away and comes back at the same hand-off socket: the proxy stops accepting meanwhile,
            // then reconnects and hands over new connections again.
            await server.DisposeAsync();
            (server, _, handoff) = await StartServerWithShareAsync(handoffPath, shareDir);
            // A client that reached the proxy while it still believed in the old server would have its connection
            // dropped; wait until the proxy is back with the new one.
            for (int i = 0; i < 200 && handoff.ProxiesSeen == 0; i++) await Task.Delay(50);
            Assert.That(handoff.ProxiesSeen, Is.EqualTo(1), "the proxy reconnected to the restarted server");
            var again = await ConnectThroughProxyAsync(rdmaAddress);
            await ExerciseAsync(again, shareDir, "two.bin");
            Assert.That(proxy.HandedOver, Is.EqualTo(2));
            Assert.That(handoff.RefusedHandoffs, Is.EqualTo(0));
        }
        finally
        {
            stop.Cancel();
            try { await running; } catch (OperationCanceledException) { }
            await server.DisposeAsync();
            try { Directory.Delete(shareDir, recursive: true); } catch (IOException) { }
        }
    }

    private static Task<(SmbServer, string, ProxyHandoffListener)> StartServerWithShareAsync(string handoffPath, string shareDir)
    {
        var config = new ServerConfig(new GlobalConfig { NetbiosName = "FASTSMBTEST" }, [new ShareConfig(TestServer.ShareName, shareDir)]);
        var log = new RecordingLog();
        var self = ThreadCredentials.Server;
        var users = new InMemoryUserStore().Add(TestServer.User, TestServer.Password, uid: self.Uid, gid: self.Gid);
        var server = ServerHost.CreateServer(config, users, log, log, null);
        var handoff = new ProxyHandoffListener(handoffPath);
        server.Start(handoff);
        return Task.FromResult((server, shareDir, handoff));
    }

    [Test]
    public async Task ProxyAsSeparateProcess_LogonReadWrite_ProxyDeathDropsItsConnectionsOnly()
    {
        var handoffPath = RdmaTestKit.NewAddress();
        var rdmaAddress = RdmaTestKit.NewAddress();
        var (server, shareDir, handoff) = await StartServerAsync(handoffPath);
        var fastsmb = Path.Combine(TestContext.CurrentContext.TestDirectory, "fastsmb.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { fastsmb, "rdma-proxy", "--provider", "soft", "--listen", rdmaAddress, "--server", handoffPath })
            psi.ArgumentList.Add(a);
        var child = Process.Start(psi)!;
        var stderr = child.StandardError.ReadToEndAsync();
        try
        {
            var smbd = await ConnectThroughProxyAsync(rdmaAddress);
            await ExerciseAsync(smbd, shareDir, "child.bin");
            Assert.That(handoff.ProxiesSeen, Is.EqualTo(1));

            var second = await ConnectThroughProxyAsync(rdmaAddress);
            child.Kill();
            await child.WaitForExitAsync();
            for (int i = 0; i < 100 && second.IsConnected; i++) await Task.Delay(50);
            Assert.That(second.IsConnected, Is.False, "the proxy's death ends the RDMA connections it owned");

            // A new proxy process takes over at the same addresses.
            child.Dispose();
            child = Process.Start(psi)!;
            stderr = child.StandardError.ReadToEndAsync();
            var third = await ConnectThroughProxyAsync(rdmaAddress);
            await ExerciseAsync(third, shareDir, "child2.bin");
            Assert.That(handoff.ProxiesSeen, Is.EqualTo(2));
        }
        finally
        {
            if (!child.HasExited) child.Kill();
            await child.WaitForExitAsync();
            TestContext.Out.WriteLine(await stderr);
            child.Dispose();
            await server.DisposeAsync();
            try { Directory.Delete(shareDir, recursive: true); } catch (IOException) { }
        }
    }
}
