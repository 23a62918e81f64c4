using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// Case-insensitive lookup's per-directory cache of folded names (<see cref="CaseFoldCache"/>), alone and through the
/// volume's path resolver: a directory is listed once while it does not change, again when its times move or the
/// volume changes it, and names differing only in case resolve to the one listed first.
/// </summary>
public class CaseFoldCacheTests
{
    private static Libc.Statx Stat(ulong ino, long mtime, long ctime) =>
        new() { Ino = ino, MtimeSec = mtime, CtimeSec = ctime };

    [Test]
    public void Find_UnchangedDirectory_ListsItOnce()
    {
        var cache = new CaseFoldCache();
        int listings = 0;
        List<string> List() { listings++; return ["ReadMe.txt", "other"]; }

        Assert.That(cache.Find("d", Stat(5, 100, 100), "README.TXT", List), Is.EqualTo("ReadMe.txt"));
        Assert.That(cache.Find("d", Stat(5, 100, 100), "readme.txt", List), Is.EqualTo("ReadMe.txt"));
        Assert.That(cache.Find("d", Stat(5, 100, 100), "missing", List), Is.Null);
        Assert.That(listings, Is.EqualTo(1));
    }

    [TestCase(5UL, 101L, 100L, TestName = "Find_DirectoryMtimeMoved_ListsItAgain")]
    [TestCase(5UL, 100L, 101L, TestName = "Find_DirectoryCtimeMoved_ListsItAgain")]
    [TestCase(6UL, 100L, 100L, TestName = "Find_DirectoryReplacedByAnother_ListsItAgain")]
    public void Find_DirectoryChanged_ListsItAgain(ulong ino, long mtime, long ctime)
    {
        var cache = new CaseFoldCache();
        cache.Find("d", Stat(5, 100, 100), "x", () => ["a"]);

        Assert.That(cache.Find("d", Stat(ino, mtime, ctime), "B", () => ["a", "b"]), Is.EqualTo("b"));
    }

    [Test]
    public void Invalidate_ListsTheDirectoryAgain_AndInvalidateTreeItsSubdirectories()
    {
        var cache = new CaseFoldCache();
        cache.Find("d", Stat(5, 100, 100), "x", () => ["a"]);
        cache.Find("d/sub", Stat(6, 100, 100), "x", () => ["a"]);
        cache.Find("dd", Stat(7, 100, 100), "x", () => ["a"]);

        cache.Invalidate("d");
        Assert.That(cache.Find("d", Stat(5, 100, 100), "B", () => ["b"]), Is.EqualTo("b"));
        cache.InvalidateTree("d");
        Assert.That(cache.Find("d/sub", Stat(6, 100, 100), "C", () => ["c"]), Is.EqualTo("c"));
        Assert.That(cache.Find("dd", Stat(7, 100, 100), "A", () => throw new AssertionException("dd was listed again")),
            Is.EqualTo("a"), "a sibling whose name starts the same stays cached");
    }

    [Test]
    public void Find_NamesDifferingOnlyInCase_FirstListedWins()
    {
        var cache = new CaseFoldCache();
        Assert.That(cache.Find("", Stat(2, 1, 1), "FILE", () => ["file", "File"]), Is.EqualTo("file"));
    }

    [Test]
    public void Find_MoreDirectoriesThanCapacity_StaysBounded()
    {
        var cache = new CaseFoldCache();
        for (int i = 0; i <= CaseFoldCache.Capacity; i++) cache.Find($"d{i}", Stat((ulong)i, 1, 1), "x", () => ["x"]);
        Assert.That(cache.Count, Is.LessThanOrEqualTo(CaseFoldCache.Capacity));
    }

    [Test]
    public void Volume_OtherSpelling_FoundAfterOwnCreateRenameAndExternalChange()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("Dir"));
        File.WriteAllText(v.OnDisk("Dir/ReadMe.txt"), "x");
        v.Volume.Close(v.OpenOk(@"DIR\README.TXT", AccessMask.ReadData, CreateDisposition.Open));

        // The volume's own create: seen at once, whatever the clock's granularity.
        v.Volume.Close(v.OpenOk(@"Dir\New.txt", AccessMask.ReadData | AccessMask.WriteData, CreateDisposition.Create));
        var renamed = v.OpenOk(@"dir\NEW.TXT", AccessMask.ReadData | AccessMask.Delete, CreateDisposition.Open);
        Assert.That(v.Volume.Rename(renamed, @"Dir\Moved.txt", false), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(renamed);
        Assert.That(v.Open(@"dir\new.txt", AccessMask.ReadData, CreateDisposition.Open, out _, out _),
            Is.EqualTo(NtStatus.ObjectNameNotFound));
        v.Volume.Close(v.OpenOk(@"dir\MOVED.TXT", AccessMask.ReadData, CreateDisposition.Open));

        // Somebody else's create: seen through the directory's times (set apart explicitly here).
        File.WriteAllText(v.OnDisk("Dir/Outside.txt"), "y");
        Directory.SetLastWriteTimeUtc(v.OnDisk("Dir"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        v.Volume.Close(v.OpenOk(@"dir\OUTSIDE.txt", AccessMask.ReadData, CreateDisposition.Open));
    }
}
