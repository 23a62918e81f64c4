using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Sessions;

namespace FastSmb.Server.Tests.Datapath;

/// <summary>
/// <see cref="SessionRegistry.SnapshotAsync"/> without a server: each session is copied by a message its connection's
/// owner runs (<see cref="Smb2Connection.Post"/>), never read from the admin thread directly.
/// </summary>
public class SessionRegistryStatusTests
{
    private static (Smb2Connection Connection, List<Action<Smb2Connection>> Posted) QueuedConnection()
    {
        var posted = new List<Action<Smb2Connection>>();
        return (new Smb2Connection(null, 16) { Post = posted.Add }, posted);
    }

    [Test]
    public async Task SnapshotAsync_CopiesEachSessionOnlyWhenItsOwnerRunsTheMessage()
    {
        var registry = new SessionRegistry();
        var (connection, posted) = QueuedConnection();
        var session = registry.Create(connection);
        session.UserName = "alice";
        session.Domain = "FASTSMB";
        session.State = SessionState.Valid;
        session.AddTree("IPC$", isPipe: true, share: new object());

        var snapshot = registry.SnapshotAsync();
        Assert.That((snapshot.IsCompleted, posted.Count), Is.EqualTo((false, 1)), "the admin thread waits for the owner");
        foreach (var work in posted) work(connection);   // the owner runs it, between two requests
        var status = await snapshot;

        var s = status.Sessions.Single();
        Assert.That((s.SessionId, s.User, s.Domain, s.State), Is.EqualTo((session.SessionId, "alice", "FASTSMB", "valid")));
        Assert.That((s.Signing, s.Encryption, s.Channels.Count), Is.EqualTo(((string?)null, (string?)null, 1)));
        var t = status.TreeConnects.Single();
        Assert.That((t.SessionId, t.TreeId, t.Share, t.IsPipe, t.User), Is.EqualTo((session.SessionId, 1u, "IPC$", true, "alice")));
        Assert.That(status.Opens, Is.Empty);
        Assert.That(status.SessionsNotReached, Is.Zero);
    }

    [Test]
    public async Task SnapshotAsync_SessionOfAClosedConnection_CountedNotReached_NothingPosted()
    {
        var registry = new SessionRegistry();
        var (connection, posted) = QueuedConnection();
        registry.Create(connection).UserName = "bob";
        connection.IsClosed = true;

        var status = await registry.SnapshotAsync();
        Assert.That((status.Sessions.Count, status.SessionsNotReached, posted.Count), Is.EqualTo((0, 1, 0)));
    }

    [Test]
    public async Task SnapshotAsync_SessionLoggedOffBeforeItsOwnerRan_NotShown()
    {
        var registry = new SessionRegistry();
        var (connection, posted) = QueuedConnection();
        var session = registry.Create(connection);
        var snapshot = registry.SnapshotAsync();
        registry.Remove(session);   // a LOGOFF processed before the posted copy
        foreach (var work in posted) work(connection);
        var status = await snapshot;
        Assert.That((status.Sessions.Count, status.SessionsNotReached), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task SnapshotAsync_OwnerThatNeverAnswers_CountedNotReached()
    {
        var registry = new SessionRegistry();
        var (connection, _) = QueuedConnection();   // its posted work is never run
        registry.Create(connection);
        var status = await registry.SnapshotAsync(TimeSpan.Zero);
        Assert.That((status.Sessions.Count, status.SessionsNotReached), Is.EqualTo((0, 1)));
    }

    [Test]
    public async Task SnapshotAsync_TwoSessionsOnTwoConnections_BothCopied()
    {
        var registry = new SessionRegistry();
        var a = new Smb2Connection(null, 16);
        a.Post = work => work(a);
        var b = new Smb2Connection(null, 16);
        b.Post = work => work(b);
        registry.Create(a).UserName = "a";
        registry.Create(b).UserName = "b";
        var status = await registry.SnapshotAsync();
        Assert.That(status.Sessions.Select(s => s.User), Is.EquivalentTo(new[] { "a", "b" }));
    }
}
