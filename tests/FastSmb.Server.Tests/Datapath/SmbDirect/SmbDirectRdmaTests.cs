using FastSmb.SmbDirect.Rdma;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Protocol;
using FastSmb.Protocol.SmbDirect;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Datapath.SmbDirect;

/// <summary>
/// The READ/WRITE RDMA data path: the client registers a buffer and advertises it as buffer descriptors; the server
/// validates the channel info ([MS-SMB2] 3.3.5.12/3.3.5.13) and RDMA-writes a READ's payload into it or RDMA-reads a
/// WRITE's payload out of it; SMB2_CHANNEL_RDMA_V1_INVALIDATE revokes the client's token with the response.
/// </summary>
[TestFixture(ProviderKind.Fake)]
[TestFixture(ProviderKind.Soft)]
public class SmbDirectRdmaTests(ProviderKind kind)
{
    private const RdmaAccess ClientBuffer = RdmaAccess.LocalWrite | RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite;

    private static byte[] Info(params BufferDescriptorV1[] d)
    {
        var b = new byte[d.Length * 16];
        BufferDescriptorList.Write(b, d);
        return b;
    }

    /// <summary>The client's registration reaches the server before the request naming it, as in SMB2 (the request follows it on the same connection).</summary>
    private static async Task AnnounceAsync(SmbDirectConnection client, SmbDirectConnection server)
    {
        await client.SendMessageAsync(new byte[] { 1 });
        await server.ReceiveMessageAsync(CancellationToken.None);
    }

    [Test]
    public async Task ReadPayload_RdmaWrittenAcrossTwoDescriptors()
    {
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind);
        await using (c) await using (s)
        {
            using var buffer = c.QueuePair.RegisterMemory(300_000, ClientBuffer);
            await AnnounceAsync(c, s);
            var info = Info(new(buffer.RemoteAddress, buffer.RemoteKey, 100_000), new(buffer.RemoteAddress + 200_000, buffer.RemoteKey, 100_000));
            var status = RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, info, 150_000, true, s.Parameters.MaxReadWriteSize, 16, out var plan);
            Assert.That(status, Is.EqualTo(NtStatus.Success));
            var payload = new byte[150_000];
            new Random(3).NextBytes(payload);
            Assert.That(await s.RdmaWriteAsync(plan!.Value.Descriptors, payload), Is.True);
            Assert.That(buffer.Memory.Span[..100_000].ToArray(), Is.EqualTo(payload[..100_000]));
            Assert.That(buffer.Memory.Span[200_000..250_000].ToArray(), Is.EqualTo(payload[100_000..]));
            Assert.That(buffer.Memory.Span[100_000..200_000].ToArray(), Is.All.EqualTo((byte)0), "the gap between descriptors is untouched");
        }
    }

    [Test]
    public async Task WritePayload_RdmaReadFromClient_AndInvalidatedWithTheResponse()
    {
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind);
        await using (c) await using (s)
        {
            using var buffer = c.QueuePair.RegisterMemory(1 << 20, ClientBuffer);
            new Random(4).NextBytes(buffer.Memory.Span);
            await AnnounceAsync(c, s);
            var info = Info(new BufferDescriptorV1(buffer.RemoteAddress, buffer.RemoteKey, 1 << 20));
            Assert.That(RdmaChannel.ValidateWriteInline(Smb2Channel.RdmaV1Invalidate, 0), Is.EqualTo(NtStatus.Success));
            var status = RdmaChannel.Validate(0x0311, Smb2Channel.RdmaV1Invalidate, info, 1 << 20, true, s.Parameters.MaxReadWriteSize, 16, out var plan);
            Assert.That((status, plan!.Value.Invalidate, plan.Value.InvalidateToken), Is.EqualTo((NtStatus.Success, true, buffer.RemoteKey)));
            var data = new byte[1 << 20];
            Assert.That(await s.RdmaReadAsync(plan.Value.Descriptors, data), Is.True);
            Assert.That(data, Is.EqualTo(buffer.Memory.ToArray()));

            s.InvalidateOnNextSend(plan.Value.InvalidateToken);
            await s.SendMessageAsync(new byte[] { 0xFE });  // the WRITE response
            Assert.That(await c.ReceiveMessageAsync(CancellationToken.None), Is.EqualTo(new byte[] { 0xFE }));
            Assert.That(buffer.RemoteKeyValid, Is.False, "SMB2_CHANNEL_RDMA_V1_INVALIDATE: the response revoked the token");
        }
    }

    [Test]
    public async Task RdmaWrite_UnknownToken_ConnectionDropped()
    {
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind);
        await using (c) await using (s)
        {
            using var buffer = c.QueuePair.RegisterMemory(4096, ClientBuffer);
            await AnnounceAsync(c, s);
            var bad = new BufferDescriptorV1[] { new(buffer.RemoteAddress, buffer.RemoteKey + 1, 4096) };
            Assert.That(await s.RdmaWriteAsync(bad, new byte[4096]), Is.False);
            Assert.That(s.DisconnectReason, Does.Contain("RemoteAccessError"));
            Assert.That(await c.ReceiveMessageAsync(CancellationToken.None), Is.Null, "an RDMA error breaks the connection for both sides");
        }
    }

    [Test]
    public async Task RdmaRead_PastTheRegisteredLength_ConnectionDropped()
    {
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind);
        await using (c) await using (s)
        {
            using var buffer = c.QueuePair.RegisterMemory(4096, ClientBuffer);
            await AnnounceAsync(c, s);
            var tooLong = new BufferDescriptorV1[] { new(buffer.RemoteAddress, buffer.RemoteKey, 8192) };
            Assert.That(await s.RdmaReadAsync(tooLong, new byte[8192]), Is.False);
            Assert.That(s.IsConnected, Is.False);
        }
    }
}

