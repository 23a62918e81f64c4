using FastSmb.Fsa.Notify;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>The bookkeeping that keeps one copy of each change under "kernel change notify", whichever of the volume's
/// report and the kernel's event comes first, and never drops a change a local process made.</summary>
public class OwnChangeLedgerTests
{
    [Test]
    public void OwnFirst_KernelCopyDropped()
    {
        var ledger = new OwnChangeLedger();
        Assert.That(ledger.RecordOwn("d/a", FileAction.Added, 0), Is.True);
        Assert.That(ledger.IsOwn("d/a", FileAction.Added, 10), Is.True);
        Assert.That(ledger.Count, Is.EqualTo(1)); // only the metadata window is left
    }

    [Test]
    public void KernelFirst_OwnReportTakenAsAlreadySeen()
    {
        var ledger = new OwnChangeLedger();
        Assert.That(ledger.IsOwn("d/a", FileAction.Removed, 0), Is.False);
        Assert.That(ledger.RecordOwn("d/a", FileAction.Removed, 5), Is.False);
        Assert.That(ledger.Count, Is.Zero);
    }

    [Test]
    public void LocalChangeAfterOwnPair_Reported()
    {
        var ledger = new OwnChangeLedger();
        ledger.RecordOwn("d/a", FileAction.Removed, 0);
        Assert.That(ledger.IsOwn("d/a", FileAction.Removed, 1), Is.True);
        // Another removal of the same name, made by a local process: not the server's.
        Assert.That(ledger.IsOwn("d/a", FileAction.Removed, 2), Is.False);
    }

    [Test]
    public void TwoOwnChanges_TwoKernelCopiesDropped_ThirdReported()
    {
        var ledger = new OwnChangeLedger();
        ledger.RecordOwn("a", FileAction.Added, 0);
        ledger.RecordOwn("a", FileAction.Added, 1);
        Assert.That(ledger.IsOwn("a", FileAction.Added, 2), Is.True);
        Assert.That(ledger.IsOwn("a", FileAction.Added, 3), Is.True);
        Assert.That(ledger.IsOwn("a", FileAction.Added, 4), Is.False);
    }

    [Test]
    public void LateKernelCopy_AfterWindow_Reported()
    {
        var ledger = new OwnChangeLedger();
        ledger.RecordOwn("a", FileAction.Added, 0);
        Assert.That(ledger.IsOwn("a", FileAction.Added, 60_000), Is.False);
    }

    [Test]
    public void Metadata_DroppedOnlyShortlyAfterOwnChange()
    {
        var ledger = new OwnChangeLedger();
        ledger.RecordOwn("a", FileAction.Modified, 0);
        Assert.That(ledger.IsOwn("a", FileAction.Modified, 100), Is.True);
        Assert.That(ledger.IsOwn("a", FileAction.Modified, 100), Is.True);
        Assert.That(ledger.IsOwn("a", FileAction.Modified, 5_000), Is.False);
        Assert.That(ledger.IsOwn("b", FileAction.Modified, 100), Is.False);
    }
}
