using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Durable handles over the in-memory server ([MS-SMB2] 3.3.5.9.6/7/10/12): the open outlives its connection and a
/// new connection of the same user reclaims it; a disconnected open whose oplock must break is closed; the
/// replayed DH2Q answers the open it made, until the client used the open; the scavenger closes an open whose timeout
/// ran out (checked with a lease that breaks for nobody, so nothing but the expiry can close it).
/// </summary>
[CancelAfter(60_000)]
public class DurableHandleTests
{
    private static async Task<(Smb2ClientConnection Client, uint Tree)> ConnectAsync(TestServer server, Guid clientGuid)
    {
        var c = server.Connect();
        Assert.That((await c.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: clientGuid)).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var (status, tree, _) = await c.TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return (c, tree);
    }

    /// <summary>The server notices a lost connection asynchronously: reclaim until it has (bounded).</summary>
    private static async Task<DurableCreateResult> ReconnectWhenDisconnectedAsync(Func<Task<DurableCreateResult>> reconnect)
    {
        for (int attempt = 0; ; attempt++)
        {
            var result = await reconnect();
            if (result.Status != NtStatus.ObjectNameNotFound || attempt == 200) return result;
            await Task.Delay(25);
        }
    }

    [Test]
    public async Task V1BatchOpen_SurvivesDisconnect_AndIsReclaimedOnANewConnection()
    {
        await using var server = TestServer.Start();
        var (c1, tree1) = await ConnectAsync(server, Guid.NewGuid());
        var open = await c1.CreateDurableAsync(tree1, "durable1.txt");
        Assert.That(open.Status, Is.EqualTo(NtStatus.Success));
        Assert.That((open.DurableV1, open.OplockLevel), Is.EqualTo((true, OplockLevel.Batch)));
        Assert.That(await c1.WriteAsync(tree1, open.FileId, 0, "kept"u8.ToArray()), Is.EqualTo(NtStatus.Success));
        await c1.DisposeAsync();

        var (c2, tree2) = await ConnectAsync(server, Guid.NewGuid());
        var again = await ReconnectWhenDisconnectedAsync(() => c2.ReconnectDurableAsync(tree2, "durable1.txt", open.FileId));
        Assert.That(again.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(again.FileId.Persistent, Is.EqualTo(open.FileId.Persistent));
        Assert.That(again.FileId.Volatile, Is.Not.EqualTo(open.FileId.Volatile), "a reconnect hands out a new volatile id");
        Assert.That((again.OplockLevel, again.CreateAction, again.DurableV1), Is.EqualTo((OplockLevel.Batch, 1u, false)));
        var (read, data) = await c2.ReadAsync(tree2, again.FileId, 0, 4);
        Assert.That((read, System.Text.Encoding.ASCII.GetString(data)), Is.EqualTo((NtStatus.Success, "kept")));
        Assert.That(await c2.CloseAsync(tree2, again.FileId), Is.EqualTo(NtStatus.Success));
        var closed = await c2.ReconnectDurableAsync(tree2, "durable1.txt", open.FileId);
        Assert.That(closed.Status, Is.EqualTo(NtStatus.ObjectNameNotFound), "CLOSE ends a durable open");
    }

    [Test]
    public async Task V1Reconnect_WhileTheOpenIsConnected_IsNotFound()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await ConnectAsync(server, Guid.NewGuid());
        var open = await c.CreateDurableAsync(tree, "busy.txt");
        Assert.That(open.DurableV1, Is.True);
        var again = await c.ReconnectDurableAsync(tree, "busy.txt", open.FileId);
        Assert.That(again.Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
    }

    [Test]
    public async Task NoOplock_NoDurability()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await ConnectAsync(server, Guid.NewGuid());
        var open = await c.CreateDurableAsync(tree, "plain.txt", oplockLevel: OplockLevel.II);
        Assert.That(open.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(open.DurableV1, Is.False, "durability needs a batch oplock or a Handle lease");
    }

    [Test]
    public async Task DurableHandlesNo_Share_GrantsNone()
    {
        string dir = Directory.CreateTempSubdirectory("fastsmb-nodurable").FullName;
        try
        {
            await using var server = TestServer.Start(extraShares: new ShareConfig("nodurable", dir) { DurableHandles = false });
            var c = await server.LogonAsync();
            var (status, tree, _) = await c.TreeConnectAsync(TestServer.Unc("nodurable"));
            Assert.That(status, Is.EqualTo(NtStatus.Success));
            var open = await c.CreateDurableAsync(tree, "f.txt");
            Assert.That((open.Status, open.DurableV1, open.OplockLevel), Is.EqualTo((NtStatus.Success, false, OplockLevel.Batch)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public async Task V2LeaseOpen_ReclaimedWithCreateGuidAndLeaseKey()
    {
        await using var server = TestServer.Start();
        var clientGuid = Guid.NewGuid();
        var (c1, tree1) = await ConnectAsync(server, clientGuid);
        var createGuid = Guid.NewGuid();
        var leaseKey = Guid.NewGuid();
        var open = await c1.CreateDurableAsync(tree1, "leased.txt", createGuid, timeoutMs: 30_000, leaseKey: leaseKey);
        Assert.That((open.Status, open.DurableV2, open.TimeoutMs, open.LeaseState), Is.EqualTo((NtStatus.Success, true, 30_000u, 7u)));
        await c1.DisposeAsync();

        var (c2, tree2) = await ConnectAsync(server, clientGuid);
        var wrongGuid = await ReconnectWhenDisconnectedAsync(async () =>
        {
            // The right reclaim succeeds only once the server has noticed the loss; ask with a wrong CreateGuid first.
            var r = await c2.ReconnectDurableAsync(tree2, "leased.txt", open.FileId, Guid.NewGuid(), leaseKey);
            return r.Status == NtStatus.ObjectNameNotFound
                ? await c2.ReconnectDurableAsync(tree2, "leased.txt", open.FileId, createGuid, leaseKey)
                : r;
        });
        Assert.That(wrongGuid.Status, Is.EqualTo(NtStatus.Success));
        Assert.That((wrongGuid.OplockLevel, wrongGuid.LeaseState, wrongGuid.DurableV2), Is.EqualTo((OplockLevel.Lease, 7u, false)));
    }

    [Test]
    public async Task V2LeaseReconnect_WithoutTheLease_OrUnderAnotherName_IsRefused()
    {
        await using var server = TestServer.Start();
        var clientGuid = Guid.NewGuid();
        var (c1, tree1) = await ConnectAsync(server, clientGuid);
        var createGuid = Guid.NewGuid();
        var leaseKey = Guid.NewGuid();
        var open = await c1.CreateDurableAsync(tree1, "named.txt", createGuid, leaseKey: leaseKey);
        Assert.That(open.DurableV2, Is.True);
        await c1.DisposeAsync();

        var (c2, tree2) = await ConnectAsync(server, clientGuid);
        var renamed = await ReconnectWhenDisconnectedAsync(
            () => c2.ReconnectDurableAsync(tree2, "other.txt", open.FileId, createGuid, leaseKey));
        Assert.That(renamed.Status, Is.EqualTo(NtStatus.InvalidParameter));
        var noLease = await c2.ReconnectDurableAsync(tree2, "named.txt", open.FileId, createGuid);
        Assert.That(noLease.Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
        var otherKey = await c2.ReconnectDurableAsync(tree2, "named.txt", open.FileId, createGuid, Guid.NewGuid());
        Assert.That(otherKey.Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
    }

    [Test]
    public async Task DisconnectedBatchOpen_ClosedByAConflictingOpen_ThenNotReclaimable()
    {
        await using var server = TestServer.Start();
        var (c1, tree1) = await ConnectAsync(server, Guid.NewGuid());
        var open = await c1.CreateDurableAsync(tree1, "contested.txt", shareAccess: 0);
        Assert.That((open.Status, open.OplockLevel, open.DurableV1), Is.EqualTo((NtStatus.Success, OplockLevel.Batch, true)));
        await c1.DisposeAsync();

        var (c2, tree2) = await ConnectAsync(server, Guid.NewGuid());
        // Wait until the server holds the open disconnected (a reconnect attempt on a scratch name tells nothing),
        // by letting the second client's own open go through: it breaks the disconnected batch oplock, which
        // closes the durable open instead of waiting for the break timeout.
        var (status, other, response) = await c2.CreateAsync(tree2, "contested.txt", FileClient.Open, share: 0);
        if (status == NtStatus.Pending)
        {
            // The break went out while the server was still dropping the connection: it ends with the disconnect.
            var final = await c2.ReceiveAsync();
            status = final.Status;
            other = CreateResponse.TryParse(final.Message, out var cr) ? cr.FileId : default;
        }
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var again = await c2.ReconnectDurableAsync(tree2, "contested.txt", open.FileId);
        Assert.That(again.Status, Is.EqualTo(NtStatus.ObjectNameNotFound));
        Assert.That(await c2.CloseAsync(tree2, other), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task ReplayedDh2q_AnswersTheSameOpen_AndADuplicateWithoutReplayIsRefused()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await ConnectAsync(server, Guid.NewGuid());
        var createGuid = Guid.NewGuid();
        var first = await c.CreateDurableAsync(tree, "replayed.txt", createGuid, shareAccess: 0);
        Assert.That((first.Status, first.CreateAction, first.DurableV2), Is.EqualTo((NtStatus.Success, 2u, true)));
        var replay = await c.CreateDurableAsync(tree, "replayed.txt", createGuid, shareAccess: 0, replay: true);
        Assert.That((replay.Status, replay.FileId, replay.CreateAction, replay.OplockLevel),
            Is.EqualTo((NtStatus.Success, first.FileId, 2u, OplockLevel.Batch)));
        var duplicate = await c.CreateDurableAsync(tree, "replayed.txt", createGuid, shareAccess: 0);
        Assert.That(duplicate.Status, Is.EqualTo(NtStatus.DuplicateObjectId));
    }

    [Test]
    public async Task Logoff_KeepsTheDurableOpen_ForANewSession()
    {
        await using var server = TestServer.Start();
        var clientGuid = Guid.NewGuid();
        var (c, tree) = await ConnectAsync(server, clientGuid);
        var open = await c.CreateDurableAsync(tree, "logoff.txt");
        Assert.That(open.DurableV1, Is.True);
        Assert.That((await c.SendAsync(Smb2Command.Logoff, LogoffRequest.Write)).Status, Is.EqualTo(NtStatus.Success));

        var (c2, tree2) = await ConnectAsync(server, clientGuid);
        var again = await c2.ReconnectDurableAsync(tree2, "logoff.txt", open.FileId);
        Assert.That(again.Status, Is.EqualTo(NtStatus.Success), "smb2.durable-open.reopen4: LOGOFF leaves it disconnected");
    }

    [Test]
    public async Task Scavenger_ClosesAnExpiredOpen_ReleasingItsLocksAndLease_AndWakesTheBlockedLock()
    {
        await using var server = TestServer.Start();
        var (c1, tree1) = await ConnectAsync(server, Guid.NewGuid());
        var createGuid = Guid.NewGuid();
        const uint ReadHandle = 1 | 2;
        // An RH lease: the second client's open takes nothing from it (only Write would break), so no break can
        // close the disconnected open; only its 500 ms timeout can.
        var open = await c1.CreateDurableAsync(tree1, "scavenged.dat", createGuid, timeoutMs: 500, leaseKey: Guid.NewGuid(),
            leaseState: ReadHandle);
        Assert.That((open.Status, open.DurableV2, open.TimeoutMs, open.LeaseState),
            Is.EqualTo((NtStatus.Success, true, 500u, ReadHandle)));
        Assert.That(await c1.LockRangeAsync(tree1, open.FileId, 0, 10, LockElement.FlagExclusiveLock | LockElement.FlagFailImmediately),
            Is.EqualTo(NtStatus.Success));
        await c1.DisposeAsync();

        var (c2, tree2) = await ConnectAsync(server, Guid.NewGuid());
        var (status, other, _) = await c2.CreateAsync(tree2, "scavenged.dat", FileClient.Open);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        var interim = await c2.LockAsync(tree2, other, 0, new LockElement(0, 10, LockElement.FlagExclusiveLock));
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending), "the disconnected open still holds the range");
        var final = await c2.ReceiveAsync();
        Assert.That((final.Command, final.Status), Is.EqualTo((Smb2Command.Lock, NtStatus.Success)),
            "the scavenger closed the open and its lock went with it");
        Assert.That((await c2.ReconnectDurableAsync(tree2, "scavenged.dat", open.FileId, createGuid)).Status,
            Is.EqualTo(NtStatus.ObjectNameNotFound));
        Assert.That(await c2.CloseAsync(tree2, other), Is.EqualTo(NtStatus.Success));
        var leased = await c2.CreateDurableAsync(tree2, "scavenged.dat", leaseKey: Guid.NewGuid(), disposition: FileClient.Open);
        Assert.That((leased.Status, leased.LeaseState), Is.EqualTo((NtStatus.Success, 7u)), "the expired open's lease is gone");
    }

    [Test]
    public async Task ReplayedDh2q_AfterTheOpenWasUsed_IsANewCreate()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await ConnectAsync(server, Guid.NewGuid());
        var createGuid = Guid.NewGuid();
        // No oplock: the second open breaks nothing (and is not durable; its CreateGuid still answers a replay).
        var first = await c.CreateDurableAsync(tree, "used.txt", createGuid, oplockLevel: OplockLevel.None);
        Assert.That((first.Status, first.DurableV2), Is.EqualTo((NtStatus.Success, false)));
        // Naming the open proves the client saw the CREATE response (Samba's replay cache; smb2.replay.replay6).
        Assert.That((await c.ReadAsync(tree, first.FileId, 0, 1)).Status, Is.EqualTo(NtStatus.EndOfFile));
        var replay = await c.CreateDurableAsync(tree, "used.txt", createGuid, oplockLevel: OplockLevel.None, replay: true);
        Assert.That(replay.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(replay.FileId, Is.Not.EqualTo(first.FileId), "a second open of the file");
        var again = await c.CreateDurableAsync(tree, "used.txt", createGuid, oplockLevel: OplockLevel.None, replay: true);
        Assert.That(again.FileId, Is.EqualTo(replay.FileId), "the new open answers a replay until it is used");
        Assert.That((await c.CreateDurableAsync(tree, "used.txt", createGuid, oplockLevel: OplockLevel.None)).Status,
            Is.EqualTo(NtStatus.DuplicateObjectId));
    }
}
