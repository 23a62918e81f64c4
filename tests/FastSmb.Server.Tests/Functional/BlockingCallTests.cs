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
/// A file system call that blocks (here a FLUSH on a volume gated by the test) runs off the connection's owner: the
/// request gets an interim STATUS_PENDING, the connection answers other requests meanwhile, the final response comes
/// when the call returns; CANCEL abandons a call still queued and leaves a running one to complete ([MS-SMB2] 3.3.4.2,
/// 3.3.5.16).
/// </summary>
[CancelAfter(30_000)]
public class BlockingCallTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);

    private static (TestServer Server, Func<GatedVolume> Volume) StartGated(int threads, TimeSpan interimAfter)
    {
        GatedVolume? gated = null;
        var server = TestServer.Start(limits: new DatapathOptions
        {
            BlockingCalls = new BlockingCallPool(threads, interimAfter),
            WrapVolume = v => gated = new GatedVolume(v),
        });
        return (server, () => gated!);
    }

    private static async Task<FileId> CreateAsync(Smb2ClientConnection c, uint tree, string name)
    {
        var (status, file, _) = await c.CreateAsync(tree, name, OverwriteIf);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return file;
    }

    private static Task<Smb2Response> FlushAsync(Smb2ClientConnection c, uint tree, FileId file) =>
        c.SendAsync(Smb2Command.Flush, body => FlushRequest.Write(body, file), tree, returnInterim: true);

    [Test]
    public async Task Flush_SlowVolume_InterimThenOtherRequestsServedThenFinal()
    {
        var (server, volume) = StartGated(2, TimeSpan.FromMilliseconds(1));
        await using var ownedServer = server;
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var file = await CreateAsync(c, tree, "f");
        Assert.That(await c.WriteAsync(tree, file, 0, "data"u8.ToArray()), Is.EqualTo(NtStatus.Success));

        var interim = await FlushAsync(c, tree, file);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        Assert.That(interim.Header.IsAsync && interim.Header.AsyncId != 0, Is.True);
        Assert.That(await volume().Entered.WaitAsync(Bounded), Is.True, "the flush reached the volume");

        // The connection's owner is free: a READ on the same connection and file is answered while the flush waits.
        var (readStatus, data) = await c.ReadAsync(tree, file, 0, 16);
        Assert.That((readStatus, data), Is.EqualTo((NtStatus.Success, "data"u8.ToArray())));

        volume().Open();
        var final = await c.ReceiveAsync();
        Assert.That((final.Command, final.Status), Is.EqualTo((Smb2Command.Flush, NtStatus.Success)));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(final.MessageId, Is.EqualTo(interim.MessageId));
        Assert.That(FlushResponse.TryParse(final.Message, out _), Is.True);
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task Cancel_QueuedCallIsCancelled_RunningCallCompletesNormally()
    {
        var (server, volume) = StartGated(1, TimeSpan.FromMilliseconds(1)); // one thread: the second flush waits its turn
        await using var ownedServer = server;
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var file = await CreateAsync(c, tree, "f");

        var running = await FlushAsync(c, tree, file);
        Assert.That(running.Status, Is.EqualTo(NtStatus.Pending));
        Assert.That(await volume().Entered.WaitAsync(Bounded), Is.True);
        var queued = await FlushAsync(c, tree, file);
        Assert.That(queued.Status, Is.EqualTo(NtStatus.Pending));

        await c.SendCancelAsync(queued.MessageId, queued.Header.AsyncId);
        var cancelled = await c.ReceiveAsync();
        Assert.That((cancelled.MessageId, cancelled.Status), Is.EqualTo((queued.MessageId, NtStatus.Cancelled)));

        // The running fsync cannot be abandoned: CANCEL changes nothing, the flush answers when it is done.
        await c.SendCancelAsync(running.MessageId, running.Header.AsyncId);
        var echo = await c.SendAsync(Smb2Command.Echo, EchoRequest.Write);
        Assert.That((echo.Command, echo.Status), Is.EqualTo((Smb2Command.Echo, NtStatus.Success)), "nothing came for the CANCEL");
        volume().Open();
        var final = await c.ReceiveAsync();
        Assert.That((final.MessageId, final.Status), Is.EqualTo((running.MessageId, NtStatus.Success)));
        Assert.That(volume().Flushes, Is.EqualTo(1), "the cancelled flush never ran");
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Flush_FinishedWithinTheBound_AnsweredAtOnce()
    {
        var (server, volume) = StartGated(1, TimeSpan.FromMinutes(1));
        await using var ownedServer = server;
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var file = await CreateAsync(c, tree, "f");
        volume().Open();
        var flush = await FlushAsync(c, tree, file);
        Assert.That((flush.Status, flush.Header.IsAsync), Is.EqualTo((NtStatus.Success, false)));
        Assert.That(volume().Flushes, Is.EqualTo(1));
    }

    [Test]
    public async Task Close_WhileFlushRuns_FlushStillAnswers()
    {
        var (server, volume) = StartGated(1, TimeSpan.FromMilliseconds(1));
        await using var ownedServer = server;
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var file = await CreateAsync(c, tree, "f");
        var interim = await FlushAsync(c, tree, file);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending));
        Assert.That(await volume().Entered.WaitAsync(Bounded), Is.True);
        Assert.That(await c.CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
        volume().Open();
        var final = await c.ReceiveAsync();
        Assert.That(final.MessageId, Is.EqualTo(interim.MessageId));
        Assert.That(final.Status, Is.EqualTo(NtStatus.FileClosed), "the handle went away before the fsync could start");
        await server.AssertStillServingAsync();
    }
}
