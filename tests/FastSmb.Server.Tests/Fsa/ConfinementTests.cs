using FastSmb.Fsa;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// Path confinement: nothing a client names reaches outside the share root, with openat2 and with the O_NOFOLLOW
/// component walk that replaces it on old kernels.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public class ConfinementTests(bool useOpenat2)
{
    [TestCase(@"..\secret", NtStatus.ObjectPathSyntaxBad)]
    [TestCase(@"sub\..\..\secret", NtStatus.ObjectPathSyntaxBad)]
    [TestCase(@"sub\..\sub\..\..\secret", NtStatus.ObjectPathSyntaxBad)]
    [TestCase(@"out-dir\..\..\secret", NtStatus.ObjectPathSyntaxBad)]
    [TestCase(@"sub/../../secret", NtStatus.ObjectPathSyntaxBad)]
    [TestCase(@"sub\..:stream", NtStatus.ObjectNameInvalid)]
    [TestCase(@"\secret", NtStatus.InvalidParameter)]
    [TestCase("/etc/passwd", NtStatus.ObjectNameInvalid)]
    [TestCase(@"C:\etc\passwd", NtStatus.ObjectNameInvalid)]
    [TestCase(@"sub\.\x", NtStatus.ObjectNameInvalid)]
    [TestCase(@"a\\b", NtStatus.ObjectNameInvalid)]
    [TestCase("x*", NtStatus.ObjectNameInvalid)]
    [TestCase("stream:name:$BAD", NtStatus.ObjectNameInvalid)]
    [TestCase("dir:stream\\below", NtStatus.ObjectNameInvalid)]
    public void Open_BadNames_Refused(string path, NtStatus expected)
    {
        using var v = new FsaTestVolume(useOpenat2);
        File.WriteAllText(Path.Combine(v.Outside, "secret"), "s");
        Directory.CreateDirectory(v.OnDisk("sub"));
        Assert.That(v.Open(path, AccessMask.ReadData, CreateDisposition.OpenIf, out _, out _), Is.EqualTo(expected));
    }

    [TestCase("out-file")]
    [TestCase(@"out-dir\secret")]
    [TestCase("out-relative")]
    [TestCase(@"out-dir\new-file")]
    [TestCase("proc-root")]
    public void Open_SymlinkLeavingTheShare_NothingEscapes(string path)
    {
        using var v = new FsaTestVolume(useOpenat2);
        File.WriteAllText(Path.Combine(v.Outside, "secret"), "s");
        File.CreateSymbolicLink(v.OnDisk("out-file"), Path.Combine(v.Outside, "secret"));
        Directory.CreateSymbolicLink(v.OnDisk("out-dir"), v.Outside);
        File.CreateSymbolicLink(v.OnDisk("out-relative"), "../secret");
        Directory.CreateSymbolicLink(v.OnDisk("proc-root"), "/proc/self/root");
        foreach (var disposition in new[] { CreateDisposition.Open, CreateDisposition.OpenIf, CreateDisposition.OverwriteIf })
        {
            var status = v.Open(path, AccessMask.ReadData | AccessMask.WriteData, disposition, out var open, out _);
            Assert.That(status, Is.Not.EqualTo(NtStatus.Success), $"{path} {disposition}");
            Assert.That(status.IsError(), Is.True);
        }
        Assert.That(File.ReadAllText(Path.Combine(v.Outside, "secret")), Is.EqualTo("s"));
        Assert.That(File.Exists(Path.Combine(v.Outside, "new-file")), Is.False);
    }

    [Test]
    public void Open_SymlinkInsideTheShare_FollowedOnlyWithOpenat2()
    {
        using var v = new FsaTestVolume(useOpenat2);
        Directory.CreateDirectory(v.OnDisk("real"));
        File.WriteAllText(v.OnDisk("real/f"), "inside");
        Directory.CreateSymbolicLink(v.OnDisk("alias"), "real");
        var status = v.Open(@"alias\f", AccessMask.ReadData, CreateDisposition.Open, out var open, out _);
        Assert.That(status, useOpenat2 ? Is.EqualTo(NtStatus.Success) : Is.Not.EqualTo(NtStatus.Success));
        if (open is not null) v.Volume.Close(open);
    }

    [Test]
    public void Rename_IntoSymlinkedDirectoryOutside_Refused()
    {
        using var v = new FsaTestVolume(useOpenat2);
        Directory.CreateSymbolicLink(v.OnDisk("out-dir"), v.Outside);
        var f = v.OpenOk("f", AccessMask.Delete | AccessMask.ReadData, CreateDisposition.Create);
        Assert.That(v.Volume.Rename(f, @"out-dir\moved", false), Is.Not.EqualTo(NtStatus.Success));
        v.Volume.Close(f);
        Assert.That(File.Exists(Path.Combine(v.Outside, "moved")), Is.False);
        Assert.That(File.Exists(v.OnDisk("f")), Is.True);
    }

    [Test]
    public void Open_SlashInsidePath_IsASeparatorAsInSamba()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("sub"));
        var open = v.OpenOk("sub/f.txt", AccessMask.ReadData | AccessMask.WriteData, CreateDisposition.Create);
        v.Volume.Close(open);
        Assert.That(File.Exists(v.OnDisk("sub/f.txt")), Is.True);
        Assert.That(v.Open("sub/../../x", AccessMask.ReadData, CreateDisposition.OpenIf, out _, out _),
            Is.EqualTo(NtStatus.ObjectPathSyntaxBad), "a '/' never smuggles \"..\" past the checks");
    }

    // Samba resolves ".." lexically before any lookup (smb2.notify.tree opens "dir\..\dir2"): the component before
    // it goes, whatever it is on disk, so a symlink to outside the share is never climbed out of.
    [TestCase(@"sub\..\x", "x")]
    [TestCase("sub/../x", "x")]
    [TestCase(@"sub\deeper\..\..\x", "x")]
    [TestCase(@"sub\..\sub\x", "sub/x")]
    [TestCase(@"out-dir\..\x", "x")]
    [TestCase(@"missing\..\x", "x")]
    public void Open_DotDotInsideTheShare_ResolvedLexically(string path, string created)
    {
        using var v = new FsaTestVolume(useOpenat2);
        Directory.CreateDirectory(v.OnDisk("sub"));
        Directory.CreateSymbolicLink(v.OnDisk("out-dir"), v.Outside);
        var open = v.OpenOk(path, AccessMask.ReadData | AccessMask.WriteData, CreateDisposition.Create);
        v.Volume.Close(open);
        Assert.That(File.Exists(v.OnDisk(created)), Is.True);
        Assert.That(File.Exists(Path.Combine(v.Outside, "x")), Is.False);
        Assert.That(Directory.GetFiles(v.Outside), Is.Empty);
    }

    [Test]
    public void Open_DotDotBackToTheRoot_OpensTheRoot()
    {
        using var v = new FsaTestVolume(useOpenat2);
        Directory.CreateDirectory(v.OnDisk("sub"));
        var open = v.OpenOk(@"sub\..", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        v.Volume.Close(open);
    }
}
