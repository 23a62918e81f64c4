using System.Buffers.Binary;
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
    // ---- Truncated and overlapping chains. ProcessChain hands each command only its own slice (its header up to
    // the next command's), and every buffer offset is relative to that command's header ([MS-SMB2] 2.2.1), so a
    // buffer reaching outside the slice, backwards into its own header (or, read frame-relative, into the previous
    // command) or forwards into the next command, is refused with STATUS_INVALID_PARAMETER for that command alone.
    // A NextCommand that does not leave room for a whole header inside the frame drops the connection.

    private const int EchoPadded = 72; // a 68-byte ECHO padded to 8 within a chain

    [TestCase(0x1000u, TestName = "UnrelatedChain_SecondNextCommandFarPastTheEnd_Disconnects")]
    [TestCase(0xFFFFFFF8u, TestName = "UnrelatedChain_SecondNextCommandNearUInt32Max_Disconnects")]
    // From the second command the frame holds 72 + 68 = 140 bytes; 144 is the first aligned value past them.
    [TestCase(2u * EchoPadded, TestName = "UnrelatedChain_SecondNextCommandJustPastTheEnd_Disconnects")]
    public async Task UnrelatedChain_SecondNextCommandPastTheEnd_Disconnects(uint nextCommand)
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;
        var chain = Messages.Compound(false, Messages.Echo(id), Messages.Echo(id + 1), Messages.Echo(id + 2));
        Smb2Header.SetNextCommand(chain.AsSpan(EchoPadded), nextCommand);

        await c.SendRawAsync(chain);

        Assert.That(await c.ReceiveFrameAsync(), Is.Null, "no partial reply for the ECHO already handled");
        Assert.That(server.Log.Dropped, Does.Contain("bad NextCommand"));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task UnrelatedChain_FrameEndsWhereSecondNextCommandPoints_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;
        // The third message cut off entirely: the second's NextCommand names the very end of the frame.
        var chain = Messages.Compound(false, Messages.Echo(id), Messages.Echo(id + 1), Messages.Echo(id + 2))[..(2 * EchoPadded)];

        await c.SendRawAsync(chain);

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
        Assert.That(server.Log.Dropped, Does.Contain("bad NextCommand"));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task UnrelatedChain_ThirdHeaderTruncated_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;
        var chain = Messages.Compound(false, Messages.Echo(id), Messages.Echo(id + 1), Messages.Echo(id + 2))[..(2 * EchoPadded + 40)];

        await c.SendRawAsync(chain);

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
        Assert.That(server.Log.Dropped, Does.Contain("malformed compounded header"));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task UnrelatedChain_ThirdBodyTruncated_OnlyThirdFailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;
        // A whole header but only 2 of the ECHO's 4 body bytes.
        var chain = Messages.Compound(false, Messages.Echo(id), Messages.Echo(id + 1), Messages.Echo(id + 2))[..(2 * EchoPadded + 66)];

        await c.SendRawAsync(chain);
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        Assert.That(Messages.SplitChain(frame!).Select(r => (r.Response.MessageId, r.Response.Status)), Is.EqualTo(new[]
        {
            (id, NtStatus.Success), (id + 1, NtStatus.Success), (id + 2, NtStatus.InvalidParameter),
        }));
        await server.AssertStillServingAsync();
    }

    [TestCase(0u)]
    [TestCase(8u)]
    [TestCase(56u)]
    public async Task UnrelatedChain_SecondNextCommandSmallerThanHeader_Disconnects(uint nextCommand)
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;
        var chain = Messages.Compound(false, Messages.Echo(id), Messages.Echo(id + 1), Messages.Echo(id + 2));
        Smb2Header.SetNextCommand(chain.AsSpan(EchoPadded), nextCommand);

        await c.SendRawAsync(chain);
        var frame = await c.ReceiveFrameAsync();

        if (nextCommand == 0)
        {
            // NextCommand 0 ends the chain: the second ECHO is the last command, its slice runs to the end of the
            // frame (the third message's bytes are trailing data after it), and two ECHOs are answered.
            Assert.That(frame, Is.Not.Null);
            Assert.That(Messages.SplitChain(frame!).Select(r => r.Response.Status), Is.EqualTo(new[] { NtStatus.Success, NtStatus.Success }));
        }
        else
        {
            Assert.That(frame, Is.Null);
            Assert.That(server.Log.Dropped, Does.Contain("bad NextCommand"));
        }
        await server.AssertStillServingAsync();
    }

    [TestCase(0x10, TestName = "UnrelatedChain_CreateNameOffsetIntoItsHeader_OnlyCreateFailsWithInvalidParameter")]
    [TestCase(Smb2Header.Size + 8, TestName = "UnrelatedChain_CreateNameOffsetIntoItsFixedPart_OnlyCreateFailsWithInvalidParameter")]
    public async Task UnrelatedChain_CreateNameOffsetBackwards_OnlyCreateFails(int nameOffset)
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        ulong id = c.NextMessageId;
        var create = Messages.Build(Smb2Command.Create, id + 1,
            b => CreateRequest.Write(b, 0, 2, ReadWrite, 0, 3, 1, 0, "srvsvc", default), c.SessionId, tree);
        // Header-relative, these bytes are the CREATE's own header or fixed part; read frame-relative (the bug this
        // guards against) 0x10 would be inside the ECHO before it.
        BinaryPrimitives.WriteUInt16LittleEndian(create.AsSpan(Smb2Header.Size + 44), (ushort)nameOffset);

        await c.SendRawAsync(Messages.Compound(false, Messages.Echo(id, c.SessionId), create, Messages.Echo(id + 2, c.SessionId)));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        Assert.That(Messages.SplitChain(frame!).Select(r => r.Response.Status), Is.EqualTo(new[]
            { NtStatus.Success, NtStatus.InvalidParameter, NtStatus.Success }));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task UnrelatedChain_CreateNameRunsIntoNextCommand_OnlyCreateFailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        ulong id = c.NextMessageId;
        var create = Messages.Build(Smb2Command.Create, id, b => CreateRequest.Write(b, 0, 2, ReadWrite, 0, 3, 1, 0, "srvsvc", default),
            c.SessionId, tree);
        // NameLength 12 -> 28: the name would end 12 bytes into the following ECHO's header. The bytes exist in the
        // frame, but not in the CREATE's slice.
        BinaryPrimitives.WriteUInt16LittleEndian(create.AsSpan(Smb2Header.Size + 46), 28);
        var chain = Messages.Compound(false, create, Messages.Echo(id + 1, c.SessionId));
        const int nameEnd = Smb2Header.Size + 56 + 28;
        Assert.That(Smb2Header.TryParse(chain, out var h) ? (int)h.NextCommand : 0, Is.LessThan(nameEnd), "premise: past the CREATE");
        Assert.That(chain, Has.Length.GreaterThan(nameEnd), "premise: inside the frame");

        await c.SendRawAsync(chain);
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        Assert.That(Messages.SplitChain(frame!).Select(r => (r.Response.Command, r.Response.Status)), Is.EqualTo(new[]
            { (Smb2Command.Create, NtStatus.InvalidParameter), (Smb2Command.Echo, NtStatus.Success) }));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task RelatedChain_IoctlInputOffsetIntoItsHeader_OnlyIoctlFailsAndCloseStillClosesThePipe()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");
        ulong id = c.NextMessageId;
        var ioctl = Messages.Build(Smb2Command.Ioctl, id + 1, b => IoctlRequest.Write(b, FsctlCodes.FSCTL_PIPE_TRANSCEIVE,
            FileId.Any, Captures.Load("rpc-smbclient-bind.hex"), 0, 4280, IoctlRequest.FlagIsFsctl), ulong.MaxValue, uint.MaxValue);
        // InputOffset 0x20: inside the IOCTL's own header (frame-relative, inside the CREATE before it).
        BinaryPrimitives.WriteUInt32LittleEndian(ioctl.AsSpan(Smb2Header.Size + 24), 0x20);

        await c.SendRawAsync(Messages.Compound(related: true,
            Messages.Build(Smb2Command.Create, id, b => CreateRequest.Write(b, 0, 2, ReadWrite, 0, 3, 1, 0, "srvsvc", default),
                c.SessionId, tree),
            ioctl,
            Messages.Build(Smb2Command.Close, id + 2, b => CloseRequest.Write(b, 0, FileId.Any), ulong.MaxValue, uint.MaxValue)));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => (r.Response.Command, r.Response.Status)), Is.EqualTo(new[]
        {
            (Smb2Command.Create, NtStatus.Success), (Smb2Command.Ioctl, NtStatus.InvalidParameter),
            (Smb2Command.Close, NtStatus.Success),
        }), "a failed IOCTL does not break the related chain: only a failed CREATE propagates");
        Assert.That(CreateResponse.TryParse(responses[0].Response.Message, out var create), Is.True);
        var fileId = create.FileId;
        await c.SendRawAsync(Messages.Build(Smb2Command.Close, id + 3, b => CloseRequest.Write(b, 0, fileId), c.SessionId, tree));
        Assert.That(Messages.StatusOf((await c.ReceiveFrameAsync())!), Is.EqualTo(NtStatus.FileClosed), "the related CLOSE closed it");
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task UnrelatedChain_300Echoes_AllAnsweredInOneFrame()
    {
        const int count = 300;
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;
        // Each ECHO asks for one credit back, so the window granted along the chain covers the next MessageId.
        var chain = Messages.Compound(false, Enumerable.Range(0, count).Select(i => Messages.Echo(id + (ulong)i)).ToArray());

        await c.SendRawAsync(chain);
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses, Has.Count.EqualTo(count));
        Assert.That(responses.Select(r => r.Response.MessageId),
            Is.EqualTo(Enumerable.Range(0, count).Select(i => id + (ulong)i)));
        Assert.That(responses.Select(r => r.Response.Status), Is.All.EqualTo(NtStatus.Success));
        // Bounded: a 68-byte ECHO response padded to 72 per request (the last too, [MS-SMB2] 3.3.4.1.3), no more.
        Assert.That(frame!.Length, Is.EqualTo(count * EchoPadded));
        await c.SendRawAsync(Messages.Echo(id + count));
        Assert.That(Messages.StatusOf((await c.ReceiveFrameAsync())!), Is.EqualTo(NtStatus.Success), "the connection stays usable");
        await server.AssertStillServingAsync();
    }
}
