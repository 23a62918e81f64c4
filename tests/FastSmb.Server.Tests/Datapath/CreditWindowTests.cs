using FastSmb.Datapath.Connections;

namespace FastSmb.Server.Tests.Datapath;

public class CreditWindowTests
{
    [Test]
    public void New_AllowsOnlyMessageIdZero()
    {
        var w = new CreditWindow(16);
        Assert.That(w.Available, Is.EqualTo(1));
        Assert.That(w.TryConsume(1, 1), Is.False);
        Assert.That(w.TryConsume(0, 1), Is.True);
        Assert.That(w.Available, Is.EqualTo(0));
    }

    [Test]
    public void TryConsume_ReusedId_Refused()
    {
        var w = new CreditWindow(16);
        Assert.That(w.TryConsume(0, 1), Is.True);
        w.Grant(4, 1);
        Assert.That(w.TryConsume(0, 1), Is.False, "id 0 was used");
        Assert.That(w.TryConsume(2, 1), Is.True, "out of order inside the window is legal");
        Assert.That(w.TryConsume(2, 1), Is.False, "id 2 reused");
        Assert.That(w.TryConsume(1, 1), Is.True);
        Assert.That(w.Low, Is.EqualTo(3UL), "the window slides over the consumed prefix");
    }

    [Test]
    public void TryConsume_MultiCredit_NeedsAllIdsInWindow()
    {
        var w = new CreditWindow(64);
        w.TryConsume(0, 1);
        w.Grant(4, 1); // ids 1..4
        Assert.That(w.TryConsume(1, 5), Is.False, "ids 1..5 exceed the window");
        Assert.That(w.Available, Is.EqualTo(4), "a refused request changes nothing");
        Assert.That(w.TryConsume(1, 4), Is.True);
        Assert.That(w.Available, Is.EqualTo(0));
    }

    [Test]
    public void TryConsume_ChargeZero_CountsAsOne()
    {
        var w = new CreditWindow(16);
        Assert.That(w.TryConsume(0, 0), Is.True);
        Assert.That(w.Available, Is.EqualTo(0));
    }

    [Test]
    public void Grant_NeverExceedsMaxCredits()
    {
        var w = new CreditWindow(10);
        w.TryConsume(0, 1);
        Assert.That(w.Grant(1000, 1), Is.EqualTo(10));
        Assert.That(w.Grant(1000, 1), Is.EqualTo(0), "the client already holds the maximum");
        Assert.That(w.Available, Is.EqualTo(10));
    }

    [Test]
    public void Grant_ZeroRequestedWithNoCredits_GrantsOne()
    {
        var w = new CreditWindow(10);
        w.TryConsume(0, 1);
        Assert.That(w.Grant(0, 1), Is.EqualTo(1), "a client must never be left without credits");
    }

    [Test]
    public void TryConsume_HugeMessageId_RefusedWithoutOverflow()
    {
        var w = new CreditWindow(10);
        Assert.That(w.TryConsume(ulong.MaxValue, 2), Is.False);
        Assert.That(w.TryConsume(ulong.MaxValue - 1, 1), Is.False);
    }

    [Test]
    public void LongRun_WindowKeepsSliding()
    {
        var w = new CreditWindow(8);
        ulong next = 0;
        w.TryConsume(next++, 1);
        w.Grant(8, 1);
        for (int i = 0; i < 100_000; i++)
        {
            Assert.That(w.TryConsume(next++, 1), Is.True);
            w.Grant(1, 1);
        }
        Assert.That(w.Available, Is.EqualTo(8));
    }
}
