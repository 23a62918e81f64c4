using System.Diagnostics;
using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Protocol;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>
/// DOS attributes, creation time, the -1/-2 timestamp rules and EAs on a <see cref="PosixVolume"/> over a temp
/// directory (ext4 here; the tests are skipped where the file system keeps no user xattrs).
/// </summary>
public class MetadataTests
{
    private const AccessMask Attrs = AccessMask.ReadData | AccessMask.WriteData | AccessMask.ReadAttributes
        | AccessMask.WriteAttributes | AccessMask.ReadEa | AccessMask.WriteEa | AccessMask.Delete;

    internal static void RequireXattrs(FsaTestVolume v)
    {
        string probe = Path.Combine(v.Outside, "xattr-probe");
        File.WriteAllText(probe, "");
        using var fd = new FileDescriptor(Libc.Open(probe, Libc.O_RDONLY, 0));
        if (Xattrs.Set(fd, "user.probe", "1"u8) != 0) Assert.Ignore("no user xattrs on " + v.Outside);
    }

    private static byte[]? ReadXattr(string path, string name)
    {
        using var fd = new FileDescriptor(Libc.Open(path, Libc.O_RDONLY, 0));
        return Xattrs.Get(fd, name, out var value) == 0 ? value : null;
    }

    private static void WriteXattr(string path, string name, byte[] value)
    {
        using var fd = new FileDescriptor(Libc.Open(path, Libc.O_RDONLY, 0));
        Assert.That(Xattrs.Set(fd, name, value), Is.Zero);
    }

    [Test]
    public void Create_WithAttributes_StoredInSambaFormat()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        Assert.That(v.Volume.Open(new FsaOpenRequest("h.txt", Attrs, FileShareAccess.All, CreateDisposition.Create,
            CreateOptions.None, FileAttributeFlags.Hidden), out var open, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.QueryMetadata(open!, out var md), Is.EqualTo(NtStatus.Success));
        Assert.That(md.Attributes, Is.EqualTo(FileAttributeFlags.Hidden | FileAttributeFlags.Archive));
        v.Volume.Close(open!);

        var raw = ReadXattr(v.OnDisk("h.txt"), DosAttrib.XattrName);
        Assert.That(raw, Is.Not.Null);
        Assert.That(raw![..16], Is.EqualTo(Convert.FromHexString("00000500050000001100000022000000")), "Samba's version 5");
        Assert.That(DosAttrib.TryDecode(raw, out var info) && info.CreationTime == md.CreationTime, Is.True);
    }

