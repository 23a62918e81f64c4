using FastSmb.SmbDirect.Rdma;

namespace FastSmb.Server.Tests.Datapath.Rdma;

/// <summary>
/// The provider contract, run over both the fake verbs provider and soft RDMA (two instances in this process
/// connected over a real Unix socket, with real memfd/SCM_RIGHTS registrations; the cross-process case is
/// <see cref="SoftRdmaCrossProcessTests"/>).
/// </summary>
[TestFixture(ProviderKind.Fake)]
[TestFixture(ProviderKind.Soft)]
public class RdmaProviderTests(ProviderKind kind)
{
    private const RdmaAccess RemoteRw = RdmaAccess.LocalWrite | RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite;

    [Test]
    public async Task Send_LandsInPostedReceive_InOrder()
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var ra = a.RegisterMemory(4096, RdmaAccess.LocalWrite);
            using var rb = b.RegisterMemory(4096, RdmaAccess.LocalWrite);
            Assert.That(b.TryPostReceive(10, rb, 0, 100), Is.True);
            Assert.That(b.TryPostReceive(11, rb, 100, 100), Is.True);
            "first"u8.CopyTo(ra.Memory.Span);
            "second"u8.CopyTo(ra.Memory.Span[8..]);
            Assert.That(a.TryPostSend(1, ra, 0, 5), Is.True);
            Assert.That(a.TryPostSend(2, ra, 8, 6), Is.True);

