using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Oplock breaks over the real dispatcher with two clients ([MS-SMB2] 3.3.5.9, 3.3.4.6, 3.3.5.22.1): the second
/// client's CREATE goes async, the break reaches the first client, and its acknowledgment completes the CREATE.
/// </summary>
[CancelAfter(30_000)]
public class OplockBreakTests
{
    private const uint ReadWriteAccess = 0x0012019F; // FILE_GENERIC_READ | FILE_GENERIC_WRITE

    private static Task<Smb2Response> CreateAsync(Smb2ClientConnection c, uint tree, string name, byte oplock) =>
        c.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, oplock, 2, ReadWriteAccess, 0x80, 7,
            3 /* FILE_OPEN_IF */, 0, name, default), tree, returnInterim: true);

    [Test]
    public async Task Create_BatchHeldByAnotherClient_BreakReachesHolder_AckCompletesCreate()
    {
        await using var server = TestServer.Start();
        var (first, tree1) = await server.TreeConnectAsync(TestServer.ShareName);
        var (second, tree2) = await server.TreeConnectAsync(TestServer.ShareName);

        var opened = await CreateAsync(first, tree1, "oplock.dat", OplockLevel.Batch);
        Assert.That(CreateResponse.TryParse(opened.Message, out var held), Is.True);
        Assert.That(held.OplockLevel, Is.EqualTo(OplockLevel.Batch));
        var heldId = held.FileId;

        var interim = await CreateAsync(second, tree2, "oplock.dat", OplockLevel.Batch);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending), "the conflicting CREATE waits for the acknowledgment");

        var notification = await first.ReceiveAsync();
        Assert.That(notification.Command, Is.EqualTo(Smb2Command.OplockBreak));
        Assert.That(notification.MessageId, Is.EqualTo(ulong.MaxValue));
        Assert.That(notification.SessionId, Is.Zero);
        Assert.That(OplockBreakNotification.TryParse(notification.Message, out var brk), Is.True);
        Assert.That(brk.OplockLevel, Is.EqualTo(OplockLevel.II));
        Assert.That(brk.FileId, Is.EqualTo(heldId));

        var ack = await first.SendAsync(Smb2Command.OplockBreak,
            b => OplockBreakAcknowledgment.Write(b, OplockLevel.II, heldId), tree1);
        Assert.That(ack.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(OplockBreakResponse.TryParse(ack.Message, out var granted), Is.True);
        Assert.That(granted.OplockLevel, Is.EqualTo(OplockLevel.II));

        var final = await second.ReceiveAsync();
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(CreateResponse.TryParse(final.Message, out var created), Is.True);
        Assert.That(created.OplockLevel, Is.EqualTo(OplockLevel.II), "batch beside another open is level II");
    }

    [Test]
    public async Task OplockBreakAck_NoBreakInProgress_InvalidOplockProtocol()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var opened = await CreateAsync(c, tree, "noack.dat", OplockLevel.Batch);
        Assert.That(CreateResponse.TryParse(opened.Message, out var held), Is.True);
        var heldId = held.FileId;
        var ack = await c.SendAsync(Smb2Command.OplockBreak, b => OplockBreakAcknowledgment.Write(b, OplockLevel.None, heldId), tree);
        Assert.That(ack.Status, Is.EqualTo(NtStatus.InvalidOplockProtocol));
    }
}
