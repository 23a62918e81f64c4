using System.Text;
using FastSmb.Fsa;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-FSA] semantics of the POSIX backend against a temporary directory, no SMB involved.</summary>
public class PosixVolumeTests
{
    // ----- dispositions: (exists?) x disposition -> status and create action -----

    [TestCase(CreateDisposition.Open, NtStatus.ObjectNameNotFound, null)]
    [TestCase(CreateDisposition.Overwrite, NtStatus.ObjectNameNotFound, null)]
    [TestCase(CreateDisposition.Create, NtStatus.Success, CreateAction.Created)]
    [TestCase(CreateDisposition.OpenIf, NtStatus.Success, CreateAction.Created)]
    [TestCase(CreateDisposition.OverwriteIf, NtStatus.Success, CreateAction.Created)]
    [TestCase(CreateDisposition.Supersede, NtStatus.Success, CreateAction.Created)]
    public void Open_Missing_Disposition(CreateDisposition disposition, NtStatus expected, CreateAction? action)
    {
        using var v = new FsaTestVolume();
        var status = v.Open("new.txt", FsaTestVolume.ReadWrite, disposition, out var open, out var got);
        Assert.That(status, Is.EqualTo(expected));
        if (action is not null)
        {
            Assert.That(got, Is.EqualTo(action));
            Assert.That(File.Exists(v.OnDisk("new.txt")), Is.True);
            v.Volume.Close(open!);
        }
        else
        {
            Assert.That(File.Exists(v.OnDisk("new.txt")), Is.False);
        }
    }

