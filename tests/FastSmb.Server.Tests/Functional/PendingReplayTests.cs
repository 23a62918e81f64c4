using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Replays of a DH2Q CREATE that is still waiting for others' breaks ([MS-SMB2] 3.3.5.9.10), as Windows answers them
/// (smbtorture's smb2.replay.dhv2-pending*-windows): refused while the CREATE waits, even after the channel it came
/// on died, since the CREATE lives on with its session and completes there; run as a new CREATE when the original
/// waits because it met a sharing violation.
/// </summary>
[CancelAfter(60_000)]
public class PendingReplayTests
{
    private static async Task<(Smb2ClientConnection Client, uint Tree)> ConnectAsync(TestServer server)
    {
        var c = server.Connect();
        Assert.That((await c.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: Guid.NewGuid())).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var (status, tree, _) = await c.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        c.CollectBreaks = true; // the holders below never acknowledge: their breaks stay out of the responses
        return (c, tree);
    }

    [Test]
    public async Task PendingCreate_ItsChannelDies_CompletesOnTheSession_AndAReplayOnAnotherChannelFindsIt()
    {
        await using var server = TestServer.Start();
        var (holder, holderTree) = await ConnectAsync(server);
        var held = await holder.CreateDurableAsync(holderTree, "pending2.dat", Guid.NewGuid());
        Assert.That((held.Status, held.OplockLevel), Is.EqualTo((NtStatus.Success, OplockLevel.Batch)));

        var guid = Guid.NewGuid();
        var channels = new Smb2ClientConnection[2];
        for (int i = 0; i < 2; i++)
        {
            channels[i] = server.Connect();
            await channels[i].NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid,
                capabilities: (uint)Smb2GlobalCapabilities.MultiChannel);
            var logon = i == 0 ? await channels[0].LogonAsync(TestServer.User, TestServer.Password)
                : await channels[1].BindAsync(channels[0], TestServer.User, TestServer.Password);
            Assert.That(logon, Is.EqualTo(NtStatus.Success));
            channels[i].SignRequests = true;
        }
        var (tc, tree, _) = await channels[0].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(tc, Is.EqualTo(NtStatus.Success));

        var createGuid = Guid.NewGuid();
        var first = await channels[0].CreateDurableAsync(tree, "pending2.dat", createGuid, oplockLevel: OplockLevel.None,
            returnInterim: true);
        Assert.That(first.Status, Is.EqualTo(NtStatus.Pending), "waits for the batch oplock's break");
        await channels[0].DisposeAsync();
        for (int i = 0; i < 500 && server.Log.Closed.Count < 1; i++) await Task.Delay(20);
        Assert.That(server.Log.Closed.Count, Is.GreaterThanOrEqualTo(1), "the server noticed the closed channel");

        var refused = await channels[1].CreateDurableAsync(tree, "pending2.dat", createGuid, oplockLevel: OplockLevel.None, replay: true,
            returnInterim: true);
        Assert.That(refused.Status, Is.EqualTo(NtStatus.AccessDenied), "the CREATE still waits, on the session");
        Assert.That(await holder.CloseAsync(holderTree, held.FileId), Is.EqualTo(NtStatus.Success));

        // The CREATE completes on the other channel's owner, unanswered; a replay meets it once it has (bounded).
        DurableCreateResult replayed = default;
        for (int i = 0; i < 500; i++)
        {
            replayed = await channels[1].CreateDurableAsync(tree, "pending2.dat", createGuid, oplockLevel: OplockLevel.None, replay: true);
            if (replayed.Status != NtStatus.AccessDenied) break;
            await Task.Delay(20);
        }
        Assert.That((replayed.Status, replayed.CreateAction), Is.EqualTo((NtStatus.Success, 1u)), "the file existed: opened");
        var again = await channels[1].CreateDurableAsync(tree, "pending2.dat", createGuid, oplockLevel: OplockLevel.None, replay: true);
        Assert.That(again.FileId, Is.EqualTo(replayed.FileId), "the one open the waiting CREATE made");
    }

    [Test]
    public async Task Replay_OfACreateWaitingOnASharingViolation_RunsAsANewCreate()
    {
        await using var server = TestServer.Start();
        var (holder, holderTree) = await ConnectAsync(server);
        var held = await holder.CreateDurableAsync(holderTree, "violation.dat", Guid.NewGuid(), leaseKey: Guid.NewGuid(),
            shareAccess: 0);
        Assert.That((held.Status, held.LeaseState), Is.EqualTo((NtStatus.Success, 7u)));

        var (c, tree) = await ConnectAsync(server);
        var createGuid = Guid.NewGuid();
        var first = await c.CreateDurableAsync(tree, "violation.dat", createGuid, oplockLevel: OplockLevel.None, shareAccess: 0,
            returnInterim: true);
        Assert.That(first.Status, Is.EqualTo(NtStatus.Pending), "share none meets share none: the Handle lease breaks first");
        var replay = await c.CreateDurableAsync(tree, "violation.dat", createGuid, oplockLevel: OplockLevel.None,
            shareAccess: 0, replay: true, returnInterim: true);
        Assert.That(replay.Status, Is.EqualTo(NtStatus.Pending), "not refused: a new CREATE, waiting for the same break");

        Assert.That(await holder.CloseAsync(holderTree, held.FileId), Is.EqualTo(NtStatus.Success));
        var original = await c.ReceiveAsync();
        var second = await c.ReceiveAsync();
        Assert.That((original.Command, original.Status), Is.EqualTo((Smb2Command.Create, NtStatus.Success)));
        Assert.That((second.Command, second.Status), Is.EqualTo((Smb2Command.Create, NtStatus.SharingViolation)),
            "the replay meets the share mode of the open the original made");
    }
}
