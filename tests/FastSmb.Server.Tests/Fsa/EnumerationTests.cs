using FastSmb.Fsa;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>Wildcard matching ([MS-FSA] 2.1.4.4) and directory enumeration.</summary>
public class EnumerationTests
{
    [TestCase("file.txt", "*", true)]
    [TestCase("file.txt", "*.txt", true)]
    [TestCase("file.txt", "*.TXT", true)]
    [TestCase("file.txt", "*.doc", false)]
    [TestCase("file.txt", "f?le.txt", true)]
    [TestCase("file.txt", "f?e.txt", false)]
    [TestCase("file.txt", "FILE.TXT", true)]
    [TestCase("a.b.txt", "<.txt", true)]
    [TestCase("a.b.txt", "<.b", false)]
    [TestCase("abc", "<", true)]
    [TestCase("file", "file>>>", true)]   // DOS_QM matches nothing at the end
    [TestCase("fi.txt", "fi>>>.txt", true)] // ... and nothing at a period
    [TestCase("file.txt", "file\"txt", true)] // DOS_DOT matches the period
    [TestCase("file", "file\"", true)]     // ... or nothing at the end
    [TestCase("file", "file\"x", false)]
    [TestCase("", "*", true)]
    [TestCase("abc", "a*c*", true)]
    [TestCase("abc", "*b", false)]
    public void IsMatch_Expression(string name, string expression, bool expected)
    {
        Assert.That(WildcardMatcher.IsMatch(name, expression), Is.EqualTo(expected));
    }

    [Test]
    public void StartEnumeration_ListsDotEntriesAndMatchingNames_ThenEnds()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("a.txt"), "1");
        File.WriteAllText(v.OnDisk("b.doc"), "22");
        Directory.CreateDirectory(v.OnDisk("sub"));
        var dir = v.OpenOk("", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);

        Assert.That(v.Volume.StartEnumeration(dir, "*"), Is.EqualTo(NtStatus.Success));
        var names = Drain(dir);
        Assert.That(names.Select(e => e.Name), Is.EquivalentTo(new[] { ".", "..", "a.txt", "b.doc", "sub" }));
        Assert.That(names.Single(e => e.Name == "sub").Metadata.IsDirectory, Is.True);
        Assert.That(names.Single(e => e.Name == "b.doc").Metadata.EndOfFile, Is.EqualTo(2));

        Assert.That(v.Volume.StartEnumeration(dir, "*.TXT"), Is.EqualTo(NtStatus.Success));
        Assert.That(Drain(dir).Select(e => e.Name), Is.EqualTo(new[] { "a.txt" }));
        Assert.That(v.Volume.StartEnumeration(dir, "B.DOC"), Is.EqualTo(NtStatus.Success));
        Assert.That(Drain(dir).Select(e => e.Name), Is.EqualTo(new[] { "b.doc" }));
        Assert.That(v.Volume.StartEnumeration(dir, "nothing*"), Is.EqualTo(NtStatus.NoSuchFile));
        v.Volume.Close(dir);
    }

    [Test]
    public void StartEnumeration_OnAFile_InvalidParameter()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Create);
        Assert.That(v.Volume.StartEnumeration(f, "*"), Is.EqualTo(NtStatus.InvalidParameter));
        v.Volume.Close(f);
    }

    [Test]
    public void Enumeration_HidesSymlinksThatLeaveTheShare()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(Path.Combine(v.Outside, "secret"), "s");
        File.CreateSymbolicLink(v.OnDisk("out"), Path.Combine(v.Outside, "secret"));
        File.WriteAllText(v.OnDisk("in"), "i");
        File.CreateSymbolicLink(v.OnDisk("link-in"), "in");
        var dir = v.OpenOk("", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        v.Volume.StartEnumeration(dir, "*");
        Assert.That(Drain(dir).Select(e => e.Name), Is.EquivalentTo(new[] { ".", "..", "in", "link-in" }));
        v.Volume.Close(dir);
    }

    private static List<DirectoryEntry> Drain(FsaOpen dir)
    {
        var list = new List<DirectoryEntry>();
        while (dir.Enumeration!.TryPeek(out var e))
        {
            list.Add(e);
            dir.Enumeration.Advance();
        }
        return list;
    }
}
