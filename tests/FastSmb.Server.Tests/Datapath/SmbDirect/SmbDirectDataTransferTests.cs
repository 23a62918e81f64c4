using FastSmb.SmbDirect.Rdma.Fake;
using FastSmb.Datapath.SmbDirect;
using FastSmb.Protocol.SmbDirect;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Datapath.SmbDirect;

/// <summary>[MS-SMBD] 3.1.5.1/3.1.5.5/3.1.5.8/3.1.5.9/3.1.6.2: credits, fragmentation, reassembly, keep-alive.</summary>
[TestFixture(ProviderKind.Fake)]
[TestFixture(ProviderKind.Soft)]
public class SmbDirectDataTransferTests(ProviderKind kind)
{
    private static byte[] Pattern(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Test]
    public async Task OneMiBMessage_FragmentedAndReassembled_BothWays()
    {
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind);
        await using (c) await using (s)
        {
            var up = Pattern(1 << 20, 1);
            var down = Pattern(1 << 20, 2);
            long before = c.MessagesSent;
            var send = c.SendMessageAsync(up);
            var got = await s.ReceiveMessageAsync(CancellationToken.None);
            await send;
            Assert.That(got, Is.EqualTo(up));
            int perFragment = 1364 - 24;
            Assert.That(c.MessagesSent - before, Is.GreaterThanOrEqualTo((1 << 20) / perFragment + 1), "one data transfer per MaxSendSize - 24 bytes");

            var back = s.SendMessageAsync(down);
            Assert.That(await c.ReceiveMessageAsync(CancellationToken.None), Is.EqualTo(down));
            await back;
            Assert.That((c.IsConnected, s.IsConnected), Is.EqualTo((true, true)));
        }
    }

    [Test]
    public async Task Message_OverPeersMaxFragmentedSize_LocalError()
    {
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind, server: SmbDirectTestKit.Small with { MaxFragmentedSize = 131072 });
        await using (c) await using (s)
        {
            Assert.Throws<ArgumentException>(() => c.SendMessageAsync(new byte[131073]));
            await c.SendMessageAsync(new byte[131072]);
            Assert.That((await s.ReceiveMessageAsync(CancellationToken.None))!.Length, Is.EqualTo(131072));
        }
    }

    [Test]
    public async Task ManyMessages_FewCredits_AllArriveInOrderWithoutOverrunningReceives()
    {
        // The server posts only 4 receives, so the client runs out of credits again and again and must wait for grants;
        // over the fake provider a send without a posted receive would break the connection (RNR).
        var server = SmbDirectTestKit.Small with { ReceiveCreditMax = 4 };
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind, server: server);
        await using (c) await using (s)
        {
            Assert.That(c.Parameters.InitialSendCredits, Is.EqualTo(4));
            var sends = Enumerable.Range(0, 200).Select(i => c.SendMessageAsync(BitConverter.GetBytes(i))).ToList();
            for (int i = 0; i < 200; i++)
            {
                var m = await s.ReceiveMessageAsync(CancellationToken.None);
                Assert.That(BitConverter.ToInt32(m!), Is.EqualTo(i));
                Assert.That(c.SendCredits, Is.LessThanOrEqualTo(4));
            }
            await Task.WhenAll(sends);
            Assert.That((c.IsConnected, s.IsConnected), Is.EqualTo((true, true)), c.DisconnectReason ?? s.DisconnectReason);
        }
    }

    [Test]
    public async Task Peer_SendsWithoutCredit_ConnectionTerminated()
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var accept = SmbDirectConnection.AcceptAsync(server, SmbDirectTestKit.Small with { ReceiveCreditMax = 2 }, CancellationToken.None);
        var req = new byte[20];
        SmbDirectNegotiateRequest.Write(req, 10, 1024, 1024, 131072);
        raw.Send(req);
        Assert.That(SmbDirectNegotiateResponse.TryParse((await raw.ReceiveAsync())!, out var r), Is.True);
        Assert.That(r.CreditsGranted, Is.EqualTo(2));
        await using var s = await accept;
        var msg = new byte[28];
        // Three messages on two credits, granting none back (so the server cannot answer either).
        for (int i = 0; i < 3; i++)
        {
            int at = SmbDirectDataTransfer.WriteHeader(msg, 10, 0, SmbDirectFlags.None, 0, 4);
            BitConverter.GetBytes(i).CopyTo(msg, at);
            raw.Send(msg);
        }
        Assert.That(await raw.DisconnectedAsync(), Is.True);
        await s.Completion;
        Assert.That(s.DisconnectReason, Does.Contain("without a send credit").Or.Contain("RNR").Or.Contain("disconnected"));
    }

    [TestCase(0, 24, 4, 0u, TestName = "{m}_ZeroCreditsRequested")]
    [TestCase(10, 20, 4, 0u, TestName = "{m}_MisalignedDataOffset")]
    [TestCase(10, 24, 8, 0u, TestName = "{m}_DataPastEnd")]
    [TestCase(10, 24, 4, 2000000u, TestName = "{m}_RemainingOverMaxFragmentedSize")]
    public async Task Peer_MalformedDataTransfer_ConnectionTerminated(int creditsRequested, int dataOffset, int dataLength, uint remaining)
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var accept = SmbDirectConnection.AcceptAsync(server, SmbDirectTestKit.Small, CancellationToken.None);
        var req = new byte[20];
        SmbDirectNegotiateRequest.Write(req, 10, 1024, 1024, 131072);
        raw.Send(req);
        await raw.ReceiveAsync();
        await using var s = await accept;
        var msg = new byte[28];
        var span = msg.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)creditsRequested);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[8..], remaining);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)dataOffset);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)dataLength);
        raw.Send(msg);
        Assert.That(await raw.DisconnectedAsync(), Is.True);
        await s.Completion;
        Assert.That(s.IsConnected, Is.False);
    }

    [Test]
    public async Task ResponseRequested_PeerAnswersPromptly_AndGrantsCredits()
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var accept = SmbDirectConnection.AcceptAsync(server, SmbDirectTestKit.Small, CancellationToken.None);
        var req = new byte[20];
        SmbDirectNegotiateRequest.Write(req, 10, 1024, 1024, 131072);
        raw.Send(req);
        await raw.ReceiveAsync();
        await using var s = await accept;
        var ping = new byte[20];
        SmbDirectDataTransfer.WriteHeader(ping, 10, 5, SmbDirectFlags.ResponseRequested, 0, 0);
        raw.Send(ping);
        var answer = await raw.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.That(answer, Is.Not.Null, "3.1.5.8: a message with SMB_DIRECT_RESPONSE_REQUESTED is answered promptly");
        Assert.That(SmbDirectDataTransfer.TryParse(answer!, out var a), Is.True);
        Assert.That((a.DataLength, a.Flags, a.CreditsRequested), Is.EqualTo((0u, SmbDirectFlags.None, (ushort)16)));
        Assert.That(a.CreditsGranted, Is.GreaterThanOrEqualTo((ushort)1), "the used credit is granted back");
    }

    [Test]
    public async Task Keepalive_SilentPeer_AskedThenDisconnected()
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var options = SmbDirectTestKit.Small with { KeepaliveInterval = TimeSpan.FromMilliseconds(300), KeepaliveTimeout = TimeSpan.FromMilliseconds(300) };
        var accept = SmbDirectConnection.AcceptAsync(server, options, CancellationToken.None);
        var req = new byte[20];
        SmbDirectNegotiateRequest.Write(req, 10, 1024, 1024, 131072);
        raw.Send(req);
        await raw.ReceiveAsync();
        await using var s = await accept;
        // Grant the server credits so its keep-alive can go out, then fall silent.
        var grant = new byte[20];
        SmbDirectDataTransfer.WriteHeader(grant, 10, 5, SmbDirectFlags.None, 0, 0);
        raw.Send(grant);
        var keepalive = await raw.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.That(keepalive, Is.Not.Null);
        Assert.That(SmbDirectDataTransfer.TryParse(keepalive!, out var k), Is.True);
        Assert.That((k.Flags, k.DataLength), Is.EqualTo((SmbDirectFlags.ResponseRequested, 0u)));
        Assert.That(await raw.DisconnectedAsync(TimeSpan.FromSeconds(5)), Is.True);
        await s.Completion;
        Assert.That(s.DisconnectReason, Is.EqualTo("keep-alive timed out"));
    }

    [Test]
    public async Task Keepalive_ResponsivePeer_StaysUp()
    {
        var options = SmbDirectTestKit.Small with { KeepaliveInterval = TimeSpan.FromMilliseconds(100), KeepaliveTimeout = TimeSpan.FromMilliseconds(500) };
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind, options, options);
        await using (c) await using (s)
        {
            await c.SendMessageAsync(new byte[10]);
            await s.ReceiveMessageAsync(CancellationToken.None);
            long before = s.MessagesReceived + c.MessagesReceived;
            await Task.Delay(1200);
            Assert.That((c.IsConnected, s.IsConnected), Is.EqualTo((true, true)), c.DisconnectReason ?? s.DisconnectReason);
            Assert.That(s.MessagesReceived + c.MessagesReceived, Is.GreaterThan(before + 2), "keep-alives and their answers flowed");
        }
    }

    [Test]
    public async Task Disconnect_PeerReceiveReturnsNull()
    {
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind);
        await using (s)
        {
            await c.DisposeAsync();
            Assert.That(await s.ReceiveMessageAsync(CancellationToken.None), Is.Null);
            Assert.That(s.DisconnectReason, Is.EqualTo("the peer disconnected"));
        }
    }
}

/// <summary>Fault injection only the fake provider offers: completion reordering between the send and receive queues.</summary>
public class SmbDirectFakeFaultTests
{
    [Test]
    public async Task Negotiate_ResponseCompletesBeforeOwnSend_StillConnects()
    {
        var provider = new FakeRdmaProvider();
        var (ci, si) = provider.CreatePair();
        var accept = SmbDirectConnection.AcceptAsync(si, SmbDirectTestKit.Small, CancellationToken.None);
        ci.HoldSendCompletions = true;  // the server's response completes before our negotiate send does
        var connect = SmbDirectConnection.ConnectAsync(ci, SmbDirectTestKit.Small, CancellationToken.None);
        await Task.Delay(100);
        ci.HoldSendCompletions = false;
        ci.ReleaseHeldCompletions();
        await using var c = await connect;
        await using var s = await accept;
        await c.SendMessageAsync(new byte[5000]);
        Assert.That((await s.ReceiveMessageAsync(CancellationToken.None))!.Length, Is.EqualTo(5000));
    }
}
