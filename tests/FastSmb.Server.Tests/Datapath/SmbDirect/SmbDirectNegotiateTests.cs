using FastSmb.Datapath.SmbDirect;
using FastSmb.Protocol;
using FastSmb.Protocol.SmbDirect;
using FastSmb.Server.Tests.Datapath.Rdma;
using FastSmb.SmbDirect;

namespace FastSmb.Server.Tests.Datapath.SmbDirect;

/// <summary>[MS-SMBD] 3.1.5.2/3.1.5.3/3.1.5.6/3.1.5.7 over the fake verbs provider and over soft RDMA.</summary>
[TestFixture(ProviderKind.Fake)]
[TestFixture(ProviderKind.Soft)]
public class SmbDirectNegotiateTests(ProviderKind kind)
{
    [Test]
    public async Task Negotiate_BothSides_SettleOnTheSmallerLimits()
    {
        var server = SmbDirectTestKit.Small with { MaxReceiveSize = 4096, MaxSendSize = 2048, MaxReadWriteSize = 512 * 1024 };
        var client = SmbDirectTestKit.Small with { MaxReceiveSize = 1024, MaxSendSize = 8192 };
        var (c, s) = await SmbDirectTestKit.ConnectAsync(kind, client, server);
        await using (c) await using (s)
        {
            // Client sends: min(its MaxSendSize 8192, server MaxReceiveSize 4096). Server sends: min(2048, client MaxReceiveSize 1024).
            Assert.That((c.Parameters.MaxSendSize, s.Parameters.MaxSendSize), Is.EqualTo((4096, 1024)));
            // Receive sizes shrink to what the other side prefers to send.
            Assert.That((c.Parameters.MaxReceiveSize, s.Parameters.MaxReceiveSize), Is.EqualTo((1024, 4096)));
            Assert.That(c.Parameters.MaxReadWriteSize, Is.EqualTo(512 * 1024));
            Assert.That(c.Parameters.InitialSendCredits, Is.EqualTo(16), "the response grants the server's posted receives");
            Assert.That(s.Parameters.InitialSendCredits, Is.EqualTo(0), "the request grants nothing");
        }
    }

    [TestCase((ushort)0x0200, (ushort)0x0200)]
    [TestCase((ushort)0x0000, (ushort)0x00FF)]
    public async Task Negotiate_NoCommonVersion_NotSupportedResponseThenDisconnect(ushort min, ushort max)
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var accept = SmbDirectConnection.AcceptAsync(server, SmbDirectTestKit.Small, CancellationToken.None);
        var req = new byte[20];
        SmbDirectNegotiateRequest.Write(req, 10, 1024, 1024, 131072, min, max);
        raw.Send(req);
        var response = await raw.ReceiveAsync();
        Assert.That(response, Is.Not.Null);
        Assert.That(SmbDirectNegotiateResponse.TryParse(response!, out var r), Is.True);
        Assert.That((r.Status, r.NegotiatedVersion, r.CreditsGranted, r.MaxReadWriteSize), Is.EqualTo((NtStatus.NotSupported, (ushort)0, (ushort)0, 0u)));
        Assert.ThrowsAsync<SmbDirectConnection.NegotiationFailedException>(async () => await accept);
        Assert.That(await raw.DisconnectedAsync(), Is.True);
    }

    [TestCase(0, 1024u, 131072u, TestName = "{m}_ZeroCreditsRequested")]
    [TestCase(10, 127u, 131072u, TestName = "{m}_MaxReceiveSizeUnder128")]
    [TestCase(10, 1024u, 131071u, TestName = "{m}_MaxFragmentedSizeUnder128KiB")]
    public async Task Negotiate_TooSmall_TerminatedWithoutResponse(int credits, uint maxReceive, uint maxFragmented)
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var accept = SmbDirectConnection.AcceptAsync(server, SmbDirectTestKit.Small, CancellationToken.None);
        var req = new byte[20];
        SmbDirectNegotiateRequest.Write(req, (ushort)credits, 1024, maxReceive, maxFragmented);
        raw.Send(req);
        Assert.ThrowsAsync<SmbDirectConnection.NegotiationFailedException>(async () => await accept);
        Assert.That(await raw.ReceiveAsync(TimeSpan.FromMilliseconds(300)), Is.Null, "no response");
        Assert.That(await raw.DisconnectedAsync(), Is.True);
    }

    [Test]
    public async Task Negotiate_ShortRequest_Terminated()
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var accept = SmbDirectConnection.AcceptAsync(server, SmbDirectTestKit.Small, CancellationToken.None);
        var req = new byte[20];
        SmbDirectNegotiateRequest.Write(req, 10, 1024, 1024, 131072);
        raw.Send(req.AsSpan(0, 19));
        Assert.ThrowsAsync<SmbDirectConnection.NegotiationFailedException>(async () => await accept);
        Assert.That(await raw.DisconnectedAsync(), Is.True);
    }

    [Test]
    public async Task Negotiate_ServerSilent_TimesOut()
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(client);
        var options = SmbDirectTestKit.Small with { NegotiateTimeout = TimeSpan.FromMilliseconds(300) };
        var ex = Assert.ThrowsAsync<SmbDirectConnection.NegotiationFailedException>(async () =>
            await SmbDirectConnection.AcceptAsync(server, options, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("timed out"));
    }

    [TestCase(NtStatus.AccessDenied, (ushort)0x0100, (ushort)10, 1024u, TestName = "{m}_FailureStatus")]
    [TestCase(NtStatus.Success, (ushort)0x0200, (ushort)10, 1024u, TestName = "{m}_WrongVersion")]
    [TestCase(NtStatus.Success, (ushort)0x0100, (ushort)0, 1024u, TestName = "{m}_NoCreditsGranted")]
    [TestCase(NtStatus.Success, (ushort)0x0100, (ushort)10, 100000u, TestName = "{m}_PreferredSendSizeOverOurReceiveSize")]
    public async Task Negotiate_ClientRejectsBadResponse(NtStatus status, ushort version, ushort granted, uint preferredSend)
    {
        var (client, server) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using var raw = new SmbDirectTestKit.RawPeer(server);
        var connect = SmbDirectConnection.ConnectAsync(client, SmbDirectTestKit.Small, CancellationToken.None);
        var request = await raw.ReceiveAsync();
        Assert.That(SmbDirectNegotiateRequest.TryParse(request!, out var q), Is.True);
        Assert.That((q.MinVersion, q.MaxVersion, q.CreditsRequested, q.PreferredSendSize, q.MaxReceiveSize, q.MaxFragmentedSize),
            Is.EqualTo(((ushort)0x0100, (ushort)0x0100, (ushort)16, 1364u, 1364u, 1u << 20)), "3.1.5.2");
        var resp = new byte[32];
        SmbDirectNegotiateResponse.Write(resp, 10, granted, 1 << 20, preferredSend, 1024, 131072);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(resp.AsSpan(4), version);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(resp.AsSpan(12), (uint)status);
        raw.Send(resp);
        Assert.ThrowsAsync<SmbDirectConnection.NegotiationFailedException>(async () => await connect);
    }
}
