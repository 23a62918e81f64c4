using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Datapath.Identity;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.Server.Tests.Functional.Support;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// One session on four SMB Direct channels ([MS-SMB2] 3.2.4.1.7 binding over [MS-SMBD] connections), payloads by RDMA:
/// a channel killed while its WRITE is in flight takes nothing acknowledged with it, the session and the open go on on
/// the other channels, and the write the client saw no answer to, sent again on another channel, completes the file.
/// Over soft RDMA and over the fake verbs fabric.
/// </summary>
[TestFixture(ProviderKind.Soft)]
[TestFixture(ProviderKind.Fake)]
[CancelAfter(60_000)]
public class MultichannelRdmaTests(ProviderKind kind)
{
    private const int Chunk = 64 * 1024;

    [Test]
    public async Task FourRdmaChannels_OneKilledMidWrite_NothingLost()
    {
        var shareDir = Directory.CreateTempSubdirectory("fastsmb-mcrdma-").FullName;
        var config = new ServerConfig(new GlobalConfig { NetbiosName = "FASTSMBTEST" }, [new ShareConfig(TestServer.ShareName, shareDir)]);
        var log = new RecordingLog();
        var self = ThreadCredentials.Server;
        var users = new InMemoryUserStore().Add(TestServer.User, TestServer.Password, uid: self.Uid, gid: self.Gid);
        await using var server = ServerHost.CreateServer(config, users, log, log, null);
        FastSmb.SmbDirect.Rdma.IRdmaProvider provider = kind == ProviderKind.Fake
            ? new FastSmb.SmbDirect.Rdma.Fake.FakeRdmaProvider { EstablishAfterFirstReceive = true }
            : new FastSmb.SmbDirect.Rdma.Soft.SoftRdmaProvider();
        var address = RdmaTestKit.NewAddress();
        var options = new SmbDirectOptions();
        server.Start(new SmbDirectTransportListener(provider.Listen(address), options));

        var guid = Guid.NewGuid();
        var smbd = new SmbDirectConnection[4];
        var c = new Smb2ClientConnection[4];
        var buffers = new Smb2ClientRdmaBuffer[4];
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            for (int i = 0; i < 4; i++)
            {
                var qp = await provider.ConnectAsync(address, cts.Token);
                smbd[i] = await SmbDirectConnection.ConnectAsync(qp, options, cts.Token);
                c[i] = new Smb2ClientConnection(new TimeoutStream(new SmbDirectStream(smbd[i]), TestServer.ReadTimeout));
                Assert.That((await c[i].NegotiateAsync([Smb2Dialect.Smb311], clientGuid: guid,
                    capabilities: (uint)Smb2GlobalCapabilities.MultiChannel)).Status, Is.EqualTo(NtStatus.Success));
                var status = i == 0
                    ? await c[0].LogonAsync(TestServer.User, TestServer.Password)
                    : await c[i].BindAsync(c[0], TestServer.User, TestServer.Password);
                Assert.That(status, Is.EqualTo(NtStatus.Success), i == 0 ? "logon" : $"binding SMB Direct channel {i}");
                c[i].SignRequests = true;
                buffers[i] = new Smb2ClientRdmaBuffer(smbd[i], Chunk);
            }
            var (tc, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
            Assert.That(tc, Is.EqualTo(NtStatus.Success));
            var (cs, file, _) = await c[0].CreateAsync(tree, "mc-rdma.bin", FileClient.Create);
            Assert.That(cs, Is.EqualTo(NtStatus.Success));

            var expected = new byte[8 * Chunk];
            new Random(11).NextBytes(expected);
            // Two rounds of one chunk per channel; channel 1 (not the one that created the session and the open)
            // dies with its second WRITE in flight.
            var unacknowledged = new List<int>();
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < 4; i++)
                {
                    int index = round * 4 + i;
                    expected.AsSpan(index * Chunk, Chunk).CopyTo(buffers[i].Memory.Span);
                    if (round == 1 && i == 1)
                    {
                        var inFlight = c[1].WriteRdmaAsync(tree, file, (ulong)(index * Chunk), buffers[1], Chunk);
                        await smbd[1].DisposeAsync();
                        try
                        {
                            await inFlight;
                        }
                        catch (Exception e) when (e is IOException or ObjectDisposedException or TimeoutException
                                                        or OperationCanceledException or InvalidOperationException)
                        {
                            // no answer: the client cannot tell whether the server wrote it
                        }
                        unacknowledged.Add(index);
                        continue;
                    }
                    var (ws, n) = await c[i].WriteRdmaAsync(tree, file, (ulong)(index * Chunk), buffers[i], Chunk);
                    Assert.That((ws, n), Is.EqualTo((NtStatus.Success, Chunk)), $"WRITE of chunk {index} on channel {i}");
                }
            }
            // The client sends what got no answer again, on a live channel.
            foreach (int index in unacknowledged)
            {
                expected.AsSpan(index * Chunk, Chunk).CopyTo(buffers[3].Memory.Span);
                var (ws, n) = await c[3].WriteRdmaAsync(tree, file, (ulong)(index * Chunk), buffers[3], Chunk);
                Assert.That((ws, n), Is.EqualTo((NtStatus.Success, Chunk)), "the unanswered WRITE again on channel 3");
            }

            var readBack = new byte[expected.Length];
            for (int index = 0; index < 8; index++)
            {
                var (rs, count, _) = await c[2].ReadRdmaAsync(tree, file, (ulong)(index * Chunk), buffers[2], Chunk);
                Assert.That((rs, count), Is.EqualTo((NtStatus.Success, Chunk)), $"READ of chunk {index} by RDMA on channel 2");
                buffers[2].Memory.Span[..Chunk].CopyTo(readBack.AsSpan(index * Chunk));
            }
            Assert.That(readBack, Is.EqualTo(expected), "nothing written is lost");
            Assert.That(await c[0].CloseAsync(tree, file), Is.EqualTo(NtStatus.Success), "the open outlived the killed channel");
            Assert.That(File.ReadAllBytes(Path.Combine(shareDir, "mc-rdma.bin")), Is.EqualTo(expected));
            Assert.That(log.Failures, Is.Empty);
        }
        finally
        {
            foreach (var b in buffers) b?.Dispose();
            foreach (var client in c)
                if (client is not null) await client.DisposeAsync();
            try { Directory.Delete(shareDir, recursive: true); } catch (IOException) { }
        }
    }
}
