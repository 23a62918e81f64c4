using FastSmb.SmbDirect.Rdma;
using FastSmb.SmbDirect.Rdma.Fake;

namespace FastSmb.Server.Tests.Datapath.Rdma;

/// <summary>The fake provider's fault injection: what the SMB Direct tests rely on to reach error paths.</summary>
public class FakeRdmaProviderTests
{
    [Test]
    public void Send_NoReceivePosted_ReceiverNotReadyAndConnectionBreaks()
    {
        var (a, b) = new FakeRdmaProvider().CreatePair();
        using var ra = a.RegisterMemory(64, RdmaAccess.LocalWrite);
        a.TryPostSend(1, ra, 0, 8);
        var c = new RdmaCompletion[4];
        Assert.That(a.PollCompletions(c), Is.EqualTo(2));
        Assert.That((c[0].Status, c[1].Opcode), Is.EqualTo((RdmaCompletionStatus.ReceiverNotReady, RdmaOpcode.Disconnected)));
        Assert.That(b.IsDisconnected, Is.True);
    }

    [Test]
    public void InjectFailure_NextRdmaReadFails()
    {
        var (a, b) = new FakeRdmaProvider().CreatePair();
        using var target = b.RegisterMemory(64, RdmaAccess.RemoteRead);
        using var local = a.RegisterMemory(64, RdmaAccess.LocalWrite);
        a.InjectFailure(RdmaOpcode.RdmaRead, RdmaCompletionStatus.RemoteAccessError);
        a.TryPostRdmaRead(1, local, 0, 8, target.RemoteAddress, target.RemoteKey);
        var c = new RdmaCompletion[4];
        a.PollCompletions(c);
        Assert.That(c[0].Status, Is.EqualTo(RdmaCompletionStatus.RemoteAccessError));
    }

    [Test]
    public void HoldSendCompletions_ReceiveSeenBeforeSendCompletes_AsRcAllows()
    {
        var (a, b) = new FakeRdmaProvider().CreatePair();
        using var ra = a.RegisterMemory(64, RdmaAccess.LocalWrite);
        using var rb = b.RegisterMemory(64, RdmaAccess.LocalWrite);
        b.TryPostReceive(9, rb, 0, 32);
        b.TryPostReceive(10, rb, 32, 32);
        a.HoldSendCompletions = true;
        a.TryPostSend(1, ra, 0, 8);
        a.TryPostSend(2, ra, 0, 8);
        var c = new RdmaCompletion[4];
        Assert.That(b.PollCompletions(c), Is.EqualTo(2));
        Assert.That(c[0].WorkRequestId, Is.EqualTo(9UL));
        Assert.That(a.PollCompletions(c), Is.EqualTo(0), "held");
        a.HoldSendCompletions = false;
        a.ReleaseHeldCompletions();
        int n = a.PollCompletions(c);
        Assert.That(c.Take(n).Select(x => x.WorkRequestId), Is.EqualTo(new ulong[] { 1, 2 }));
    }
}
