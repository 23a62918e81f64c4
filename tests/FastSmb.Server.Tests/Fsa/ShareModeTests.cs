using FastSmb.Fsa;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-FSA] 2.1.5.1.2.1 sharing checks, delete-on-close and delete-pending.</summary>
public class ShareModeTests
{
    private const AccessMask R = AccessMask.ReadData, W = AccessMask.WriteData, D = AccessMask.Delete;
    private const FileShareAccess SR = FileShareAccess.Read, SW = FileShareAccess.Write, SD = FileShareAccess.Delete, S0 = FileShareAccess.None;

    // existing access, existing share, new access, new share, conflict?
    [TestCase(R, SR, R, SR, false)]
    [TestCase(R, S0, R, FileShareAccess.All, true)]
    [TestCase(R, SR, W, FileShareAccess.All, true)]
    [TestCase(R, SR | SW, W, SR, false)]
    [TestCase(W, FileShareAccess.All, R, SR, true)] // the new open refuses writers, the existing one writes
    [TestCase(R, SR, D, FileShareAccess.All, true)]
    [TestCase(R, SR | SD, D, FileShareAccess.All, false)]
    [TestCase(AccessMask.ReadAttributes, S0, R, S0, false)] // attribute-only opens never conflict
    [TestCase(R, S0, AccessMask.ReadAttributes | AccessMask.WriteAttributes, S0, false)]
    [TestCase(AccessMask.AppendData, SR, AccessMask.AppendData, SR, true)]
    [TestCase(AccessMask.Execute, SW, R, SW | SR, true)]
    public void Conflicts_Matrix(AccessMask existingAccess, FileShareAccess existingShare, AccessMask access, FileShareAccess share,
        bool conflict)
    {
        Assert.That(ShareModeTable.Conflicts(existingAccess, existingShare, access, share), Is.EqualTo(conflict));
    }

    [Test]
    public void Open_SecondOpenDeniedByShareMode_SharingViolation_UntilTheFirstCloses()
    {
        using var v = new FsaTestVolume();
        var first = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Create, share: FileShareAccess.Read);
        Assert.That(v.Open("f", AccessMask.WriteData, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.SharingViolation));
        // by another name (case) too: the table is keyed by inode, not by name
        Assert.That(v.Open("F", AccessMask.WriteData, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.SharingViolation));
        var reader = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Open, share: FileShareAccess.All);
        v.Volume.Close(first);
        v.Volume.Close(reader);
        var writer = v.OpenOk("f", AccessMask.WriteData, CreateDisposition.Open);
        v.Volume.Close(writer);
        Assert.That(v.Volume.ShareModes.FileCount, Is.Zero);
    }

    [Test]
    public void Overwrite_WhileSharedWithoutWrite_SharingViolationAndContentKept()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f"), "keep");
        var first = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Open, share: FileShareAccess.Read);
        Assert.That(v.Open("f", AccessMask.WriteData, CreateDisposition.Overwrite, out _, out _, share: FileShareAccess.All),
            Is.EqualTo(NtStatus.SharingViolation));
        Assert.That(File.ReadAllText(v.OnDisk("f")), Is.EqualTo("keep"));
        v.Volume.Close(first);
    }

    [Test]
    public void DeleteOnClose_DeletesAtLastClose_AndNewOpensSeeDeletePending()
    {
        using var v = new FsaTestVolume();
        var other = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Create);
        var doc = v.OpenOk("f", AccessMask.Delete | AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DeleteOnClose);
        v.Volume.Close(doc);
        Assert.That(File.Exists(v.OnDisk("f")), Is.True, "another open keeps the file");
        Assert.That(v.Open("f", AccessMask.ReadData, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.DeletePending));
        v.Volume.Close(other);
        Assert.That(File.Exists(v.OnDisk("f")), Is.False);
    }

    [Test]
    public void DeleteOnClose_WithoutDeleteAccess_AccessDenied()
    {
        using var v = new FsaTestVolume();
        Assert.That(v.Open("f", AccessMask.ReadData, CreateDisposition.Create, out _, out _, options: CreateOptions.DeleteOnClose),
            Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public void Disposition_SetThenCleared_FileSurvives_SetDirectoryNotEmpty_Refused()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("f", AccessMask.Delete | AccessMask.ReadData, CreateDisposition.Create);
        Assert.That(v.Volume.SetDisposition(f, true), Is.EqualTo(NtStatus.Success));
        Assert.That(f.DeletePending, Is.True);
        Assert.That(v.Volume.SetDisposition(f, false), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(f);
        Assert.That(File.Exists(v.OnDisk("f")), Is.True);

        Directory.CreateDirectory(v.OnDisk("d"));
        File.WriteAllText(v.OnDisk("d/x"), "x");
        var d = v.OpenOk("d", AccessMask.Delete | AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.SetDisposition(d, true), Is.EqualTo(NtStatus.DirectoryNotEmpty));
        v.Volume.Close(d);

        var noDelete = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(v.Volume.SetDisposition(noDelete, true), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(noDelete);
    }

    [Test]
    public void Disposition_EmptyDirectory_RemovedAtClose()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("d"));
        var d = v.OpenOk("d", AccessMask.Delete | AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.SetDisposition(d, true), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(d);
        Assert.That(Directory.Exists(v.OnDisk("d")), Is.False);
    }
}
