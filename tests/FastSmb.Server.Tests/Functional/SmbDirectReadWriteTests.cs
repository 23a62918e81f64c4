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
using FastSmb.Protocol.SmbDirect;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.Server.Tests.Functional.Support;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// SMB2 READ and WRITE with SMB2_CHANNEL_RDMA_V1 / _V1_INVALIDATE ([MS-SMB2] 3.3.5.12/3.3.5.13, [MS-SMBD] 3.1.4.5/6)
/// against the real server behind an SMB Direct listener, over soft RDMA (two ends exchanging memfds) and over the fake
/// verbs fabric: the payload moves by one-sided RDMA between the file and the client's registered buffer, never in
/// the SMB2 messages; bad channel info is refused with STATUS_INVALID_PARAMETER; a bad remote key breaks the connection.
/// </summary>
[TestFixture(ProviderKind.Soft)]
[TestFixture(ProviderKind.Fake)]
public class SmbDirectReadWriteTests(ProviderKind kind)
{
    private sealed class Rig : IAsyncDisposable
    {
        public required SmbServer Server;
        public required string ShareDir;
        public required SmbDirectConnection Smbd;
        public required Smb2ClientConnection Client;
        public required uint Tree;
        public required RecordingLog Log;

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            try { Directory.Delete(ShareDir, recursive: true); } catch (IOException) { }
        }
    }

    private async Task<Rig> StartAsync(Smb2Dialect dialect = Smb2Dialect.Smb302)
    {
        var shareDir = Directory.CreateTempSubdirectory("fastsmb-rdmarw-").FullName;
        var config = new ServerConfig(new GlobalConfig { NetbiosName = "FASTSMBTEST" }, [new ShareConfig(TestServer.ShareName, shareDir)]);
        var log = new RecordingLog();
        var self = ThreadCredentials.Server;
        var users = new InMemoryUserStore().Add(TestServer.User, TestServer.Password, uid: self.Uid, gid: self.Gid);
        var server = ServerHost.CreateServer(config, users, log, log, null);
        FastSmb.SmbDirect.Rdma.IRdmaProvider provider = kind == ProviderKind.Fake
            ? new FastSmb.SmbDirect.Rdma.Fake.FakeRdmaProvider { EstablishAfterFirstReceive = true }
            : new FastSmb.SmbDirect.Rdma.Soft.SoftRdmaProvider();
        var address = RdmaTestKit.NewAddress();
        var options = new SmbDirectOptions();
        server.Start(new SmbDirectTransportListener(provider.Listen(address), options));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var qp = await provider.ConnectAsync(address, cts.Token);
        var smbd = await SmbDirectConnection.ConnectAsync(qp, options, cts.Token);
        var client = new Smb2ClientConnection(new TimeoutStream(new SmbDirectStream(smbd), TestServer.ReadTimeout));
        Assert.That((await client.NegotiateAsync([dialect])).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await client.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var (status, tree, _) = await client.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return new Rig { Server = server, ShareDir = shareDir, Smbd = smbd, Client = client, Tree = tree, Log = log };
    }

    private static byte[] Pattern(int length, int seed)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte)(i * 31 + seed + (i >> 12));
        return b;
    }

    [Test]
    public async Task WriteThenRead_OneMegabyte_PayloadMovesByRdma()
    {
        await using var rig = await StartAsync();
        var (status, file, _) = await rig.Client.CreateAsync(rig.Tree, "big.bin", FileClient.OverwriteIf);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        const int Size = 1 << 20;
        var data = Pattern(Size, 5);
        using var buffer = new Smb2ClientRdmaBuffer(rig.Smbd, Size);
        data.CopyTo(buffer.Memory);
        long sentBefore = rig.Smbd.MessagesSent;

        var (ws, written) = await rig.Client.WriteRdmaAsync(rig.Tree, file, 0, buffer, Size, pieces: 4);
        Assert.That((ws, written), Is.EqualTo((NtStatus.Success, Size)), "WRITE over RDMA");
        // 1 MiB inline would take ~800 data transfer messages of MaxSendSize 1364; over RDMA the request is one.
        Assert.That(rig.Smbd.MessagesSent - sentBefore, Is.LessThan(5), "the payload did not travel in messages");
        Assert.That(File.ReadAllBytes(Path.Combine(rig.ShareDir, "big.bin")), Is.EqualTo(data), "the file holds what the client's buffer held");

        buffer.Memory.Span.Clear();
        var (rs, count, response) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 0, buffer, Size, pieces: 3);
        Assert.That((rs, count), Is.EqualTo((NtStatus.Success, Size)), "READ over RDMA");
        Assert.That(ReadResponse.TryParse(response.Message, out var rr) && rr.DataLength == 0, Is.True, "DataLength 0: the data went by RDMA");
        Assert.That(buffer.Memory.ToArray(), Is.EqualTo(data), "the server RDMA-wrote the file into the client's buffer");
        Assert.That(buffer.Region.RemoteKeyValid, Is.True, "RDMA_V1 leaves the registration alone");
        Assert.That(rig.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task SmallIoInline_LargeIoByRdma_ChosenBySize()
    {
        await using var rig = await StartAsync();
        var (_, file, _) = await rig.Client.CreateAsync(rig.Tree, "mixed.bin", FileClient.OverwriteIf);
        const int Small = Smb2ClientRdma.DefaultInlineThreshold, Large = Small + 1;
        var data = Pattern(Large, 3);
        using var buffer = new Smb2ClientRdmaBuffer(rig.Smbd, 65536);
        data.CopyTo(buffer.Memory);

        long sent = rig.Smbd.MessagesSent;
        Assert.That(await rig.Client.WriteAsync(rig.Tree, file, 0, buffer, Small), Is.EqualTo((NtStatus.Success, Small)));
        // inline: 4 KiB + the WRITE header do not fit one MaxSendSize (1364) message
        Assert.That(rig.Smbd.MessagesSent - sent, Is.GreaterThanOrEqualTo(4), "a 4 KiB WRITE travels inline, fragmented");
        sent = rig.Smbd.MessagesSent;
        Assert.That(await rig.Client.WriteAsync(rig.Tree, file, 0, buffer, Large), Is.EqualTo((NtStatus.Success, Large)));
        Assert.That(rig.Smbd.MessagesSent - sent, Is.EqualTo(1), "above the threshold the WRITE is one message, the data by RDMA");
        Assert.That(File.ReadAllBytes(Path.Combine(rig.ShareDir, "mixed.bin")), Is.EqualTo(data));

        buffer.Memory.Span.Clear();
        var (status, count, response) = await rig.Client.ReadAsync(rig.Tree, file, 0, buffer, Small);
        Assert.That((status, count), Is.EqualTo((NtStatus.Success, Small)));
        Assert.That(ReadResponse.TryParse(response.Message, out var inline) && inline.DataLength == Small, Is.True, "the data came in the response");
        Assert.That(buffer.Memory[..Small].ToArray(), Is.EqualTo(data[..Small]));

        buffer.Memory.Span.Clear();
        (status, count, response) = await rig.Client.ReadAsync(rig.Tree, file, 0, buffer, Large);
        Assert.That((status, count), Is.EqualTo((NtStatus.Success, Large)));
        Assert.That(ReadResponse.TryParse(response.Message, out var byRdma) && byRdma.DataLength == 0, Is.True, "the data came by RDMA");
        Assert.That(buffer.Memory[..Large].ToArray(), Is.EqualTo(data));
        Assert.That(rig.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task ReadAtEnd_ShortReadAndEndOfFile()
    {
        await using var rig = await StartAsync();
        var (_, file, _) = await rig.Client.CreateAsync(rig.Tree, "small.bin", FileClient.OverwriteIf);
        var data = Pattern(1000, 9);
        Assert.That(await rig.Client.WriteAsync(rig.Tree, file, 0, data), Is.EqualTo(NtStatus.Success));
        using var buffer = new Smb2ClientRdmaBuffer(rig.Smbd, 65536);

        var (status, count, _) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 0, buffer, 65536);
        Assert.That((status, count), Is.EqualTo((NtStatus.Success, 1000)), "a short read reports what was written");
        Assert.That(buffer.Memory[..1000].ToArray(), Is.EqualTo(data));
        (status, _, _) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 1000, buffer, 4096);
        Assert.That(status, Is.EqualTo(NtStatus.EndOfFile));
    }

    [Test]
    public async Task Invalidate_ResponseRevokesTheClientsKey()
    {
        await using var rig = await StartAsync(Smb2Dialect.Smb302);
        var (_, file, _) = await rig.Client.CreateAsync(rig.Tree, "inv.bin", FileClient.OverwriteIf);
        using var buffer = new Smb2ClientRdmaBuffer(rig.Smbd, 8192);
        var data = Pattern(8192, 1);
        data.CopyTo(buffer.Memory);

        var (ws, written) = await rig.Client.WriteRdmaAsync(rig.Tree, file, 0, buffer, 8192, invalidate: true);
        Assert.That((ws, written), Is.EqualTo((NtStatus.Success, 8192)));
        Assert.That(buffer.Region.RemoteKeyValid, Is.False, "the WRITE response was a send-with-invalidate of the token");

        buffer.Reregister();
        var (rs, count, _) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 0, buffer, 8192, invalidate: true);
        Assert.That((rs, count), Is.EqualTo((NtStatus.Success, 8192)));
        Assert.That(buffer.Memory.ToArray(), Is.EqualTo(data));
        Assert.That(buffer.Region.RemoteKeyValid, Is.False, "the READ response revoked the key too");
    }

    [Test]
    public async Task InvalidateOnSmb300_InvalidParameter()
    {
        await using var rig = await StartAsync(Smb2Dialect.Smb300);
        var (_, file, _) = await rig.Client.CreateAsync(rig.Tree, "f", FileClient.OverwriteIf);
        using var buffer = new Smb2ClientRdmaBuffer(rig.Smbd, 4096);
        var (status, _, _) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 0, buffer, 4096, invalidate: true);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter), "RDMA_V1_INVALIDATE is 3.0.2 and later");
        (status, _) = await rig.Client.WriteRdmaAsync(rig.Tree, file, 0, buffer, 4096);
        Assert.That(status, Is.EqualTo(NtStatus.Success), "RDMA_V1 is fine on 3.0");
    }

    [Test]
    public async Task BadChannelInfo_InvalidParameter_ConnectionStays()
    {
        await using var rig = await StartAsync();
        var (_, file, _) = await rig.Client.CreateAsync(rig.Tree, "bad.bin", FileClient.OverwriteIf);
        using var buffer = new Smb2ClientRdmaBuffer(rig.Smbd, 65536);
        var good = buffer.ChannelInfo(4096);

        // Descriptors that add up to less than the transfer.
        var (status, _, _) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 0, buffer, 8192, channelInfo: good);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter), "READ: descriptors shorter than Length");
        (status, _) = await rig.Client.WriteRdmaAsync(rig.Tree, file, 0, buffer, 8192, channelInfo: good);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter), "WRITE: descriptors shorter than RemainingBytes");
        // A partial descriptor.
        (status, _, _) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 0, buffer, 100, channelInfo: good[..15]);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter), "15 bytes of channel info");
        // More descriptors than accepted (16).
        (status, _) = await rig.Client.WriteRdmaAsync(rig.Tree, file, 0, buffer, 17 * 16, pieces: 17);
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter), "17 descriptors");
        // Over MaxReadWriteSize.
        (status, _, _) = await rig.Client.ReadRdmaAsync(rig.Tree, file, 0, buffer, (1 << 20) + 1, channelInfo: new BufferDescriptorV1[] {
            new(buffer.Region.RemoteAddress, buffer.Region.RemoteKey, (1 << 20) + 1) }.SelectMany(ToBytes).ToArray());
        Assert.That(status, Is.EqualTo(NtStatus.InvalidParameter), "over MaxReadWriteSize");
        // WRITE over RDMA that also carries inline data.
        var response = await rig.Client.SendAsync(Smb2Command.Write, body =>
        {
            int n = WriteRequest.Write(body, 0, file, new byte[10]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(body[32..], Smb2Channel.RdmaV1);
            return n;
        }, rig.Tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter), "RDMA channel with Length != 0");

        // None of it broke the connection: a good transfer still works.
        var data = Pattern(4096, 3);
        data.CopyTo(buffer.Memory);
        var (ws, n) = await rig.Client.WriteRdmaAsync(rig.Tree, file, 0, buffer, 4096);
        Assert.That((ws, n), Is.EqualTo((NtStatus.Success, 4096)));
        Assert.That(File.ReadAllBytes(Path.Combine(rig.ShareDir, "bad.bin")), Is.EqualTo(data));
    }

    [Test]
    public async Task UnknownRemoteKey_RdmaFails_ConnectionDrops_FileUntouched()
    {
        await using var rig = await StartAsync();
        var (_, file, _) = await rig.Client.CreateAsync(rig.Tree, "key.bin", FileClient.OverwriteIf);
        using var buffer = new Smb2ClientRdmaBuffer(rig.Smbd, 4096);
        var bogus = new BufferDescriptorV1[] { new(buffer.Region.RemoteAddress, buffer.Region.RemoteKey ^ 0x1234, 4096) }
            .SelectMany(ToBytes).ToArray();
        // The server's RDMA read fails with a remote access error: RC puts the queue pair in the error state, so the
        // connection ends ([MS-SMBD] 3.1.4.6 / 3.1.7.2) and no response comes back.
        Assert.That(async () => await rig.Client.WriteRdmaAsync(rig.Tree, file, 0, buffer, 4096, channelInfo: bogus),
            Throws.InstanceOf<Exception>());
        Assert.That(await WaitAsync(() => !rig.Smbd.IsConnected), Is.True, "the SMB Direct connection went down");
        Assert.That(new FileInfo(Path.Combine(rig.ShareDir, "key.bin")).Length, Is.EqualTo(0), "nothing was written");
        Assert.That(rig.Log.Failures, Is.Empty, "a clean drop, not a server exception");
    }

    private static byte[] ToBytes(BufferDescriptorV1 d)
    {
        var b = new byte[BufferDescriptorV1.Size];
        d.Write(b);
        return b;
    }

    private static async Task<bool> WaitAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(50);
        return condition();
    }
}

/// <summary>RDMA channels on a TCP connection ([MS-SMB2] 3.3.5.12/3.3.5.13: "the connection is not RDMA").</summary>
public class RdmaChannelOnTcpTests
{
    [Test]
    public async Task ReadAndWriteWithRdmaChannel_OverTcp_InvalidParameter()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "tcp.bin", FileClient.OverwriteIf);
        var info = new byte[16];
        new BufferDescriptorV1(0x1000, 7, 4096).Write(info);
        var read = await c.SendAsync(Smb2Command.Read, body => ReadRequest.Write(body, 0, 0, 4096, 0, file, 0, Smb2Channel.RdmaV1, 0, info), tree);
        Assert.That(read.Status, Is.EqualTo(NtStatus.InvalidParameter), "READ");
        var write = await c.SendAsync(Smb2Command.Write, body => WriteRequest.WriteRdma(body, 0, file, Smb2Channel.RdmaV1, 4096, info), tree);
        Assert.That(write.Status, Is.EqualTo(NtStatus.InvalidParameter), "WRITE");
        Assert.That(await c.WriteAsync(tree, file, 0, [1, 2, 3]), Is.EqualTo(NtStatus.Success), "plain WRITE still fine");
    }
}
