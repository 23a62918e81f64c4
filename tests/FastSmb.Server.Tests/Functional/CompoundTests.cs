using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.2.7 compounded requests over the real server.</summary>
[CancelAfter(30_000)]
public class CompoundTests
{
    private const uint ReadWrite = 0x0012019F;

    [Test]
    public async Task RelatedChain_CreateTransceiveClose_ThreeAlignedSuccessfulResponsesOnTheCreatedPipe()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        ulong id = c.NextMessageId;
        var bind = Captures.Load("rpc-smbclient-bind.hex");

        var chain = Messages.Compound(related: true,
            Messages.Build(Smb2Command.Create, id, b => CreateRequest.Write(b, 0, 2, ReadWrite, 0, 3, 1, 0, "srvsvc", default),
                c.SessionId, tree),
            // Related requests name "the previous open" with FileId all-FF, and inherit session and tree.
            Messages.Build(Smb2Command.Ioctl, id + 1, b => IoctlRequest.Write(b, FsctlCodes.FSCTL_PIPE_TRANSCEIVE, FileId.Any,
                bind, 0, 4280, IoctlRequest.FlagIsFsctl), ulong.MaxValue, uint.MaxValue),
            Messages.Build(Smb2Command.Close, id + 2, b => CloseRequest.Write(b, 0, FileId.Any), ulong.MaxValue, uint.MaxValue));

        await c.SendRawAsync(chain);
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => r.Response.Command),
            Is.EqualTo(new[] { Smb2Command.Create, Smb2Command.Ioctl, Smb2Command.Close }));
        Assert.That(responses.Select(r => r.Response.Status), Is.All.EqualTo(NtStatus.Success));
        Assert.That(responses.Select(r => r.Response.MessageId), Is.EqualTo(new[] { id, id + 1, id + 2 }));
        Assert.That(responses.Select(r => r.Offset % 8), Is.All.Zero, "each response starts 8-byte aligned");
        Assert.That(responses.Select(r => r.Response.Header.NextCommand != 0), Is.EqualTo(new[] { true, true, false }));
        Assert.That(responses.Take(2).Select(r => r.Response.Message.Length % 8), Is.All.Zero, "padded to 8 before the next");
        Assert.That(responses.Select(r => (r.Response.SessionId, r.Response.TreeId)), Is.All.EqualTo((c.SessionId, tree)),
            "related responses carry the inherited session and tree");
        Assert.That(responses.Skip(1).Select(r => (r.Response.Header.Flags & Smb2HeaderFlags.RelatedOperations) != 0),
            Is.All.True);

        Assert.That(CreateResponse.TryParse(responses[0].Response.Message, out var create), Is.True);
        Assert.That(IoctlResponse.TryParse(responses[1].Response.Message, out var ioctl), Is.True);
        Assert.That(ioctl.FileId, Is.EqualTo(create.FileId), "the IOCTL ran on the pipe the CREATE opened");
        Assert.That(RpcBindAck.TryParse(ioctl.Output, out _), Is.True, "and the pipe answered the bind");

        // The CLOSE closed that same open.
        var fileId = create.FileId;
        await c.SendRawAsync(Messages.Build(Smb2Command.Close, id + 3, b => CloseRequest.Write(b, 0, fileId), c.SessionId, tree));
        var after = await c.ReceiveFrameAsync();
        Assert.That(Messages.StatusOf(after!), Is.EqualTo(NtStatus.FileClosed));
    }

    [Test]
    public async Task RelatedChain_CreateFails_FollowingResponsesCarryTheSameError()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        ulong id = c.NextMessageId;

        var chain = Messages.Compound(related: true,
            Messages.Build(Smb2Command.Create, id, b => CreateRequest.Write(b, 0, 2, ReadWrite, 0, 3, 1, 0, "nosuchpipe", default),
                c.SessionId, tree),
            Messages.Build(Smb2Command.Ioctl, id + 1, b => IoctlRequest.Write(b, FsctlCodes.FSCTL_PIPE_TRANSCEIVE, FileId.Any,
                new byte[16], 0, 4280, IoctlRequest.FlagIsFsctl), c.SessionId, tree),
            Messages.Build(Smb2Command.Close, id + 2, b => CloseRequest.Write(b, 0, FileId.Any), c.SessionId, tree));

        await c.SendRawAsync(chain);
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => r.Response.Status), Is.EqualTo(new[]
            { NtStatus.ObjectNameNotFound, NtStatus.ObjectNameNotFound, NtStatus.ObjectNameNotFound }));
        Assert.That(responses.Select(r => r.Offset % 8), Is.All.Zero);
        Assert.That(responses.Skip(1).Select(r => ErrorResponse.TryParse(r.Response.Message, out _)), Is.All.True,
            "failed responses carry the ERROR body");
    }

    [Test]
    public async Task UnrelatedChain_TwoEchoes_TwoResponses()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;

        await c.SendRawAsync(Messages.Compound(related: false, Messages.Echo(id), Messages.Echo(id + 1)));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => (r.Response.Command, r.Response.Status, r.Response.MessageId)), Is.EqualTo(new[]
        {
            (Smb2Command.Echo, NtStatus.Success, id),
            (Smb2Command.Echo, NtStatus.Success, id + 1),
        }));
        Assert.That(responses[1].Offset % 8, Is.Zero);
    }

    [TestCase(Smb2Dialect.Smb210)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task SignedChain_TwoEchoes_EachResponseSignedOverItsPaddedBytes(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync(dialect);
        ulong id = c.NextMessageId;
        var chain = Messages.Compound(related: false, Messages.Echo(id, c.SessionId), Messages.Echo(id + 1, c.SessionId));
        // [MS-SMB2] 3.2.4.1.4: each request is signed separately, over its bytes up to the next one (padding included).
        uint first = Smb2Header.TryParse(chain, out var h) ? h.NextCommand : 0;
        Messages.Sign(chain[..(int)first], c).CopyTo(chain, 0);
        Messages.Sign(chain[(int)first..], c).CopyTo(chain, (int)first);

        await c.SendRawAsync(chain);
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => r.Response.Status), Is.All.EqualTo(NtStatus.Success));
        Assert.That(responses.Select(r => r.Response.IsSigned && c.VerifySignature(r.Response)), Is.All.True);
    }

    [Test]
    public async Task UnrelatedChain_MiddleFails_OthersUnaffected()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        ulong id = c.NextMessageId;

        await c.SendRawAsync(Messages.Compound(related: false,
            Messages.Echo(id, c.SessionId),
            Messages.Build(Smb2Command.Create, id + 1, b => CreateRequest.Write(b, 0, 2, ReadWrite, 0, 3, 1, 0, "nosuchpipe", default),
                c.SessionId, tree),
            Messages.Echo(id + 2, c.SessionId)));
        var frame = await c.ReceiveFrameAsync();

        var statuses = Messages.SplitChain(frame!).Select(r => r.Response.Status);
        Assert.That(statuses, Is.EqualTo(new[] { NtStatus.Success, NtStatus.ObjectNameNotFound, NtStatus.Success }));
    }

    [Test]
    public async Task RelatedChain_FirstRequestMarkedRelated_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        await c.SendRawAsync(Messages.Echo(c.NextMessageId, flags: Smb2HeaderFlags.RelatedOperations));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        Assert.That(Messages.StatusOf(frame!), Is.EqualTo(NtStatus.InvalidParameter));
    }
}