/// <summary>[MS-SMB2] 3.3.5.12/3.3.5.13 channel checks: each invalid case answers STATUS_INVALID_PARAMETER before any I/O.</summary>
public class RdmaChannelTests
{
    private static readonly byte[] One = Desc(1);

    private static byte[] Desc(int count)
    {
        var b = new byte[count * 16];
        for (int i = 0; i < count; i++) new BufferDescriptorV1(0x1000 * (ulong)(i + 1), 7, 65536).Write(b.AsSpan(i * 16));
        return b;
    }

    [Test]
    public void ChannelNone_NoPlan() =>
        Assert.That((RdmaChannel.Validate(0x0302, Smb2Channel.None, default, 65536, false, 1 << 20, 16, out var plan), plan),
            Is.EqualTo((NtStatus.Success, (RdmaChannel.Plan?)null)));

    [TestCase(0x0302, Smb2Channel.RdmaV1, 65536u, true, TestName = "{m}_RdmaV1")]
    [TestCase(0x0302, Smb2Channel.RdmaV1Invalidate, 65536u, true, TestName = "{m}_InvalidateOn302")]
    [TestCase(0x0300, Smb2Channel.RdmaV1, 65536u, true, TestName = "{m}_RdmaV1On300")]
    public void Valid_Accepted(int dialect, uint channel, uint length, bool rdma) =>
        Assert.That(RdmaChannel.Validate((ushort)dialect, channel, One, length, rdma, 1 << 20, 16, out _), Is.EqualTo(NtStatus.Success));

    [TestCase(0x0300, Smb2Channel.RdmaV1Invalidate, TestName = "{m}_InvalidateOn300")]
    [TestCase(0x0311, Smb2Channel.RdmaTransform, TestName = "{m}_RdmaTransformNotSupported")]
    [TestCase(0x0311, 7u, TestName = "{m}_UnknownChannel")]
    [TestCase(0x0210, Smb2Channel.RdmaV1, TestName = "{m}_Smb21")]
    public void ChannelNotAllowed_InvalidParameter(int dialect, uint channel) =>
        Assert.That(RdmaChannel.Validate((ushort)dialect, channel, One, 4096, true, 1 << 20, 16, out _), Is.EqualTo(NtStatus.InvalidParameter));

    [Test]
    public void RdmaChannelOnTcp_InvalidParameter() =>
        Assert.That(RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, One, 4096, connectionIsRdma: false, 1 << 20, 16, out _),
            Is.EqualTo(NtStatus.InvalidParameter));

    [Test]
    public void NoChannelInfo_InvalidParameter() =>
        Assert.That(RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, default, 4096, true, 1 << 20, 16, out _), Is.EqualTo(NtStatus.InvalidParameter));

    [TestCase(15), TestCase(17), TestCase(31)]
    public void PartialDescriptor_InvalidParameter(int length) =>
        Assert.That(RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, Desc(2).AsSpan(0, length), 4096, true, 1 << 20, 16, out _),
            Is.EqualTo(NtStatus.InvalidParameter));

    [Test]
    public void TooManyDescriptors_InvalidParameter()
    {
        Assert.That(RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, Desc(16), 4096, true, 1 << 20, 16, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, Desc(17), 4096, true, 1 << 20, 16, out _), Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public void DescriptorsShorterThanTransfer_InvalidParameter() =>
        Assert.That(RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, One, 65537, true, 1 << 20, 16, out _), Is.EqualTo(NtStatus.InvalidParameter));

    [Test]
    public void TransferOverMaxReadWriteSize_InvalidParameter() =>
        Assert.That(RdmaChannel.Validate(0x0302, Smb2Channel.RdmaV1, Desc(16), (1 << 20) + 1, true, 1 << 20, 16, out _), Is.EqualTo(NtStatus.InvalidParameter));

    [Test]
    public void WriteOverRdmaWithInlineData_InvalidParameter() =>
        Assert.That(RdmaChannel.ValidateWriteInline(Smb2Channel.RdmaV1, 10), Is.EqualTo(NtStatus.InvalidParameter));
}