    [TestCase(CreateDisposition.Open, NtStatus.Success, CreateAction.Opened, 5)]
    [TestCase(CreateDisposition.OpenIf, NtStatus.Success, CreateAction.Opened, 5)]
    [TestCase(CreateDisposition.Create, NtStatus.ObjectNameCollision, null, 5)]
    [TestCase(CreateDisposition.Overwrite, NtStatus.Success, CreateAction.Overwritten, 0)]
    [TestCase(CreateDisposition.OverwriteIf, NtStatus.Success, CreateAction.Overwritten, 0)]
    [TestCase(CreateDisposition.Supersede, NtStatus.Success, CreateAction.Superseded, 0)]
    public void Open_Existing_Disposition(CreateDisposition disposition, NtStatus expected, CreateAction? action, int size)
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f.txt"), "hello");
        var status = v.Open("f.txt", FsaTestVolume.ReadWrite, disposition, out var open, out var got);
        Assert.That(status, Is.EqualTo(expected));
        if (action is not null)
        {
            Assert.That(got, Is.EqualTo(action));
            v.Volume.Close(open!);
        }
        Assert.That(new FileInfo(v.OnDisk("f.txt")).Length, Is.EqualTo(size));
    }

    [Test]
    public void Open_DirectoryOptionOnFile_NotADirectory_AndFileOptionOnDirectory_FileIsADirectory()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f"), "x");
        Directory.CreateDirectory(v.OnDisk("d"));
        Assert.That(v.Open("f", AccessMask.ReadData, CreateDisposition.Open, out _, out _, options: CreateOptions.DirectoryFile),
            Is.EqualTo(NtStatus.NotADirectory));
        Assert.That(v.Open("d", AccessMask.ReadData, CreateDisposition.Open, out _, out _, options: CreateOptions.NonDirectoryFile),
            Is.EqualTo(NtStatus.FileIsADirectory));
        Assert.That(v.Open("d", AccessMask.ReadData, CreateDisposition.Open, out _, out _,
            options: CreateOptions.DirectoryFile | CreateOptions.NonDirectoryFile), Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(v.Open("d", AccessMask.ReadData, CreateDisposition.OverwriteIf, out _, out _, options: CreateOptions.DirectoryFile),
            Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public void Open_CreateDirectory_MakesADirectory()
    {
        using var v = new FsaTestVolume();
        var d = v.OpenOk("sub", AccessMask.ReadData, CreateDisposition.Create, options: CreateOptions.DirectoryFile);
        Assert.That(d.IsDirectory, Is.True);
        Assert.That(Directory.Exists(v.OnDisk("sub")), Is.True);
        v.Volume.Close(d);
    }

    [Test]
    public void Open_MissingParent_ObjectPathNotFound()
    {
        using var v = new FsaTestVolume();
        Assert.That(v.Open(@"nodir\f.txt", FsaTestVolume.ReadWrite, CreateDisposition.OpenIf, out _, out _),
            Is.EqualTo(NtStatus.ObjectPathNotFound));
    }

    [Test]
    public void Open_OtherCase_FindsTheFileOnDisk()
    {
        using var v = new FsaTestVolume();
        Directory.CreateDirectory(v.OnDisk("Docs"));
        File.WriteAllText(v.OnDisk("Docs/ReadMe.TXT"), "case");
        var open = v.OpenOk(@"DOCS\readme.txt", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(open.ClientPath, Is.EqualTo(@"Docs\ReadMe.TXT"));
        var buffer = new byte[16];
        Assert.That(v.Volume.Read(open, 0, buffer, out int n), Is.EqualTo(NtStatus.Success));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, n), Is.EqualTo("case"));
        v.Volume.Close(open);
        // OPEN_IF of another case opens the same file rather than creating a second one
        var again = v.OpenOk("DOCS/README.txt".Replace('/', '\\'), AccessMask.ReadData, CreateDisposition.OpenIf);
        v.Volume.Close(again);
        Assert.That(Directory.GetFiles(v.OnDisk("Docs")), Has.Length.EqualTo(1));
    }

    // ----- read / write / metadata -----

    [Test]
    public void WriteRead_RoundTrip_AndMetadata()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("data.bin", disposition: CreateDisposition.Create);
        var data = Enumerable.Range(0, 10000).Select(i => (byte)i).ToArray();
        Assert.That(v.Volume.Write(open, 100, data, false, out int written), Is.EqualTo(NtStatus.Success));
        Assert.That(written, Is.EqualTo(data.Length));
        var back = new byte[20000];
        Assert.That(v.Volume.Read(open, 100, back, out int read), Is.EqualTo(NtStatus.Success));
        Assert.That(read, Is.EqualTo(data.Length));
        Assert.That(back[..read], Is.EqualTo(data));
        Assert.That(v.Volume.Read(open, 1_000_000, back, out read), Is.EqualTo(NtStatus.Success));
        Assert.That(read, Is.Zero);
        Assert.That(v.Volume.QueryMetadata(open, out var md), Is.EqualTo(NtStatus.Success));
        Assert.That(md.EndOfFile, Is.EqualTo(10100));
        Assert.That(md.Attributes, Is.EqualTo(FileAttributeFlags.Archive));
        Assert.That(md.CreationTime, Is.GreaterThan(DateTime.UtcNow.AddHours(-1).ToFileTimeUtc()));
        Assert.That(v.Volume.SetEndOfFile(open, 10), Is.EqualTo(NtStatus.Success));
        Assert.That(new FileInfo(v.OnDisk("data.bin")).Length, Is.EqualTo(10));
        v.Volume.Close(open);
    }

    [Test]
    public void Write_ReadOnlyAccess_AccessDenied()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f"), "x");
        var open = v.OpenOk("f", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(v.Volume.Write(open, 0, "y"u8, false, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.SetEndOfFile(open, 0), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(open);
    }

    [Test]
    public void SetBasicInfo_LastWriteTime_IsStored()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("t", AccessMask.WriteAttributes | AccessMask.ReadData, CreateDisposition.Create);
        long when = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc).ToFileTimeUtc();
        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, when, 0, FileAttributeFlags.None), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(open, out var md);
        Assert.That(md.LastWriteTime, Is.EqualTo(when));
        v.Volume.Close(open);
    }

    [Test]
    public void ReadOnlyRequest_CannotCreateOrWrite()
    {
        using var v = new FsaTestVolume();
        File.WriteAllText(v.OnDisk("f"), "x");
        var request = new FsaOpenRequest("new", AccessMask.ReadData, FileShareAccess.All, CreateDisposition.OpenIf,
            CreateOptions.None, FileAttributeFlags.Normal) { ReadOnly = true };
        Assert.That(v.Volume.Open(request, out _, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.Open(request with { Path = "f", DesiredAccess = AccessMask.WriteData }, out _, out _),
            Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.Open(request with { Path = "f", DesiredAccess = AccessMask.MaximumAllowed }, out var open, out _),
            Is.EqualTo(NtStatus.Success));
        Assert.That(open!.GrantedAccess & AccessMask.WriteData, Is.EqualTo(AccessMask.None));
        v.Volume.Close(open);
        Assert.That(File.Exists(v.OnDisk("new")), Is.False);
    }

    [Test]
    public void SetAllocationSize_AboveTheEnd_ReservesBlocksAndKeepsTheSize()
    {
        using var v = new FsaTestVolume();
        var f = v.OpenOk("f", FsaTestVolume.ReadWrite, CreateDisposition.Create);
        v.Volume.Write(f, 0, "abc"u8, false, out _);
        Assert.That(v.Volume.SetAllocationSize(f, 1 << 20), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.QueryMetadata(f, out var metadata), Is.EqualTo(NtStatus.Success));
        Assert.That(metadata.EndOfFile, Is.EqualTo(3));
        Assert.That(metadata.AllocationSize, Is.GreaterThanOrEqualTo(1 << 20));
        Assert.That(v.Volume.SetAllocationSize(f, 2), Is.EqualTo(NtStatus.Success));
        Assert.That(new FileInfo(v.OnDisk("f")).Length, Is.EqualTo(2), "below the end it truncates");
        v.Volume.Close(f);
    }
}
