using FastSmb.Fsa;
using FastSmb.Fsa.Notify;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// "kernel change notify" at the FSA, with no SMB: a watch armed with kernel events on a temp directory hears what
/// this test process changes there with plain file calls (outside the volume), in [MS-FSA] 2.1.4.1's actions, and
/// hears the volume's own changes once. Each test waits for the watcher thread's report (bounded), it never sleeps.
/// </summary>
[CancelAfter(60_000)]
public class KernelChangeNotifyTests
{
    private const NotifyFilter Names = NotifyFilter.FileName | NotifyFilter.DirName;

    private sealed class Probe
    {
        public readonly SemaphoreSlim Changed = new(0);
        public NotifyWatch Watch = null!;
        public readonly List<FileChange> Seen = new();

        /// <summary>Takes changes until <paramref name="until"/> is among them; false if it never comes (20 s).</summary>
        public bool WaitFor(ChangeNotifier notifier, FileChange until)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!Seen.Contains(until))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return false;
                Changed.Wait(left);
                if (notifier.TryTake(Watch, out var changes, out _)) Seen.AddRange(changes);
            }
            return true;
        }
    }

    private static (FsaOpen Dir, Probe Probe) Watch(FsaTestVolume v, string dir, bool tree = false,
        NotifyFilter filter = Names, bool kernel = true, uint buffer = 4096)
    {
        Directory.CreateDirectory(v.OnDisk(dir));
        var open = v.OpenOk(dir, AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        var probe = new Probe();
        probe.Watch = v.Volume.ChangeNotifier.Watch(open, tree, filter, buffer, _ => probe.Changed.Release(), kernel);
        return (open, probe);
    }

    [Test]
    public void LocalCreate_File_ReportedAdded()
    {
        using var v = new FsaTestVolume();
        var (_, probe) = Watch(v, "watched");
        File.WriteAllText(v.OnDisk("watched/new.txt"), "local");
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "new.txt")), Is.True);
        Assert.That(probe.Seen, Is.EqualTo(new[] { new FileChange(FileAction.Added, "new.txt") }));
    }

    [Test]
    public void LocalMkdirRenameDelete_ReportedWithWindowsActions()
    {
        using var v = new FsaTestVolume();
        var (_, probe) = Watch(v, "watched");
        Directory.CreateDirectory(v.OnDisk("watched/sub"));
        File.WriteAllText(v.OnDisk("watched/a"), "x");
        File.Move(v.OnDisk("watched/a"), v.OnDisk("watched/b"));
        File.Delete(v.OnDisk("watched/b"));
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Removed, "b")), Is.True);
        Assert.That(probe.Seen, Is.EqualTo(new FileChange[]
        {
            new(FileAction.Added, "sub"), new(FileAction.Added, "a"), new(FileAction.RenamedOldName, "a"),
            new(FileAction.RenamedNewName, "b"), new(FileAction.Removed, "b"),
        }));
    }

    [Test]
    public void LocalMoveAcrossDirectories_RemovedThenAdded()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("watched/x"));
        File.WriteAllText(v.OnDisk("watched/x/f"), "x");
        var (_, probe) = Watch(v, "watched", tree: true);
        Directory.CreateDirectory(v.OnDisk("watched/y"));
        // A directory made after the watch is watched from the moment it is reported (not before: inotify has no
        // recursive watches).
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "y")), Is.True);
        File.Move(v.OnDisk("watched/x/f"), v.OnDisk("watched/y/f"));
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, @"y\f")), Is.True);
        Assert.That(probe.Seen, Is.EqualTo(new FileChange[]
        {
            new(FileAction.Added, "y"), new(FileAction.Removed, @"x\f"), new(FileAction.Added, @"y\f"),
        }));
    }

    [Test]
    public void WatchTree_DirectoryCreatedLater_WatchedToo()
    {
        using var v = new FsaTestVolume();
        var (_, probe) = Watch(v, "watched", tree: true);
        Directory.CreateDirectory(v.OnDisk("watched/sub"));
        // Once "sub" is reported it is watched: what happens inside is seen.
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "sub")), Is.True);
        File.WriteAllText(v.OnDisk("watched/sub/deep"), "x");
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, @"sub\deep")), Is.True);
    }

    [Test]
    public void LocalWrite_ReportedModifiedOnce()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("watched-file"), "");
        var (_, probe) = Watch(v, "watched", filter: NotifyFilter.LastWrite | NotifyFilter.FileName);
        File.WriteAllText(v.OnDisk("watched/log"), "");
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "log")), Is.True);
        using (var stream = new FileStream(v.OnDisk("watched/log"), FileMode.Append))
        {
            for (int i = 0; i < 5; i++)
            {
                stream.WriteByte((byte)'x');
                stream.Flush();
            }
        }
        File.WriteAllText(v.OnDisk("watched/fence"), "");
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "fence")), Is.True);
        Assert.That(probe.Seen.Count(c => c == new FileChange(FileAction.Modified, "log")), Is.GreaterThanOrEqualTo(1));
        // Five writes in a row buffered together are one entry, not five.
        Assert.That(probe.Seen.Count(c => c == new FileChange(FileAction.Modified, "log")), Is.LessThan(5));
    }

    [Test]
    public void OwnCreate_ReportedOnce()
    {
        using var v = new FsaTestVolume();
        var (_, probe) = Watch(v, "watched");
        var file = v.OpenOk(@"watched\mine", disposition: CreateDisposition.Create);
        Assert.That(v.Volume.Close(file), Is.EqualTo(NtStatus.Success));
        // The kernel reports in order: once the local "fence" is seen, the kernel's copy of "mine" was handled.
        File.WriteAllText(v.OnDisk("watched/fence"), "");
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "fence")), Is.True);
        Assert.That(probe.Seen, Is.EqualTo(new FileChange[] { new(FileAction.Added, "mine"), new(FileAction.Added, "fence") }));
    }

    [Test]
    public void WatchWithoutKernel_DoesNotHearLocalChanges()
    {
        using var v = new FsaTestVolume();
        var (_, kernel) = Watch(v, "watched");
        var plainOpen = v.OpenOk("watched", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        var plain = v.Volume.ChangeNotifier.Watch(plainOpen, false, Names, 4096, _ => { }, kernel: false);
        File.WriteAllText(v.OnDisk("watched/local"), "");
        Assert.That(kernel.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "local")), Is.True);
        Assert.That(v.Volume.ChangeNotifier.TryTake(plain, out _, out _), Is.False);
    }

    [Test]
    public void KernelOverflow_WatchAnswersEnumDir()
    {
        using var v = new FsaTestVolume();
        var (_, probe) = Watch(v, "watched");
        v.Volume.ChangeNotifier.ReportKernelOverflow();
        Assert.That(v.Volume.ChangeNotifier.TryTake(probe.Watch, out var changes, out bool overflowed), Is.True);
        Assert.That(overflowed, Is.True);
        Assert.That(changes, Is.Empty);
    }

    [Test]
    public void RemoveWatch_DropsKernelWatches()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("watched/a/b"));
        var (_, probe) = Watch(v, "watched", tree: true);
        Assert.That(v.Volume.KernelWatchCount, Is.EqualTo(3));
        v.Volume.ChangeNotifier.Remove(probe.Watch);
        Assert.That(v.Volume.KernelWatchCount, Is.Zero);
    }

    [Test]
    public void StreamDepot_NotWatched()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk(".streams/x"));
        var (_, probe) = Watch(v, "", tree: true);
        Assert.That(v.Volume.KernelWatchCount, Is.EqualTo(1));
        File.WriteAllText(v.OnDisk(".streams/x/hidden"), "");
        File.WriteAllText(v.OnDisk("fence"), "");
        Assert.That(probe.WaitFor(v.Volume.ChangeNotifier, new(FileAction.Added, "fence")), Is.True);
        Assert.That(probe.Seen, Is.EqualTo(new[] { new FileChange(FileAction.Added, "fence") }));
    }
}