            var sent = await RdmaTestKit.WaitForAsync(a, 2);
            Assert.That(sent.Select(c => (c.WorkRequestId, c.Opcode, c.Status)),
                Is.EqualTo(new[] { (1UL, RdmaOpcode.Send, RdmaCompletionStatus.Success), (2UL, RdmaOpcode.Send, RdmaCompletionStatus.Success) }));
            var received = await RdmaTestKit.WaitForAsync(b, 2);
            Assert.That(received.Select(c => (c.WorkRequestId, c.ByteLength)), Is.EqualTo(new[] { (10UL, 5), (11UL, 6) }));
            Assert.That(rb.Memory.Span[..5].ToArray(), Is.EqualTo("first"u8.ToArray()));
            Assert.That(rb.Memory.Span[100..106].ToArray(), Is.EqualTo("second"u8.ToArray()));
        }
    }

    [Test]
    public async Task RdmaWriteAndRead_ValidKey_MoveBytesWithoutTheOwner()
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var target = b.RegisterMemory(8192, RemoteRw);
            for (int i = 0; i < 8192; i++) target.Memory.Span[i] = (byte)i;
            using var local = a.RegisterMemory(8192, RdmaAccess.LocalWrite);
            await SettleAsync(a);
            local.Memory.Span.Fill(0xAB);
            Assert.That(a.TryPostRdmaWrite(1, local, 0, 1000, target.RemoteAddress + 500, target.RemoteKey), Is.True);
            Assert.That(a.TryPostRdmaRead(2, local, 4096, 100, target.RemoteAddress + 7000, target.RemoteKey), Is.True);
            var done = await RdmaTestKit.WaitForAsync(a, 2);
            Assert.That(done.Select(c => (c.Opcode, c.Status, c.ByteLength)), Is.EqualTo(new[]
            {
                (RdmaOpcode.RdmaWrite, RdmaCompletionStatus.Success, 1000), (RdmaOpcode.RdmaRead, RdmaCompletionStatus.Success, 100),
            }));
            Assert.That(target.Memory.Span[500..1500].ToArray(), Is.All.EqualTo((byte)0xAB));
            Assert.That(target.Memory.Span[499], Is.EqualTo(unchecked((byte)499)));
            Assert.That(local.Memory.Span.Slice(4096, 100).ToArray(), Is.EqualTo(Enumerable.Range(7000, 100).Select(i => (byte)i).ToArray()));
        }
    }

    [TestCase(0x1234u, 0, 16, TestName = "{m}_UnknownKey")]
    [TestCase(0u, 8190, 16, TestName = "{m}_PastTheEnd")]
    [TestCase(0u, -16, 16, TestName = "{m}_BeforeTheStart")]
    public async Task RdmaWrite_BadRemoteRange_RemoteAccessErrorAndBothSidesDisconnect(uint keyOverride, int delta, int length)
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var target = b.RegisterMemory(8192, RemoteRw);
            using var local = a.RegisterMemory(4096, RdmaAccess.LocalWrite);
            await SettleAsync(a);
            uint key = keyOverride != 0 ? keyOverride : target.RemoteKey;
            a.TryPostRdmaWrite(7, local, 0, length, (ulong)((long)target.RemoteAddress + delta), key);
            var done = await RdmaTestKit.WaitForAsync(a, 2);
            Assert.That(done[0], Is.EqualTo(new RdmaCompletion(7, RdmaOpcode.RdmaWrite, RdmaCompletionStatus.RemoteAccessError)));
            Assert.That(done[1].Opcode, Is.EqualTo(RdmaOpcode.Disconnected));
            var peer = await RdmaTestKit.WaitForAsync(b, 1);
            Assert.That(peer[^1].Opcode, Is.EqualTo(RdmaOpcode.Disconnected));
        }
    }

    [Test]
    public async Task RdmaRead_RegionWithoutRemoteRead_RemoteAccessError()
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var target = b.RegisterMemory(4096, RdmaAccess.LocalWrite | RdmaAccess.RemoteWrite);
            using var local = a.RegisterMemory(4096, RdmaAccess.LocalWrite);
            await SettleAsync(a);
            a.TryPostRdmaRead(1, local, 0, 16, target.RemoteAddress, target.RemoteKey);
            var done = await RdmaTestKit.WaitForAsync(a, 1);
            Assert.That(done[0].Status, Is.EqualTo(RdmaCompletionStatus.RemoteAccessError));
        }
    }

    [Test]
    public async Task SendWithInvalidate_PeerKeyRevokedAndReported()
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var buffer = b.RegisterMemory(4096, RemoteRw);
            using var bmsg = b.RegisterMemory(4096, RdmaAccess.LocalWrite);
            using var amsg = a.RegisterMemory(4096, RdmaAccess.LocalWrite);
            await SettleAsync(a);
            b.TryPostReceive(1, bmsg, 0, 4096);
            a.TryPostSend(2, amsg, 0, 10, invalidateRemoteKey: buffer.RemoteKey);
            var got = await RdmaTestKit.WaitForAsync(b, 1);
            Assert.That((got[0].Opcode, got[0].InvalidatedRemoteKey), Is.EqualTo((RdmaOpcode.Receive, buffer.RemoteKey)));
            Assert.That(buffer.RemoteKeyValid, Is.False);
            await RdmaTestKit.WaitForAsync(a, 1);
            a.TryPostRdmaWrite(3, amsg, 0, 10, buffer.RemoteAddress, buffer.RemoteKey);
            var after = await RdmaTestKit.WaitForAsync(a, 1);
            Assert.That(after[0].Status, Is.EqualTo(RdmaCompletionStatus.RemoteAccessError), "an invalidated key no longer reaches the buffer");
        }
    }

    [Test]
    public async Task LocalInvalidate_RevokesPeerAccess()
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var buffer = b.RegisterMemory(4096, RemoteRw);
            using var local = a.RegisterMemory(4096, RdmaAccess.LocalWrite);
            buffer.InvalidateRemoteKey();
            await SettleAsync(a);
            a.TryPostRdmaWrite(1, local, 0, 10, buffer.RemoteAddress, buffer.RemoteKey);
            var done = await RdmaTestKit.WaitForAsync(a, 1);
            Assert.That(done[0].Status, Is.EqualTo(RdmaCompletionStatus.RemoteAccessError));
        }
    }

    [Test]
    public async Task Disconnect_PeerFlushesReceivesAndSeesDisconnected()
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var rb = b.RegisterMemory(4096, RdmaAccess.LocalWrite);
            b.TryPostReceive(5, rb, 0, 100);
            a.Disconnect();
            var got = await RdmaTestKit.WaitForAsync(b, 2);
            Assert.That(got, Is.EqualTo(new[]
            {
                new RdmaCompletion(5, RdmaOpcode.Receive, RdmaCompletionStatus.Flushed),
                new RdmaCompletion(0, RdmaOpcode.Disconnected, RdmaCompletionStatus.Success),
            }));
            Assert.That(b.IsDisconnected, Is.True);
            Assert.That(a.TryPostSend(1, a.RegisterMemory(64, RdmaAccess.LocalWrite), 0, 1), Is.False);
        }
    }

    [Test]
    public async Task Receive_MessageLargerThanPostedBuffer_LengthError()
    {
        var (a, b) = await RdmaTestKit.ConnectPairAsync(RdmaTestKit.Create(kind));
        using (a) using (b)
        {
            using var rb = b.RegisterMemory(4096, RdmaAccess.LocalWrite);
            using var ra = a.RegisterMemory(4096, RdmaAccess.LocalWrite);
            b.TryPostReceive(1, rb, 0, 10);
            a.TryPostSend(2, ra, 0, 11);
            var got = await RdmaTestKit.WaitForAsync(b, 2);
            Assert.That((got[0].WorkRequestId, got[0].Status), Is.EqualTo((1UL, RdmaCompletionStatus.LocalLengthError)));
            Assert.That(got[^1].Opcode, Is.EqualTo(RdmaOpcode.Disconnected));
        }
    }

    /// <summary>
    /// Soft RDMA delivers registrations over the socket; a test that uses a key right after the peer registered it
    /// (without the usual request message in between, which orders it) gives the reader thread a moment.
    /// </summary>
    private async Task SettleAsync(IRdmaConnection importer)
    {
        if (kind == ProviderKind.Soft) await Task.Delay(50);
        Assert.That(importer.IsDisconnected, Is.False);
    }
}
