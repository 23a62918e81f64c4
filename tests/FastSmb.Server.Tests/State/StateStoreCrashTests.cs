using System.Diagnostics;
using FastSmb.Control.State;

namespace FastSmb.Server.Tests.State;

/// <summary>
/// Real crashes: a child process (tests/FastSmb.StateCrashPeer) writes to a FASTER state store and is killed with
/// SIGKILL; the store is then reopened here. Every open the child acknowledged (printed after its commit completed)
/// must come back, exactly once; opens whose commit had not completed may be lost, never half-written.
/// </summary>
[NonParallelizable]
public sealed class StateStoreCrashTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Path.Combine(Path.GetTempPath(), "fastsmb-crash-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Kill_WhileEightWritersCommit_KeepsEveryAcknowledgedOpenOnce()
    {
        var acknowledged = await RunChildUntilAsync("stream", lines => lines.Count(l => l.StartsWith("C ")) >= 400);
        var committed = acknowledged.Where(l => l.StartsWith("C ")).Select(Parse).ToList();
        Assert.That(committed, Has.Count.GreaterThanOrEqualTo(400));

        await using var store = FasterServerStateStore.Open(new StateStoreOptions(_dir) { CheckpointInterval = TimeSpan.Zero });
        var recovered = store.Opens();
        Assert.That(recovered.Select(o => o.CreateGuid).Distinct().Count(), Is.EqualTo(recovered.Count), "an open came back twice");
        foreach (var (id, guid) in committed)
        {
            Assert.That(store.TryGetOpen(id, out var open), Is.True, $"acknowledged open {id} was lost");
            Assert.That(open.CreateGuid, Is.EqualTo(guid));
            Assert.That(open.IsPersistent && open.DisconnectedUntilUtcTicks > DateTime.UtcNow.Ticks, Is.True);
        }
        // At most the eight commits in flight at the kill may have reached the disk without being acknowledged.
        Assert.That(recovered.Count, Is.InRange(committed.Count, committed.Count + 8));
        Assert.That(store.CorruptRecordsSkipped, Is.Zero);
        TestContext.Out.WriteLine($"{committed.Count} acknowledged, {recovered.Count} recovered, {store.Recovery}");

        // Ids handed out before the crash are never handed out again.
        ulong next = store.AllocatePersistentFileId();
        Assert.That(next, Is.GreaterThan(recovered.Max(o => o.PersistentFileId)));
    }

    [Test]
    public async Task Kill_BetweenAppendAndCommit_KeepsTheCommittedOpensAndNotTheUncommitted()
    {
        var lines = await RunChildUntilAsync("held", l => l.Contains("READY"));
        var committed = lines.Where(l => l.StartsWith("C ")).Select(Parse).ToList();
        var pending = lines.Where(l => l.StartsWith("P ")).Select(Parse).ToList();
        Assert.That(committed, Has.Count.EqualTo(10));
        Assert.That(pending, Has.Count.EqualTo(5));

        await using var store = FasterServerStateStore.Open(new StateStoreOptions(_dir) { CheckpointInterval = TimeSpan.Zero });
        Assert.That(store.Opens().Select(o => o.PersistentFileId), Is.EquivalentTo(committed.Select(c => c.Id)));
        foreach (var (id, _) in pending) Assert.That(store.TryGetOpen(id, out _), Is.False, $"uncommitted open {id} came back");
        Assert.That(store.AllocatePersistentFileId(), Is.GreaterThan(pending.Max(p => p.Id)));
    }

    private static (ulong Id, Guid Guid) Parse(string line)
    {
        var parts = line.Split(' ');
        return (ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), Guid.Parse(parts[2]));
    }

    /// <summary>Starts the child, reads its lines until <paramref name="done"/> holds, then SIGKILLs it.</summary>
    private async Task<List<string>> RunChildUntilAsync(string mode, Func<List<string>, bool> done)
    {
        var peerDll = Path.Combine(TestContext.CurrentContext.TestDirectory, "FastSmb.StateCrashPeer.dll");
        Assert.That(File.Exists(peerDll), Is.True, peerDll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(peerDll);
        psi.ArgumentList.Add(_dir);
        psi.ArgumentList.Add(mode);
        using var child = Process.Start(psi)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (!done(lines))
            {
                var line = await child.StandardOutput.ReadLineAsync(cts.Token);
                if (line is null) Assert.Fail($"the child ended early: {await stderr}");
                lines.Add(line!);
            }
        }
        finally
        {
            child.Kill();   // SIGKILL on Unix: no finalizers, no FASTER shutdown
            await child.WaitForExitAsync();
        }
        // Lines the child flushed before it died are acknowledgments too.
        string? rest;
        while ((rest = await child.StandardOutput.ReadLineAsync()) is not null) lines.Add(rest);
        return lines;
    }
}
