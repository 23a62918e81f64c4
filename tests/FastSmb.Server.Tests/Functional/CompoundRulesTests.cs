using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Compound rules as Windows and Samba apply them (smbtorture smb2.compound): what related requests inherit after an
/// error, the padding of every response of a compound, and requests that go async inside a chain ([MS-SMB2]
/// 3.3.5.2.7, 3.3.4.1.3, 3.3.4.2).
/// </summary>
[CancelAfter(30_000)]
public class CompoundRulesTests
{
    private const uint ReadWriteAccess = 0x0012019F;
    private const uint FileAllAccess = 0x001F01FF;
    private const uint ShareAll = 7;
    private const uint OpenIf = 3;
    private const uint DirectoryFile = 1;
    private const byte FileStandardInformation = 5;

    private static byte[] Create(ulong id, ulong session, uint tree, string name, byte oplock = 0, uint options = 0,
        uint access = ReadWriteAccess) =>
        Messages.Build(Smb2Command.Create, id,
            b => CreateRequest.Write(b, oplock, 2, access, 0x80, ShareAll, OpenIf, options, name, default), session, tree);

    private static byte[] Close(ulong id, ulong session, uint tree, FileId file) =>
        Messages.Build(Smb2Command.Close, id, b => CloseRequest.Write(b, 0, file), session, tree);

    private static byte[] QueryStandard(ulong id, ulong session, uint tree, FileId file) =>
        Messages.Build(Smb2Command.QueryInfo, id,
            b => QueryInfoRequest.Write(b, Smb2InfoType.File, FileStandardInformation, 4096, 0, 0, file), session, tree);

    private static FileId CreatedFileId(Smb2Response response)
    {
        Assert.That(CreateResponse.TryParse(response.Message, out var created), Is.True);
        return created.FileId;
    }

    [Test]
    public async Task RelatedRequest_AfterOneWhoseSessionIsUnknown_InvalidParameter()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        ulong id = c.NextMessageId;

