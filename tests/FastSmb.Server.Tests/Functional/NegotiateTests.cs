using FastSmb.Control.Config;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.3 / 3.3.5.4 over the real server: dialect choice, capabilities, limits, the SMB1 upgrade.</summary>
[CancelAfter(30_000)]
public class NegotiateTests
{
    private const Smb2GlobalCapabilities Unimplemented = Smb2GlobalCapabilities.MultiChannel
        | Smb2GlobalCapabilities.PersistentHandles | Smb2GlobalCapabilities.Encryption;

    [TestCase(Smb2Dialect.Smb202)]
    [TestCase(Smb2Dialect.Smb210)]
    [TestCase(Smb2Dialect.Smb300)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task Negotiate_SingleDialectOffered_ChoosesItWithSigningEnabledAndOnlyImplementedCapabilities(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var c = server.Connect();

        var response = await c.NegotiateAsync([dialect]);

        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(NegotiateResponse.TryParse(response.Message, out var n), Is.True);
        Assert.That(n.DialectRevision, Is.EqualTo(dialect));
        Assert.That(n.SecurityMode, Is.EqualTo(Smb2SecurityMode.SigningEnabled));
        Assert.That(n.Capabilities & Unimplemented, Is.EqualTo(Smb2GlobalCapabilities.None));
        var largeMtu = dialect == Smb2Dialect.Smb202 ? Smb2GlobalCapabilities.None : Smb2GlobalCapabilities.LargeMtu;
        Assert.That(n.Capabilities & Smb2GlobalCapabilities.LargeMtu, Is.EqualTo(largeMtu));
        // Leases are an SMB 2.1 feature ([MS-SMB2] 3.3.5.4: SMB2_GLOBAL_CAP_LEASING from 2.1 on).
        Assert.That(n.Capabilities & Smb2GlobalCapabilities.Leasing, Is.EqualTo(dialect == Smb2Dialect.Smb202
            ? Smb2GlobalCapabilities.None : Smb2GlobalCapabilities.Leasing));
        // Directory leasing is off by default ("smb3 directory leases").
        Assert.That(n.Capabilities & Smb2GlobalCapabilities.DirectoryLeasing, Is.EqualTo(Smb2GlobalCapabilities.None));
        Assert.That(c.Dialect, Is.EqualTo(dialect));
    }

    [Test]
    public async Task Negotiate_Smb202_LimitsReadWriteAndTransactTo64KiB()
    {
        await using var server = TestServer.Start();
        var response = await server.Connect().NegotiateAsync([Smb2Dialect.Smb202]);

        Assert.That(NegotiateResponse.TryParse(response.Message, out var n), Is.True);
        Assert.That((n.MaxReadSize, n.MaxWriteSize, n.MaxTransactSize), Is.EqualTo((65536u, 65536u, 65536u)));
    }

    [Test]
    public async Task Negotiate_AllDialectsOffered_Chooses302()
    {
        await using var server = TestServer.Start();
        var response = await server.Connect().NegotiateAsync(TestServer.AllDialects.Reverse().ToArray());

        Assert.That(NegotiateResponse.TryParse(response.Message, out var n), Is.True);
        Assert.That(n.DialectRevision, Is.EqualTo(Smb2Dialect.Smb302));
    }

    [Test]
    public async Task Negotiate_OnlyDialectAboveServerMax_FailsWithNotSupported()
    {
        // "server max protocol = SMB3_02": a 3.1.1-only client finds no common dialect
        // ([MS-SMB2] 3.3.5.4: "If a common dialect is not found, the server MUST fail the request with STATUS_NOT_SUPPORTED").
        await using var server = TestServer.Start(new GlobalConfig { MaxProtocol = Smb2Dialect.Smb302 });
        var response = await server.Connect().NegotiateAsync([Smb2Dialect.Smb311]);

        Assert.That(response.Status, Is.EqualTo(NtStatus.NotSupported));
    }

    [Test]
    public async Task Negotiate_DialectCountZero_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var response = await server.Connect().NegotiateAsync([]);

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public async Task Smb1Negotiate_OffersSmb2Wildcard_AnswersDialect02FFThenSmb2NegotiateWithMessageId1Succeeds()
    {
        await using var server = TestServer.Start();
        var c = server.Connect();
        var smb1 = new byte[256];
        int length = Smb1NegotiateRequest.Write(smb1, "NT LM 0.12", "SMB 2.002", "SMB 2.???");

        await c.SendRawAsync(smb1.AsMemory(0, length));
        var first = await c.ReceiveFrameAsync();

        Assert.That(first, Is.Not.Null, "server disconnected instead of answering the SMB1 NEGOTIATE");
        Assert.That(Smb2Header.TryParse(first, out var h1), Is.True, "the answer is an SMB2 message");
        Assert.That((h1.Command, h1.Status, h1.MessageId), Is.EqualTo((Smb2Command.Negotiate, NtStatus.Success, 0ul)));
        Assert.That(NegotiateResponse.TryParse(first, out var n1) ? n1.DialectRevision : default, Is.EqualTo(Smb2Dialect.Wildcard));

        // [MS-SMB2] 3.2.4.2.2.2: the client follows with an SMB2 NEGOTIATE whose MessageId is 1.
        await c.SendRawAsync(Messages.Build(Smb2Command.Negotiate, 1,
            b => NegotiateRequest.Write(b, 1, 0, Guid.NewGuid(), TestServer.AllDialects)));
        var second = await c.ReceiveFrameAsync();

        Assert.That(second, Is.Not.Null, "server disconnected on the SMB2 NEGOTIATE after the SMB1 one");
        Assert.That(Smb2Header.TryParse(second, out var h2), Is.True);
        Assert.That((h2.Status, h2.MessageId), Is.EqualTo((NtStatus.Success, 1ul)));
        Assert.That(NegotiateResponse.TryParse(second, out var n2) ? n2.DialectRevision : default, Is.EqualTo(Smb2Dialect.Smb302));
    }

    [Test]
    public async Task Smb1Negotiate_OffersOnlySmb202_Answers0202AndNegotiationIsDone()
    {
        await using var server = TestServer.Start();
        var c = server.Connect();
        var smb1 = new byte[128];
        int length = Smb1NegotiateRequest.Write(smb1, "NT LM 0.12", "SMB 2.002");

        await c.SendRawAsync(smb1.AsMemory(0, length));
        var first = await c.ReceiveFrameAsync();

        Assert.That(first, Is.Not.Null);
        Assert.That(NegotiateResponse.TryParse(first, out var n) ? n.DialectRevision : default, Is.EqualTo(Smb2Dialect.Smb202));
        // [MS-SMB2] 3.3.5.3.2: 2.0.2 is negotiated, so the next request may be an ECHO, and a NEGOTIATE would be a second one.
        await c.SendRawAsync(Messages.Echo(1));
        var echo = await c.ReceiveFrameAsync();
        Assert.That(echo, Is.Not.Null);
        Assert.That(Messages.StatusOf(echo!), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Smb1Negotiate_AfterSmb2Negotiate_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        var smb1 = new byte[128];
        int length = Smb1NegotiateRequest.Write(smb1, "NT LM 0.12", "SMB 2.002", "SMB 2.???");

        await c.SendRawAsync(smb1.AsMemory(0, length));

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
    }

    [Test]
    public async Task Smb1Negotiate_OnlyNtLm012Offered_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = server.Connect();
        var smb1 = new byte[128];
        int length = Smb1NegotiateRequest.Write(smb1, "NT LM 0.12");

        await c.SendRawAsync(smb1.AsMemory(0, length));

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Negotiate_SecondNegotiateOnConnection_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        await Assert.ThatAsync(() => c.NegotiateAsync(TestServer.AllDialects), Throws.TypeOf<EndOfStreamException>());
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_CommandBeforeNegotiate_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = server.Connect();

        await c.SendRawAsync(Messages.Echo(0));

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
    }
}
