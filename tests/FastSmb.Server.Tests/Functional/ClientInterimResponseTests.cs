using FastSmb.Client.Smb2;
using FastSmb.Datapath;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;
using static FastSmb.Server.Tests.Functional.Support.FileClient;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// The client library's <see cref="Smb2ClientConnection.SendAsync"/> and an interim response ([MS-SMB2] 3.2.5.1.5):
/// it waits past the STATUS_PENDING for the final response of the same MessageId, noting the interim (its AsyncId)
/// for a caller that wants to CANCEL; asked to, it returns the interim itself. The server's FLUSH is held by a gated
/// volume, so the request really goes async.
/// </summary>
[CancelAfter(30_000)]
public class ClientInterimResponseTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);

    private static (TestServer Server, Func<GatedVolume> Volume) StartGated()
    {
        GatedVolume? gated = null;
        var server = TestServer.Start(limits: new DatapathOptions
        {
            BlockingCalls = new BlockingCallPool(1, TimeSpan.FromMilliseconds(1)),
            WrapVolume = v => gated = new GatedVolume(v),
        });
        return (server, () => gated!);
    }

    [Test]
    public async Task SendAsync_InterimPending_WaitsForTheFinalResponse()
    {
        var (server, volume) = StartGated();
        await using var owned = server;
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, file, _) = await c.CreateAsync(tree, "f", OverwriteIf);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var interims = new List<Smb2Response>();
        var interimSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.InterimReceived += r => { interims.Add(r); interimSeen.TrySetResult(); };

        ulong messageId = c.NextMessageId;
        var flush = c.SendAsync(Smb2Command.Flush, body => FlushRequest.Write(body, file), tree);
        Assert.That(await volume().Entered.WaitAsync(Bounded), Is.True, "the flush reached the volume");
        // The volume holds the flush until the gate opens, so the server answers with an interim response first.
        await interimSeen.Task.WaitAsync(Bounded);
        Assert.That(flush.IsCompleted, Is.False, "an interim response is not the answer");
        volume().Open();
        var final = await flush;

        Assert.That((final.Command, final.Status, final.MessageId), Is.EqualTo((Smb2Command.Flush, NtStatus.Success, messageId)));
        Assert.That(FlushResponse.TryParse(final.Message, out _), Is.True);
        var interim = interims.Single();
        Assert.That((interim.Status, interim.MessageId, interim.Header.IsAsync), Is.EqualTo((NtStatus.Pending, messageId, true)));
        Assert.That(interim.Header.AsyncId, Is.Not.Zero.And.EqualTo(final.Header.AsyncId));
        Assert.That(c.LastInterimResponse, Is.SameAs(interim));
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success), "the connection is in step afterwards");
    }

    [Test]
    public async Task SendAsync_ReturnInterim_GivesTheInterimForACancel()
    {
        var (server, volume) = StartGated();
        await using var owned = server;
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (_, file, _) = await c.CreateAsync(tree, "g", OverwriteIf);
        c.ReturnInterimResponses = true;

        var interim = await c.SendAsync(Smb2Command.Flush, body => FlushRequest.Write(body, file), tree);
        Assert.That((interim.Status, interim.Header.IsAsync), Is.EqualTo((NtStatus.Pending, true)));
        Assert.That(await volume().Entered.WaitAsync(Bounded), Is.True);
        volume().Open();
        var final = await c.ReceiveAsync();
        Assert.That((final.Status, final.MessageId, final.Header.AsyncId),
            Is.EqualTo((NtStatus.Success, interim.MessageId, interim.Header.AsyncId)));
    }

    [Test]
    public void IsInterimResponseTo_OnlyAsyncPendingWithTheSameMessageId()
    {
        static Smb2Response Response(NtStatus status, Smb2HeaderFlags flags, ulong messageId)
        {
            var message = new byte[Smb2Header.Size + 9];
            Smb2Header.WriteRequest(message, Smb2Command.Flush, 0, 1, flags | Smb2HeaderFlags.ServerToRedir, messageId, 0, 1);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), (uint)status);
            return new Smb2Response(message);
        }
        Assert.That(Smb2ClientConnection.IsInterimResponseTo(Response(NtStatus.Pending, Smb2HeaderFlags.AsyncCommand, 5), 5), Is.True);
        Assert.That(Smb2ClientConnection.IsInterimResponseTo(Response(NtStatus.Pending, Smb2HeaderFlags.AsyncCommand, 6), 5), Is.False);
        Assert.That(Smb2ClientConnection.IsInterimResponseTo(Response(NtStatus.Pending, Smb2HeaderFlags.None, 5), 5), Is.False,
            "a synchronous STATUS_PENDING is a final answer");
        Assert.That(Smb2ClientConnection.IsInterimResponseTo(Response(NtStatus.Success, Smb2HeaderFlags.AsyncCommand, 5), 5), Is.False,
            "the final response of an async request");
    }
}
