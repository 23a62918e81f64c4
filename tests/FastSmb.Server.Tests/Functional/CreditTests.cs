using FastSmb.Client.Smb2;
using FastSmb.Datapath;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.2.3 and 3.3.5.2.5 over the real server: the MessageId window and credit charges.</summary>
[CancelAfter(30_000)]
public class CreditTests
{
    [Test]
    public async Task Dispatcher_MessageIdReused_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        Assert.That((await c.SendAsync(Smb2Command.Echo, EchoRequest.Write)).Status, Is.EqualTo(NtStatus.Success));

        await c.SendRawAsync(Messages.Echo(1)); // id 1 was the ECHO above

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_MessageIdJustPastGrantedWindow_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong firstOutside = c.NextMessageId + (ulong)c.Credits;

        await c.SendRawAsync(Messages.Echo(firstOutside));

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
    }

    [Test]
    public async Task Dispatcher_LastMessageIdInsideGrantedWindow_Succeeds()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong lastInside = c.NextMessageId + (ulong)c.Credits - 1;

        await c.SendRawAsync(Messages.Echo(lastInside));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        Assert.That(Messages.StatusOf(frame!), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Grant_CreditRequestAboveOne_GrowsCreditsUpToTheLimit()
    {
        await using var server = TestServer.Start(limits: new DatapathOptions { MaxCredits = 64 });
        var c = server.Connect();
        var negotiate = await c.NegotiateAsync(TestServer.AllDialects); // asks for 32
        Assert.That(negotiate.CreditGrant, Is.EqualTo(32));

        var grants = new List<ushort>();
        for (int i = 0; i < 5; i++)
            grants.Add((await c.SendAsync(Smb2Command.Echo, EchoRequest.Write, creditRequest: 16)).CreditGrant);

        // 32 -1 +16 = 47, -1 +16 = 62, -1 +3 = 64 (the limit), then one for one.
        Assert.That(grants, Is.EqualTo(new ushort[] { 16, 16, 3, 1, 1 }));
        Assert.That(c.Credits, Is.EqualTo(64));
    }

    [Test]
    public async Task Grant_CreditRequestZeroWithNoCreditsLeft_StillGrantsOne()
    {
        await using var server = TestServer.Start();
        var c = server.Connect();
        await c.SendAsync(Smb2Command.Negotiate, b => NegotiateRequest.Write(b, 1, 0, Guid.NewGuid(), TestServer.AllDialects),
            creditRequest: 0);

        Assert.That(c.Credits, Is.EqualTo(1), "a client must never be left without a credit");
        Assert.That((await c.SendAsync(Smb2Command.Echo, EchoRequest.Write)).Status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Read_128KiBWithCreditChargeOne_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var response = await c.SendAsync(Smb2Command.Read, b => ReadRequest.Write(b, 0x50, 0, 128 * 1024, 0, pipe, 0, 0, 0),
            tree, creditCharge: 1);

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public async Task Read_128KiBWithCreditChargeTwo_PassesTheChargeCheck()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var response = await c.SendAsync(Smb2Command.Read, b => ReadRequest.Write(b, 0x50, 0, 128 * 1024, 0, pipe, 0, 0, 0),
            tree, creditCharge: 2, returnInterim: true);

        // Nothing was written to the pipe, so the read waits (an interim response) or fails, but not on the charge.
        Assert.That(response.Status, Is.Not.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public async Task Ioctl_128KiBMaxOutputWithCreditChargeOne_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var response = await c.SendAsync(Smb2Command.Ioctl, b => IoctlRequest.Write(b, FsctlCodes.FSCTL_PIPE_TRANSCEIVE,
            pipe, new byte[16], 0, 128 * 1024, IoctlRequest.FlagIsFsctl), tree, creditCharge: 1);

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public async Task Read_Over64KiBOnSmb202_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$", Smb2Dialect.Smb202);
        var (_, pipe) = await c.OpenPipeAsync(tree, "srvsvc");

        var response = await c.SendAsync(Smb2Command.Read, b => ReadRequest.Write(b, 0x50, 0, 65537, 0, pipe, 0, 0, 0), tree);

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
    }
}