    [Test]
    public void SetBasicInfo_AttributesAndCreationTime_PersistAcrossOpens()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        var open = v.OpenOk("f", Attrs, CreateDisposition.Create);
        long created = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).ToFileTimeUtc();
        const FileAttributeFlags rhsa = FileAttributeFlags.ReadOnly | FileAttributeFlags.Hidden | FileAttributeFlags.System
            | FileAttributeFlags.Archive;
        Assert.That(v.Volume.SetBasicInfo(open, created, 0, 0, 0, rhsa), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(open);

        open = v.OpenOk("f", AccessMask.ReadAttributes | AccessMask.WriteAttributes, CreateDisposition.Open);
        v.Volume.QueryMetadata(open, out var md);
        Assert.That(md.Attributes, Is.EqualTo(rhsa));
        Assert.That(md.CreationTime, Is.EqualTo(created));
        // NORMAL alone clears them; the creation time stays.
        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, 0, 0, FileAttributeFlags.Normal), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryMetadata(open, out md);
        Assert.That((md.Attributes, md.CreationTime), Is.EqualTo((FileAttributeFlags.None, created)));
        Assert.That(v.Volume.SetBasicInfo(open, -3, 0, 0, 0, 0), Is.EqualTo(NtStatus.InvalidParameter));
        v.Volume.Close(open);
    }

    [Test]
    public void Directory_HiddenAttribute_KeepsDirectoryBit_AndListingShowsIt()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        var dir = v.OpenOk("d", AccessMask.ReadData | AccessMask.WriteAttributes, CreateDisposition.Create,
            options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.SetBasicInfo(dir, 0, 0, 0, 0, FileAttributeFlags.Hidden), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.SetBasicInfo(dir, 0, 0, 0, 0, FileAttributeFlags.Temporary), Is.EqualTo(NtStatus.InvalidParameter));
        v.Volume.Close(dir);
        Assert.That(DosAttrib.TryDecode(ReadXattr(v.OnDisk("d"), DosAttrib.XattrName), out var info)
            && info.Attributes == (FileAttributeFlags.Hidden | FileAttributeFlags.Directory), Is.True, "as Samba stores it");

        var root = v.OpenOk("", AccessMask.ReadData, CreateDisposition.Open, options: CreateOptions.DirectoryFile);
        Assert.That(v.Volume.StartEnumeration(root, "d"), Is.EqualTo(NtStatus.Success));
        Assert.That(root.Enumeration!.TryPeek(out var entry), Is.True);
        Assert.That(entry.Metadata.Attributes, Is.EqualTo(FileAttributeFlags.Hidden | FileAttributeFlags.Directory));
        v.Volume.Close(root);
    }

    [Test]
    public void SambaWrittenDosAttrib_IsRead()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        File.WriteAllText(v.OnDisk("s.txt"), "x");
        // What Samba 4.17 wrote for a file after `setmode s.txt +h` (see DosAttribTests).
        WriteXattr(v.OnDisk("s.txt"), DosAttrib.XattrName, Convert.FromHexString("00000500050000001100000022000000f242a208637bdd01"));
        var open = v.OpenOk("s.txt", AccessMask.ReadAttributes, CreateDisposition.Open);
        v.Volume.QueryMetadata(open, out var md);
        Assert.That(md.Attributes, Is.EqualTo(FileAttributeFlags.Hidden | FileAttributeFlags.Archive));
        Assert.That(md.CreationTime, Is.EqualTo(0x01dd7b6308a242f2L));
        v.Volume.Close(open);
    }

    [Test]
    public void ReadOnlyFile_NoWriteOpen_CannotDelete_MaximumAllowedDropsWrite()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        var open = v.OpenOk("r", Attrs, CreateDisposition.Create);
        v.Volume.SetBasicInfo(open, 0, 0, 0, 0, FileAttributeFlags.ReadOnly);
        Assert.That(v.Volume.SetDisposition(open, true), Is.EqualTo(NtStatus.CannotDelete));
        v.Volume.Close(open);

        Assert.That(v.Open("r", AccessMask.WriteData, CreateDisposition.Open, out _, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Open("r", AccessMask.ReadData | AccessMask.Delete, CreateDisposition.Open, out _, out _,
            options: CreateOptions.DeleteOnClose), Is.EqualTo(NtStatus.CannotDelete));
        Assert.That(v.Open("r", AccessMask.ReadData, CreateDisposition.OverwriteIf, out _, out _), Is.EqualTo(NtStatus.AccessDenied));
        var max = v.OpenOk("r", AccessMask.MaximumAllowed, CreateDisposition.Open);
        Assert.That(max.GrantedAccess & AccessMask.WriteData, Is.EqualTo(AccessMask.None));
        Assert.That(max.GrantedAccess & AccessMask.WriteAttributes, Is.EqualTo(AccessMask.WriteAttributes));
        v.Volume.Close(max);
    }

    [Test]
    public void Overwrite_HiddenFileWithoutHidden_AccessDenied()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        Assert.That(v.Volume.Open(new FsaOpenRequest("h", Attrs, FileShareAccess.All, CreateDisposition.Create,
            CreateOptions.None, FileAttributeFlags.Hidden), out var open, out _), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(open!);
        Assert.That(v.Open("h", Attrs, CreateDisposition.OverwriteIf, out _, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.Open(new FsaOpenRequest("h", Attrs, FileShareAccess.All, CreateDisposition.OverwriteIf,
            CreateOptions.None, FileAttributeFlags.Hidden | FileAttributeFlags.System), out open, out var action),
            Is.EqualTo(NtStatus.Success));
        Assert.That(action, Is.EqualTo(CreateAction.Overwritten));
        v.Volume.QueryMetadata(open!, out var md);
        Assert.That(md.Attributes, Is.EqualTo(FileAttributeFlags.Hidden | FileAttributeFlags.System | FileAttributeFlags.Archive));
        v.Volume.Close(open!);
    }

    [Test]
    public void SetBasicInfo_MinusOne_FreezesWriteTime_MinusTwo_Resumes()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("t", Attrs, CreateDisposition.Create);
        long old = new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc();
        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, old, 0, 0), Is.EqualTo(NtStatus.Success));
        // A time set explicitly holds against this open's writes.
        v.Volume.Write(open, 0, "abc"u8, false, out _);
        v.Volume.QueryMetadata(open, out var md);
        Assert.That(md.LastWriteTime, Is.EqualTo(old));
        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, -2, 0, 0), Is.EqualTo(NtStatus.Success));
        v.Volume.Write(open, 3, "def"u8, false, out _);
        // The update a write makes is delayed (WriteTimeTests); a flush makes it now.
        v.Volume.Flush(open);
        v.Volume.QueryMetadata(open, out md);
        Assert.That(md.LastWriteTime, Is.GreaterThan(old), "-2 resumes updates");
        Assert.That(v.Volume.SetBasicInfo(open, 0, 0, -1, 0, 0), Is.EqualTo(NtStatus.Success));
        long frozen = md.LastWriteTime;
        Thread.Sleep(20);
        v.Volume.Write(open, 6, "ghi"u8, false, out _);
        v.Volume.SetEndOfFile(open, 100);
        v.Volume.QueryMetadata(open, out md);
        Assert.That(md.LastWriteTime, Is.EqualTo(frozen), "-1 stops updates for this open");
        v.Volume.Close(open);
    }

    // ----- extended attributes -----

    [Test]
    public void Eas_SetQueryReplaceRemove_StoredAsUserXattrs()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        var open = v.OpenOk("e", Attrs, CreateDisposition.Create);
        Assert.That(v.Volume.QueryEas(open, out var eas), Is.EqualTo(NtStatus.Success));
        Assert.That(eas, Is.Empty, "DOSATTRIB is not an EA");
        Assert.That(v.Volume.SetEas(open, [new FsaEa("Author", "me"u8.ToArray()), new FsaEa("Second", [1, 2, 3])]),
            Is.EqualTo(NtStatus.Success));
        Assert.That(ReadXattr(v.OnDisk("e"), "user.Author"), Is.EqualTo("me"u8.ToArray()), "user.<name> as Samba stores it");
        v.Volume.QueryMetadata(open, out var md);
        // Two FILE_FULL_EA_INFORMATION entries: 8+6+1+2 = 17, padded to 20, then 8+6+1+3 = 18.
        Assert.That(md.EaSize, Is.EqualTo(38u));

        // A name differing in case replaces; an empty value removes.
        Assert.That(v.Volume.SetEas(open, [new FsaEa("AUTHOR", "you"u8.ToArray()), new FsaEa("second", [])]), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryEas(open, out eas);
        Assert.That(eas.Select(e => (e.Name, System.Text.Encoding.ASCII.GetString(e.Value))), Is.EqualTo(new[] { ("AUTHOR", "you") }));

        Assert.That(v.Volume.SetEas(open, [new FsaEa("bad:name", [1])]), Is.EqualTo(NtStatus.InvalidEaName));
        Assert.That(v.Volume.SetEas(open, [new FsaEa("DOSATTRIB", [1])]), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(open);

        var readOnly = v.OpenOk("e", AccessMask.ReadData, CreateDisposition.Open);
        Assert.That(v.Volume.QueryEas(readOnly, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.SetEas(readOnly, [new FsaEa("x", [1])]), Is.EqualTo(NtStatus.AccessDenied));
        v.Volume.Close(readOnly);
    }

    [Test]
    public void Create_WithEas_AppliedToNewFile()
    {
        using var v = new FsaTestVolume();
        RequireXattrs(v);
        var request = new FsaOpenRequest("c", AccessMask.ReadData | AccessMask.ReadEa, FileShareAccess.All,
            CreateDisposition.Create, CreateOptions.None, FileAttributeFlags.Normal) { ExtendedAttributes = [new FsaEa("Tag", [9])] };
        Assert.That(v.Volume.Open(request, out var open, out _), Is.EqualTo(NtStatus.Success));
        v.Volume.QueryEas(open!, out var eas);
        Assert.That(eas.Single().Name, Is.EqualTo("Tag"));
        v.Volume.Close(open!);
    }
}