        // The second request names a session that does not exist; the third, related, inherits that SessionId.
        await c.SendRawAsync(Messages.Compound(related: false,
            Messages.Echo(id, c.SessionId),
            Close(id + 1, ulong.MaxValue, uint.MaxValue, FileId.Any),
            Messages.Build(Smb2Command.Close, id + 2, b => CloseRequest.Write(b, 0, FileId.Any), ulong.MaxValue,
                uint.MaxValue, flags: Smb2HeaderFlags.RelatedOperations)));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        Assert.That(Messages.SplitChain(frame!).Select(r => r.Response.Status), Is.EqualTo(new[]
        {
            NtStatus.Success, NtStatus.UserSessionDeleted, NtStatus.InvalidParameter,
        }));
    }

    [Test]
    public async Task RelatedRequest_AfterAnUnrelatedOneThatFoundNoOpen_DoesNotReachBackToTheCreate()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        ulong id = c.NextMessageId;

        await c.SendRawAsync(Messages.Compound(related: false,
            Create(id, c.SessionId, tree, "invalid3.dat"),
            Close(id + 1, c.SessionId, tree, FileId.Any),
            Messages.Build(Smb2Command.Close, id + 2, b => CloseRequest.Write(b, 0, FileId.Any), c.SessionId, tree,
                flags: Smb2HeaderFlags.RelatedOperations)));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => r.Response.Status), Is.EqualTo(new[]
        {
            NtStatus.Success, NtStatus.FileClosed, NtStatus.FileClosed,
        }), "an unrelated request starts a new chain: the related CLOSE has no previous open");

        var fileId = CreatedFileId(responses[0].Response);
        c.ResumeSequence(id + 3, c.Credits + 3);
        var close = await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, fileId), tree);
        Assert.That(close.Status, Is.EqualTo(NtStatus.Success), "the CREATE's open was left alone");
    }

    [Test]
    public async Task Compound_EveryResponsePaddedTo8_TheLastToo_ButALoneResponseIsNot()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        ulong id = c.NextMessageId;

        await c.SendRawAsync(Messages.Compound(related: false, Messages.Echo(id), Messages.Echo(id + 1)));
        var frame = await c.ReceiveFrameAsync();
        await c.SendRawAsync(Messages.Echo(id + 2));
        var lone = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => r.Response.Message.Length), Is.EqualTo(new[] { 72, 72 }),
            "a 68-byte ECHO response padded to 72, the last one included ([MS-SMB2] 3.3.4.1.3, as Windows sends it)");
        Assert.That(lone!.Length, Is.EqualTo(68), "a response alone in its frame is not padded");
    }

    [Test]
    public async Task RelatedChain_ChangeNotifyBeforeTheLast_InternalError_RestStillAnswered()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        ulong id = c.NextMessageId;

        await c.SendRawAsync(Messages.Compound(related: true,
            Create(id, c.SessionId, tree, "interim2", options: DirectoryFile, access: FileAllAccess),
            Messages.Build(Smb2Command.ChangeNotify, id + 1, b => ChangeNotifyRequest.Write(b, 1, 4096, FileId.Any, 3),
                c.SessionId, tree),
            QueryStandard(id + 2, c.SessionId, tree, FileId.Any)));
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        var responses = Messages.SplitChain(frame!);
        Assert.That(responses.Select(r => r.Response.Status), Is.EqualTo(new[]
        {
            NtStatus.Success, NtStatus.InternalError, NtStatus.Success,
        }), "only the last request of a chain may go async (Windows answers an earlier one STATUS_INTERNAL_ERROR)");
        Assert.That(responses[1].Response.Header.IsAsync, Is.False, "no interim for the refused NOTIFY");

        // The refused NOTIFY left no waiter behind: the next NOTIFY on the directory is the one a change completes.
        var dirId = CreatedFileId(responses[0].Response);
        c.ResumeSequence(id + 3, c.Credits + 3);
        var interim = await c.SendAsync(Smb2Command.ChangeNotify, b => ChangeNotifyRequest.Write(b, 0, 4096, dirId, 3), tree, returnInterim: true);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        var created = await c.SendAsync(Smb2Command.Create,
            b => CreateRequest.Write(b, 0, 2, ReadWriteAccess, 0x80, ShareAll, OpenIf, 0, @"interim2\new.txt", default), tree);
        Assert.That(created.Status, Is.EqualTo(NtStatus.Success));
        var completed = await c.ReceiveAsync();
        Assert.That((completed.Command, completed.Status, completed.Header.AsyncId),
            Is.EqualTo((Smb2Command.ChangeNotify, NtStatus.Success, interim.Header.AsyncId)));
    }

    [Test]
    public async Task RelatedChain_CreateWaitsForABreak_InterimEndsTheFrame_RestAnsweredAfterItOnTheNewOpen()
    {
        await using var server = TestServer.Start();
        var (holder, holderTree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var held = await holder.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, OplockLevel.Batch, 2,
            ReadWriteAccess, 0x80, ShareAll, OpenIf, 0, "break.dat", default), holderTree);
        var heldId = CreatedFileId(held);

        ulong id = c.NextMessageId;
        await c.SendRawAsync(Messages.Compound(related: true,
            Create(id, c.SessionId, tree, "break.dat"),
            QueryStandard(id + 1, c.SessionId, tree, FileId.Any),
            Close(id + 2, c.SessionId, tree, FileId.Any)));
        var first = await c.ReceiveFrameAsync();

        Assert.That(first, Is.Not.Null);
        var interims = Messages.SplitChain(first!);
        Assert.That(interims, Has.Count.EqualTo(1), "the CREATE's interim ends the frame; the rest waits for it");
        var interim = interims[0].Response;
        Assert.That((interim.Command, interim.Status, interim.MessageId, interim.Header.IsAsync),
            Is.EqualTo((Smb2Command.Create, NtStatus.Pending, id, true)));

        // The connection is not blocked meanwhile.
        await c.SendRawAsync(Messages.Echo(id + 3, c.SessionId));
        var echo = await c.ReceiveFrameAsync();
        Assert.That((Messages.StatusOf(echo!), new Smb2Response(echo!).Command), Is.EqualTo((NtStatus.Success, Smb2Command.Echo)));

        var notification = await holder.ReceiveAsync();
        Assert.That(notification.Command, Is.EqualTo(Smb2Command.OplockBreak));
        var ack = await holder.SendAsync(Smb2Command.OplockBreak,
            b => OplockBreakAcknowledgment.Write(b, OplockLevel.II, heldId), holderTree);
        Assert.That(ack.Status, Is.EqualTo(NtStatus.Success));

        var rest = await c.ReceiveFrameAsync();
        Assert.That(rest, Is.Not.Null);
        var responses = Messages.SplitChain(rest!);
        Assert.That(responses.Select(r => (r.Response.Command, r.Response.Status, r.Response.MessageId)), Is.EqualTo(new[]
        {
            (Smb2Command.Create, NtStatus.Success, id),
            (Smb2Command.QueryInfo, NtStatus.Success, id + 1),
            (Smb2Command.Close, NtStatus.Success, id + 2),
        }), "the CREATE's final response, then the related requests run on the open it made");
        Assert.That(responses[0].Response.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(responses.Select(r => r.Offset % 8), Is.All.Zero);

        var fileId = CreatedFileId(responses[0].Response);
        c.ResumeSequence(id + 4, c.Credits + 4);
        var again = await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, fileId), tree);
        Assert.That(again.Status, Is.EqualTo(NtStatus.FileClosed), "the related CLOSE closed the CREATE's open");
    }

    [Test]
    public async Task RelatedChain_CreateWaitingForABreakCancelled_RelatedRestFailsWithTheSameStatus()
    {
        await using var server = TestServer.Start();
        var (holder, holderTree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var held = await holder.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, OplockLevel.Batch, 2,
            ReadWriteAccess, 0x80, ShareAll, OpenIf, 0, "cancel.dat", default), holderTree);
        Assert.That(held.Status, Is.EqualTo(NtStatus.Success));

        ulong id = c.NextMessageId;
        await c.SendRawAsync(Messages.Compound(related: true,
            Create(id, c.SessionId, tree, "cancel.dat"),
            Close(id + 1, c.SessionId, tree, FileId.Any)));
        var first = await c.ReceiveFrameAsync();
        var interim = new Smb2Response(first!);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));

        await c.SendCancelAsync(id, interim.Header.AsyncId);
        var rest = await c.ReceiveFrameAsync();

        Assert.That(rest, Is.Not.Null);
        Assert.That(Messages.SplitChain(rest!).Select(r => (r.Response.Command, r.Response.Status)), Is.EqualTo(new[]
        {
            (Smb2Command.Create, NtStatus.Cancelled),
            (Smb2Command.Close, NtStatus.Cancelled),
        }));
    }

    // ---- The rest of a chain kept behind a CREATE that waits: checked when it is kept, as ProcessChain checks a chain
    // it walks, so a malformed rest drops the connection at once and never runs later.

    private static async Task<(TestServer Server, Smb2ClientConnection Client, uint Tree, byte[] Create)> HeldFileAsync(
        string name)
    {
        var server = TestServer.Start();
        var (holder, holderTree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var held = await holder.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, OplockLevel.Batch, 2,
            ReadWriteAccess, 0x80, ShareAll, OpenIf, 0, name, default), holderTree);
        Assert.That(held.Status, Is.EqualTo(NtStatus.Success));
        return (server, c, tree, Create(c.NextMessageId, c.SessionId, tree, name));
    }

    private static int NextCommandAt(byte[] chain, int offset)
    {
        Assert.That(Smb2Header.TryParse(chain.AsSpan(offset), out var header), Is.True);
        return (int)header.NextCommand;
    }

    [TestCase(40, TestName = "SplitChain_KeptRestsSecondHeaderTruncated_Disconnects")]
    [TestCase(0, TestName = "SplitChain_KeptRestEndsWhereNextCommandPoints_Disconnects")]
    public async Task SplitChain_KeptRestMalformed_Disconnects(int thirdBytes)
    {
        var (server, c, tree, create) = await HeldFileAsync("malformed.dat");
        await using var _ = server;
        ulong id = c.NextMessageId;
        var chain = Messages.Compound(related: true, create,
            QueryStandard(id + 1, c.SessionId, tree, FileId.Any), Close(id + 2, c.SessionId, tree, FileId.Any));
        int thirdAt = NextCommandAt(chain, 0);
        thirdAt += NextCommandAt(chain, thirdAt);

        await c.SendRawAsync(chain[..(thirdAt + thirdBytes)]);

        Assert.That(await c.ReceiveFrameAsync(), Is.Null, "no interim: the whole message is refused");
        Assert.That(server.Log.Dropped, Does.Contain("malformed compounded header"));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task SplitChain_KeptRestsBodyTruncated_OnlyThatRequestFails()
    {
        var (server, c, tree, create) = await HeldFileAsync("shortbody.dat");
        await using var _ = server;
        ulong id = c.NextMessageId;
        // Unrelated, so that the CLOSE is checked on its own rather than failing with the CREATE's status.
        var chain = Messages.Compound(related: false, create, Close(id + 1, c.SessionId, tree, FileId.Any));
        int secondAt = NextCommandAt(chain, 0);

        await c.SendRawAsync(chain[..(secondAt + Smb2Header.Size + 10)]); // 10 of the CLOSE's 24 body bytes
        var interim = new Smb2Response((await c.ReceiveFrameAsync())!);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        await c.SendCancelAsync(id, interim.Header.AsyncId);
        var rest = await c.ReceiveFrameAsync();

        Assert.That(rest, Is.Not.Null);
        Assert.That(Messages.SplitChain(rest!).Select(r => (r.Response.Command, r.Response.Status)), Is.EqualTo(new[]
        {
            (Smb2Command.Create, NtStatus.Cancelled), (Smb2Command.Close, NtStatus.InvalidParameter),
        }), "the kept CLOSE is answered once the CREATE ends, and its short body refused");
        await server.AssertStillServingAsync();
    }

    // ---- A rename in the middle of a chain that waits for a lease break (smbtorture smb2.compound_async.rename_middle
    // in newer Samba): the CREATE + rename + CLOSE compound Windows clients send still works.

    private static byte[] RequestLease(Guid key, uint state)
    {
        var contexts = new byte[64];
        var writer = new CreateContextWriter(contexts);
        LeaseContext.Write(writer.Add("RqLs"u8, LeaseContext.SizeV1), 1, key, state, 0, Guid.Empty, 0);
        return contexts[..writer.Length];
    }

    [Test]
    public async Task RelatedChain_RenameWaitsForALeaseBreak_RestAnsweredAfterItOnTheSameOpen()
    {
        await using var server = TestServer.Start();
        var (holder, holderTree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var key = Guid.NewGuid();
        var lease = RequestLease(key, LeaseState.ReadCaching | LeaseState.HandleCaching);
        var held = await holder.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, OplockLevel.Lease, 2,
            ReadWriteAccess, 0x80, ShareAll, OpenIf, 0, "src.dat", lease), holderTree);
        Assert.That(held.Status, Is.EqualTo(NtStatus.Success));

        var rename = new byte[256];
        int renameLength = Protocol.Fscc.FileRenameInformation.Write(rename, false, "dst.dat");
        ulong id = c.NextMessageId;
        const uint DeleteAndReadAttributes = 0x00110080;
        await c.SendRawAsync(Messages.Compound(related: true,
            Create(id, c.SessionId, tree, "src.dat", access: DeleteAndReadAttributes),
            Messages.Build(Smb2Command.SetInfo, id + 1, b => SetInfoRequest.Write(b, Smb2InfoType.File,
                (byte)Protocol.Fscc.FileInformationClass.FileRenameInformation, 0, FileId.Any, rename.AsSpan(0, renameLength)),
                c.SessionId, tree),
            Close(id + 2, c.SessionId, tree, FileId.Any)));
        var first = Messages.SplitChain((await c.ReceiveFrameAsync())!);
        Assert.That(first.Select(r => (r.Response.Command, r.Response.Status)), Is.EqualTo(new[]
        {
            (Smb2Command.Create, NtStatus.Success), (Smb2Command.SetInfo, NtStatus.Pending),
        }), "the rename waits for the holder's handle lease; its interim ends the frame");

        var notification = await holder.ReceiveAsync();
        Assert.That(LeaseBreakNotification.TryParse(notification.Message, out var brk), Is.True);
        var breakKey = brk.LeaseKey.ToArray();
        uint newState = brk.NewLeaseState;
        var ack = await holder.SendAsync(Smb2Command.OplockBreak, b => LeaseBreakAcknowledgment.Write(b, breakKey, newState),
            holderTree);
        Assert.That(ack.Status, Is.EqualTo(NtStatus.Success));

        var rest = Messages.SplitChain((await c.ReceiveFrameAsync())!);
        Assert.That(rest.Select(r => (r.Response.Command, r.Response.Status)), Is.EqualTo(new[]
        {
            (Smb2Command.SetInfo, NtStatus.Success), (Smb2Command.Close, NtStatus.Success),
        }), "the rename ran on the CREATE's open, then the related CLOSE closed it");
        Assert.That(File.Exists(Path.Combine(server.ShareDir, "dst.dat")), Is.True);
        Assert.That(File.Exists(Path.Combine(server.ShareDir, "src.dat")), Is.False);
    }
}
