using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Server.Tests.Datapath;

/// <summary>
/// <see cref="BlockingCall"/> without threads or sockets: the test plays both the pool thread (<c>Execute</c>) and
/// the connection's owner (<c>CompleteLater</c>, <c>TryAbandon</c>), in each order they can meet.
/// </summary>
public class BlockingCallTests
{
    private static (Smb2Connection Connection, List<Action<Smb2Connection>> Posted) Connection()
    {
        var posted = new List<Action<Smb2Connection>>();
        var connection = new Smb2Connection(null, 64) { Post = posted.Add };
        return (connection, posted);
    }

    private static AsyncOperation Operation() => new(1, Smb2Command.Flush, 7, 1, 1, null, false);

    [Test]
    public void CompleteLater_CallAlreadyFinished_CompletesAtOnceWithoutPosting()
    {
        var (connection, posted) = Connection();
        var call = new BlockingCall(() => NtStatus.DiskFull, null);
        call.Execute();
        Assert.That(call.TryFinishWithin(TimeSpan.Zero), Is.True);
        var completions = new List<NtStatus>();
        call.CompleteLater(connection, Operation(), (_, _, status) => completions.Add(status));
        Assert.That(completions, Is.EqualTo(new[] { NtStatus.DiskFull }));
        Assert.That(posted, Is.Empty);
    }

    [Test]
    public void Execute_AfterCompleteLater_PostsTheCompletionOnce()
    {
        var (connection, posted) = Connection();
        var call = new BlockingCall(() => NtStatus.Success, null);
        Assert.That(call.TryFinishWithin(TimeSpan.Zero), Is.False, "nothing ran yet");
        var completions = new List<NtStatus>();
        call.CompleteLater(connection, Operation(), (_, _, status) => completions.Add(status));
        Assert.That(completions, Is.Empty);
        call.Execute();
        Assert.That(posted, Has.Count.EqualTo(1));
        posted[0](connection); // the owner runs what was posted
        Assert.That(completions, Is.EqualTo(new[] { NtStatus.Success }));
    }

    [Test]
    public void TryAbandon_BeforeExecute_CallNeverRuns_AfterExecuteStartedRefused()
    {
        int runs = 0;
        var abandoned = new BlockingCall(() => { runs++; return NtStatus.Success; }, null);
        Assert.That(abandoned.TryAbandon(), Is.True);
        abandoned.Execute();
        Assert.That(runs, Is.Zero);

        var started = new BlockingCall(() => { runs++; return NtStatus.Success; }, null);
        started.Execute();
        Assert.That(started.TryAbandon(), Is.False);
        Assert.That(runs, Is.EqualTo(1));
    }

    [Test]
    public void CompleteLater_SetsTryCancelThatRefusesOnceRunning()
    {
        var (connection, _) = Connection();
        var op = Operation();
        var call = new BlockingCall(() => NtStatus.Success, null);
        call.CompleteLater(connection, op, (_, _, _) => { });
        Assert.That(op.TryCancel is not null, Is.True, "CANCEL asks the call first");
        Assert.That(op.TryCancel!(), Is.True, "still queued: CANCEL wins");
        call.Execute();
        Assert.That(call.TryFinishWithin(TimeSpan.Zero), Is.False, "an abandoned call never runs");
    }

    [TestCase(typeof(ObjectDisposedException), NtStatus.FileClosed)]
    [TestCase(typeof(InvalidOperationException), NtStatus.InternalError)]
    public void Execute_CallThrows_BecomesAStatus(Type exception, NtStatus expected)
    {
        var call = new BlockingCall(() => throw (Exception)Activator.CreateInstance(exception, "x")!, null);
        call.Execute();
        Assert.That(call.TryFinishWithin(TimeSpan.Zero), Is.True);
        Assert.That(call.Result, Is.EqualTo(expected));
    }
}
