using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;
using FastSmb.SmbDirect.Rdma.Soft;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.Server.Tests.Functional.Support;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// FastSmb's real server (control plane, dispatcher, ConnectionOwner — unchanged) behind an SMB Direct listener on
/// soft RDMA, and src/Client's Smb2ClientConnection over a client-side SMB Direct connection wrapped as a Stream:
/// SMB2 NEGOTIATE and SESSION_SETUP travel as MS-SMBD data transfer messages through a Unix socket, with credits,
/// fragmentation (MaxSendSize 1364, so the NTLM messages span several sends) and reassembly on both sides.
/// </summary>
public class SmbDirectEndToEndTests
{
    [Test]
    public async Task Server_NegotiatesAndLogsOn_OverSmbDirectOnSoftRdma()
    {
        var shareDir = Directory.CreateTempSubdirectory("fastsmb-smbd-").FullName;
        var config = new ServerConfig(new GlobalConfig { NetbiosName = "FASTSMBTEST" }, [new ShareConfig(TestServer.ShareName, shareDir)]);
        var log = new RecordingLog();
        var users = new InMemoryUserStore().Add(TestServer.User, TestServer.Password);
        var server = ServerHost.CreateServer(config, users, log, log, null);
        var provider = new SoftRdmaProvider();
        var address = RdmaTestKit.NewAddress();
        var options = new SmbDirectOptions();
        var listener = new SmbDirectTransportListener(provider.Listen(address), options);
        server.Start(listener);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var qp = await provider.ConnectAsync(address, cts.Token);
            var smbd = await SmbDirectConnection.ConnectAsync(qp, options, cts.Token);
            await using var client = new Smb2ClientConnection(new TimeoutStream(new SmbDirectStream(smbd), TestServer.ReadTimeout));

            var negotiate = await client.NegotiateAsync([Smb2Dialect.Smb300, Smb2Dialect.Smb302]);
            Assert.That(negotiate.Status, Is.EqualTo(NtStatus.Success), "NEGOTIATE over SMB Direct");
            Assert.That(await client.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success), "SESSION_SETUP over SMB Direct");
            var (status, _, _) = await client.TreeConnectAsync(TestServer.Unc("IPC$"));
            Assert.That(status, Is.EqualTo(NtStatus.Success), "TREE_CONNECT over SMB Direct");

            Assert.That(log.Logons, Has.Some.StartsWith(TestServer.User));
            Assert.That(smbd.MessagesSent, Is.GreaterThan(3), "the NTLM messages were fragmented into several data transfers");
            Assert.That(log.Failures, Is.Empty);
        }
        finally
        {
            await server.DisposeAsync();
            try { Directory.Delete(shareDir, recursive: true); } catch (IOException) { }
        }
    }
}
