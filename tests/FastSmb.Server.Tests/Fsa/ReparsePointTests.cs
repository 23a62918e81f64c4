using FastSmb.Fsa;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// Symlinks as reparse points over a temp directory: FILE_OPEN_REPARSE_POINT opens the link itself (never its target,
/// inside or outside the share), FSCTL_GET_REPARSE_POINT's view of it, listings marking followed links, and deleting
/// a link through such an open. With openat2 and with the O_NOFOLLOW walk.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public class ReparsePointTests(bool useOpenat2)
{
    private const AccessMask LinkRights = AccessMask.ReadAttributes | AccessMask.Delete;

    [TestCase("link-in", "real", true)]
    [TestCase("link-up", @"..\outside-secret", true)]
    [TestCase("link-abs", @"\etc\passwd", false)]
    public void GetSymlink_OpenOfTheLinkItself_ReturnsTargetWithWindowsSeparators(string name, string target, bool relative)
    {
        using var v = Links(useOpenat2);
        var open = v.OpenOk(name, LinkRights, CreateDisposition.Open, options: CreateOptions.OpenReparsePoint);
        Assert.That(v.Volume.GetSymlink(open, out var link), Is.EqualTo(NtStatus.Success));
        Assert.That(link, Is.EqualTo(new FsaSymlink(target, relative)));
        Assert.That(v.Volume.QueryMetadata(open, out var metadata), Is.EqualTo(NtStatus.Success));
        Assert.That(metadata.Attributes & FileAttributeFlags.ReparsePoint, Is.EqualTo(FileAttributeFlags.ReparsePoint));
        Assert.That(metadata.ReparseTag, Is.EqualTo(0xA000000Cu));
        // A link to a directory beneath the root shows as one; the O_NOFOLLOW walk follows no link, not even to look.
        Assert.That(metadata.IsDirectory, Is.EqualTo(name == "link-in" && useOpenat2));
        v.Volume.Close(open);
    }

    [Test]
    public void OpenReparsePoint_LinkOutside_OpensTheLinkNeverTheTarget()
    {
        using var v = Links(useOpenat2);
        var open = v.OpenOk("link-up", AccessMask.ReadData | AccessMask.WriteData | AccessMask.ReadAttributes,
            CreateDisposition.Open, options: CreateOptions.OpenReparsePoint);
        Assert.That(open.GrantedAccess & (AccessMask.ReadData | AccessMask.WriteData), Is.EqualTo(AccessMask.None));
        Assert.That(v.Volume.Read(open, 0, new byte[16], out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.Write(open, 0, "x"u8, false, out _), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(open);
        Assert.That(File.ReadAllText(Path.Combine(v.Outside, "outside-secret")), Is.EqualTo("s"));
    }

    [Test]
    public void OpenWithoutReparseFlag_LinkOutside_StillRefused()
    {
        using var v = Links(useOpenat2);
        Assert.That(v.Open("link-up", AccessMask.ReadData, CreateDisposition.Open, out _, out _), Is.Not.EqualTo(NtStatus.Success));
    }

    [Test]
    public void GetSymlink_OrdinaryFileOrFollowedLink_NotAReparsePoint()
    {
        using var v = Links(useOpenat2);
        var file = v.OpenOk(@"real\f", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.OpenReparsePoint);
        Assert.That(v.Volume.GetSymlink(file, out _), Is.EqualTo(NtStatus.NotAReparsePoint));
        v.Volume.Close(file);
        if (!useOpenat2) return; // the walk follows no link at all
        var followed = v.OpenOk("link-in", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(v.Volume.GetSymlink(followed, out _), Is.EqualTo(NtStatus.NotAReparsePoint));
        v.Volume.Close(followed);
    }

    [Test]
    public void DeleteOnClose_OpenOfTheLink_RemovesTheLinkOnly()
    {
        using var v = Links(useOpenat2);
        var open = v.OpenOk("link-in", LinkRights, CreateDisposition.Open,
            options: CreateOptions.OpenReparsePoint | CreateOptions.DeleteOnClose
                | (useOpenat2 ? CreateOptions.DirectoryFile : CreateOptions.NonDirectoryFile));
        Assert.That(v.Volume.Close(open), Is.EqualTo(NtStatus.Success));
        Assert.That(Path.Exists(v.OnDisk("link-in")), Is.False);
        Assert.That(File.Exists(v.OnDisk(@"real\f")), Is.True);
    }

    [TestCase(CreateDisposition.Create, CreateOptions.None, NtStatus.ObjectNameCollision)]
    [TestCase(CreateDisposition.OverwriteIf, CreateOptions.None, NtStatus.AccessDenied)]
    [TestCase(CreateDisposition.Open, CreateOptions.NonDirectoryFile, NtStatus.FileIsADirectory)]
    public void OpenReparsePoint_ImpossibleRequests_Refused(CreateDisposition disposition, CreateOptions options, NtStatus expected)
    {
        // The O_NOFOLLOW walk never looks through a link, so to it every link is a non-directory.
        if (options == CreateOptions.NonDirectoryFile && !useOpenat2) expected = NtStatus.Success;
        using var v = Links(useOpenat2);
        Assert.That(v.Open("LINK-IN", LinkRights, disposition, out var open, out _, options: options | CreateOptions.OpenReparsePoint),
            Is.EqualTo(expected));
        if (open is not null) v.Volume.Close(open);
        Assert.That(Directory.Exists(v.OnDisk("real")), Is.True);
    }

    [Test]
    public void Enumeration_LinkInsideTheShare_MarkedAsSymlinkReparsePoint()
    {
        using var v = Links(useOpenat2);
        var dir = v.OpenOk("", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.StartEnumeration(dir, "*"), Is.EqualTo(NtStatus.Success));
        var entries = new Dictionary<string, FileMetadata>();
        while (dir.Enumeration!.TryPeek(out var e))
        {
            entries[e.Name] = e.Metadata;
            dir.Enumeration.Advance();
        }
        v.Volume.Close(dir);
        if (useOpenat2)
        {
            Assert.That(entries["link-in"].Attributes & (FileAttributeFlags.ReparsePoint | FileAttributeFlags.Directory),
                Is.EqualTo(FileAttributeFlags.ReparsePoint | FileAttributeFlags.Directory));
            Assert.That(entries["link-in"].ReparseTag, Is.EqualTo(0xA000000Cu));
        }
        Assert.That(entries["real"].Attributes & FileAttributeFlags.ReparsePoint, Is.EqualTo(FileAttributeFlags.None));
        Assert.That(entries["real"].ReparseTag, Is.Zero);
        Assert.That(entries.Keys, Does.Not.Contain("link-up").And.Not.Contain("link-abs"), "links out of the share stay hidden");
    }

    private static FsaTestVolume Links(bool useOpenat2)
    {
        var v = new FsaTestVolume(useOpenat2);
        File.WriteAllText(Path.Combine(v.Outside, "outside-secret"), "s");
        Directory.CreateDirectory(v.OnDisk("real"));
        File.WriteAllText(v.OnDisk("real/f"), "inside");
        Directory.CreateSymbolicLink(v.OnDisk("link-in"), "real");
        File.CreateSymbolicLink(v.OnDisk("link-up"), "../outside-secret");
        File.CreateSymbolicLink(v.OnDisk("link-abs"), "/etc/passwd");
        return v;
    }
}
