using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Async operations ([MS-SMB2] 3.3.4.2 interim responses, 3.3.5.16 CANCEL) through the first request that waits:
/// a READ on a named pipe with nothing to read, which Windows and Samba hold until a WRITE produces output.
/// </summary>
[CancelAfter(30_000)]
public class AsyncTests
{
    private static byte[] Bind => Captures.Load("rpc-smbclient-bind.hex");

    private static async Task<(Smb2ClientConnection C, uint Tree, FileId Pipe)> OpenSrvsvcAsync(TestServer server)
    {
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        var (status, pipe) = await c.OpenPipeAsync(tree, "srvsvc");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return (c, tree, pipe);
    }

    private static Task<Smb2Response> SendReadAsync(Smb2ClientConnection c, uint tree, FileId pipe) =>
        c.SendAsync(Smb2Command.Read, b => ReadRequest.Write(b, 0x50, 0, 4280, 0, pipe, 0, 0, 0), tree, returnInterim: true);

    [Test]
    public async Task Read_EmptyPipe_InterimPendingThenDataAfterWrite()
    {
        await using var server = TestServer.Start();
        var (c, tree, pipe) = await OpenSrvsvcAsync(server);
        c.SignRequests = true; // so the final response must be signed too

        var interim = await SendReadAsync(c, tree, pipe);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        Assert.That(interim.Header.IsAsync, Is.True, "interim responses use the async header");
        Assert.That(interim.Header.AsyncId, Is.Not.Zero);
        Assert.That(interim.CreditGrant, Is.GreaterThan(0), "the interim response carries the request's credits");
        Assert.That(interim.IsSigned, Is.False, "the server SHOULD NOT sign an interim response");

        var write = await c.SendAsync(Smb2Command.Write, b => WriteRequest.Write(b, 0, pipe, Bind), tree);
        Assert.That(write.Status, Is.EqualTo(NtStatus.Success));

        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.Read));
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(final.MessageId, Is.EqualTo(interim.MessageId));
        Assert.That(final.CreditGrant, Is.Zero, "a final async response grants no credits ([MS-SMB2] 3.3.4.3)");
        Assert.That(final.IsSigned && c.VerifySignature(final), Is.True, "the final response is signed like any other");
        Assert.That(ReadResponse.TryParse(final.Message, out var read), Is.True);
        Assert.That(RpcBindAck.TryParse(read.Data, out _), Is.True, "the pending read returns the bind_ack");
    }

    [Test]
    public async Task Cancel_AsyncForm_EndsPendingReadWithCancelled()
    {
        await using var server = TestServer.Start();
        var (c, tree, pipe) = await OpenSrvsvcAsync(server);
        var interim = await SendReadAsync(c, tree, pipe);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        await c.SendCancelAsync(interim.MessageId, interim.Header.AsyncId);
        var final = await c.ReceiveAsync();

        Assert.That(final.Status, Is.EqualTo(NtStatus.Cancelled));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        // The pipe still works, and no stray READ response follows the WRITE.
        var (status, output) = await c.TransceiveAsync(tree, pipe, Bind);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(RpcBindAck.TryParse(output, out _), Is.True);
        var echo = await c.SendAsync(Smb2Command.Echo, EchoRequest.Write);
        Assert.That(echo.Command, Is.EqualTo(Smb2Command.Echo), "the next frame answers the next request");
    }

    [Test]
    public async Task Cancel_SyncFormByMessageId_EndsPendingRead()
    {
        await using var server = TestServer.Start();
        var (c, tree, pipe) = await OpenSrvsvcAsync(server);
        var interim = await SendReadAsync(c, tree, pipe);

        await c.SendCancelAsync(interim.MessageId);
        var final = await c.ReceiveAsync();

        Assert.That(final.Status, Is.EqualTo(NtStatus.Cancelled));
    }

    [Test]
    public async Task Cancel_UnknownTarget_IsIgnored()
    {
        await using var server = TestServer.Start();
        var (c, tree, pipe) = await OpenSrvsvcAsync(server);

        await c.SendCancelAsync(123456, 999);
        var echo = await c.SendAsync(Smb2Command.Echo, EchoRequest.Write);

        Assert.That(echo.Command, Is.EqualTo(Smb2Command.Echo), "CANCEL has no response of its own");
        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Close_WithPendingRead_CancelsItThenCloses()
    {
        await using var server = TestServer.Start();
        var (c, tree, pipe) = await OpenSrvsvcAsync(server);
        var interim = await SendReadAsync(c, tree, pipe);

        var close = await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, pipe), tree);
        Assert.That(close.Command, Is.EqualTo(Smb2Command.Close));
        Assert.That(close.Status, Is.EqualTo(NtStatus.Success));
        var final = await c.ReceiveAsync();
        Assert.That(final.Command, Is.EqualTo(Smb2Command.Read));
        Assert.That(final.Status, Is.EqualTo(NtStatus.Cancelled));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
    }

    [Test]
    public async Task Read_SecondWhileOneIsPending_Refused()
    {
        await using var server = TestServer.Start();
        var (c, tree, pipe) = await OpenSrvsvcAsync(server);
        Assert.That((await SendReadAsync(c, tree, pipe)).Status, Is.EqualTo(NtStatus.Pending));

        var second = await SendReadAsync(c, tree, pipe);

        Assert.That(second.Status, Is.EqualTo(NtStatus.InvalidPipeState));
    }
}
