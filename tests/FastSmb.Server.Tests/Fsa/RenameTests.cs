using FastSmb.Fsa;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-FSA] 2.1.5.14.11 FileRenameInformation rules on the POSIX backend.</summary>
public class RenameTests
{
    private const AccessMask Rename = AccessMask.Delete | AccessMask.ReadData;

    [Test]
    public void Rename_IntoSubdirectory_MovesAndTracksTheName()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("d"));
        var f = v.OpenOk("f", Rename, CreateDisposition.Create);
        Assert.That(v.Volume.Rename(f, @"D\x", false), Is.EqualTo(NtStatus.Success));
        Assert.That(File.Exists(v.OnDisk("d/x")), Is.True);
        Assert.That(f.ClientPath, Is.EqualTo(@"d\x"));
        // delete-on-close after the rename deletes the new name
        Assert.That(v.Volume.SetDisposition(f, true), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(f);
        Assert.That(File.Exists(v.OnDisk("d/x")), Is.False);
    }

    [Test]
    public void Rename_ExistingTarget_CollisionUnlessReplace()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("target"), "old");
        var f = v.OpenOk("f", Rename | AccessMask.WriteData, CreateDisposition.Create);
        v.Volume.Write(f, 0, "new"u8, false, out _);
        Assert.That(v.Volume.Rename(f, "TARGET", false), Is.EqualTo(NtStatus.ObjectNameCollision));
        Assert.That(v.Volume.Rename(f, "TARGET", true), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(f);
        Assert.That(Directory.GetFiles(v.Root).Select(Path.GetFileName), Is.EqualTo(new[] { "target" }));
        Assert.That(File.ReadAllText(v.OnDisk("target")), Is.EqualTo("new"));
    }

    [Test]
    public void Rename_ReplaceOpenFileOrDirectory_AccessDenied()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("dir"));
        var busy = v.OpenOk("busy", AccessMask.ReadData, CreateDisposition.Create);
        var f = v.OpenOk("f", Rename, CreateDisposition.Create);
        Assert.That(v.Volume.Rename(f, "busy", true), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.Rename(f, "dir", true), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(busy);
        v.Volume.Close(f);
    }

    [Test]
    public void Rename_CaseOnly_ChangesTheNameOnDisk()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("name.txt", Rename, CreateDisposition.Create);
        Assert.That(v.Volume.Rename(f, "NAME.TXT", false), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(f);
        Assert.That(Directory.GetFiles(v.Root).Select(Path.GetFileName), Is.EqualTo(new[] { "NAME.TXT" }));
    }

    [Test]
    public void Rename_WithoutDeleteAccess_AccessDenied_DirectoryWithOpenChild_AccessDenied()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Create);
        Assert.That(v.Volume.Rename(f, "g", false), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(f);

        Directory.CreateDirectory(v.OnDisk("d"));
        var child = v.OpenOk(@"d\c", AccessMask.ReadData, CreateDisposition.Create);
        var d = v.OpenOk("d", Rename, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.Rename(d, "e", false), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(child);
        Assert.That(v.Volume.Rename(d, "e", false), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(d);
        Assert.That(File.Exists(v.OnDisk("e/c")), Is.True);
    }

    [TestCase(@"..\escaped", NtStatus.ObjectPathSyntaxBad)]
    [TestCase(@"\abs", NtStatus.InvalidParameter)]
    [TestCase("a:b", NtStatus.ObjectNameInvalid)]
    [TestCase(@"nodir\x", NtStatus.ObjectPathNotFound)]
    public void Rename_BadTarget_Refused(string target, NtStatus expected)
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("f", Rename, CreateDisposition.Create);
        Assert.That(v.Volume.Rename(f, target, false), Is.EqualTo(expected));
        v.Volume.Close(f);
        Assert.That(File.Exists(v.OnDisk("f")), Is.True);
        Assert.That(File.Exists(Path.Combine(v.Outside, "escaped")), Is.False);
    }

    // smb2.rename: Windows opens the target's directory to add the entry (write, sharing read and write).
    [TestCase(AccessMask.ReadData | AccessMask.Delete, FileShareAccess.All, NtStatus.SharingViolation)]
    [TestCase(AccessMask.ReadData | AccessMask.Delete, FileShareAccess.Read | FileShareAccess.Write, NtStatus.SharingViolation)]
    [TestCase(AccessMask.ReadData, FileShareAccess.None, NtStatus.SharingViolation)]
    [TestCase(AccessMask.ReadData | AccessMask.WriteData, FileShareAccess.Read | FileShareAccess.Write, NtStatus.Success)]
    [TestCase(AccessMask.ReadAttributes, FileShareAccess.None, NtStatus.Success)]
    public void Rename_TargetDirectoryOpen_SharingChecked(AccessMask directoryAccess, FileShareAccess directoryShare, NtStatus expected)
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("d"));
        var dir = v.OpenOk("d", directoryAccess, CreateDisposition.Open, directoryShare, CreateOptions.DirectoryFile);
        var f = v.OpenOk(@"d\f", Rename, CreateDisposition.Create, FileShareAccess.None);
        Assert.That(v.Volume.Rename(f, @"d\g", false), Is.EqualTo(expected));
        Assert.That(File.Exists(v.OnDisk("d/g")), Is.EqualTo(expected == NtStatus.Success));
        v.Volume.Close(f);
        v.Volume.Close(dir);
    }
}
