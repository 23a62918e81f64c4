using FastSmb.Fsa;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-FSA] 2.1.5.14.6 FileLinkInformation over a temp directory: a second name for a file.</summary>
public class HardLinkTests
{
    private static FsaOpen Open(FsaTestVolume v, string name, CreateOptions options = CreateOptions.None)
    {
        var status = v.Volume.Open(new FsaOpenRequest(name, FsaTestVolume.ReadWrite, FileShareAccess.All, CreateDisposition.OpenIf,
            options, options == CreateOptions.DirectoryFile ? FileAttributeFlags.Directory : FileAttributeFlags.Normal), out var open, out _);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return open!;
    }

    [Test]
    public void CreateHardLink_NewName_SameFileUnderBothNames()
    {
        using var v = new FsaTestVolume();
        Open(v, "d", CreateOptions.DirectoryFile);
        var file = Open(v, "a");
        Assert.That(v.Volume.Write(file, 0, "abc"u8, false, out _), Is.EqualTo(NtStatus.Success));

        Assert.That(v.Volume.CreateHardLink(file, @"d\b", false), Is.EqualTo(NtStatus.Success));

        Assert.That(File.ReadAllText(Path.Combine(v.Root, "d", "b")), Is.EqualTo("abc"));
        Assert.That(File.Exists(Path.Combine(v.Root, "a")), Is.True);
    }

    [Test]
    public void CreateHardLink_TargetExists_CollisionUnlessReplace()
    {
        using var v = new FsaTestVolume();
        var file = Open(v, "a");
        v.Volume.Close(Open(v, "b"));

        Assert.That(v.Volume.CreateHardLink(file, "b", false), Is.EqualTo(NtStatus.ObjectNameCollision));
        Assert.That(v.Volume.CreateHardLink(file, "b", true), Is.EqualTo(NtStatus.Success));
        Assert.That(new FileInfo(Path.Combine(v.Root, "b")).Length, Is.Zero);
    }

    [Test]
    public void CreateHardLink_TargetOpen_AccessDenied()
    {
        using var v = new FsaTestVolume();
        var file = Open(v, "a");
        Open(v, "b");
        Assert.That(v.Volume.CreateHardLink(file, "b", true), Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public void CreateHardLink_Directory_FileIsADirectory()
    {
        using var v = new FsaTestVolume();
        var dir = Open(v, "d", CreateOptions.DirectoryFile);
        Assert.That(v.Volume.CreateHardLink(dir, "e", false), Is.EqualTo(NtStatus.FileIsADirectory));
    }
}
