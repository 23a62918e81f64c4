using FastSmb.Fsa;
using FastSmb.Fsa.Posix;
using FastSmb.Fsa.Security;
using FastSmb.Protocol;
using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>NT ACLs on the POSIX backend over a temp directory: made from the mode, stored in the xattr or, above the
/// threshold, in the side directory, and checked on open ([MS-FSA] 2.1.5.1).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SecurityStorageTests
{
    private const uint Dacl = 4, OwnerAndDacl = 5;

    private static Ace Allow(Sid sid, AccessMask mask, AceFlags flags = AceFlags.None) => new(AceType.AccessAllowed, flags, (uint)mask, sid);

    private static SecurityDescriptor DaclOf(params Ace[] aces) =>
        new(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent, null, null, null, new Acl(aces));

    private static SecurityDescriptor Query(FsaTestVolume v, FsaOpen open)
    {
        Assert.That(v.Volume.QuerySecurity(open, out var sd), Is.EqualTo(NtStatus.Success));
        return sd;
    }

    /// <summary>The token of the user owning the volume's files (whoever runs the tests).</summary>
    private static AccessToken OwnerToken(FsaTestVolume v, FsaOpen open)
    {
        var owner = Query(v, open).Owner!;
        Assert.That(owner.TryGetUnixUser(out uint uid), Is.True);
        return AccessToken.ForUnixUser(null, uid, 54321, []);
    }

    private static NtStatus OpenAs(FsaTestVolume v, AccessToken token, string path, AccessMask access, out FsaOpen? open,
        CreateDisposition disposition = CreateDisposition.Open, CreateOptions options = CreateOptions.None) =>
        v.Volume.Open(new FsaOpenRequest(path, access, FileShareAccess.All, disposition, options, FileAttributeFlags.Normal)
            { Token = token }, out open, out _);

    [Test]
    public void Query_NoStoredAcl_MadeFromOwnerGroupAndMode()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt");
        File.SetUnixFileMode(v.OnDisk("f.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var sd = Query(v, open);
        Assert.That(sd.Owner!.TryGetUnixUser(out _) && sd.Group!.TryGetUnixGroup(out _), Is.True);
        Assert.That(sd.Dacl!.Aces.Select(a => (a.Sid, a.Mask)), Is.EqualTo(new[]
        {
            (sd.Owner, (uint)AccessMask.FileAllAccess),
            (sd.Group, (uint)(AccessMask.ReadData | AccessMask.ReadEa | AccessMask.ReadAttributes | AccessMask.ReadControl | AccessMask.Synchronize)),
        }));
        v.Volume.Close(open);
    }

    [Test]
    public void Set_SmallDescriptor_KeptInTheXattrAcrossVolumes()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt");
        var set = DaclOf(Allow(Sid.Everyone, AccessMask.GenericRead));
        Assert.That(v.Volume.SetSecurity(open, Dacl, set, null), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(open);
        Assert.That(Xattrs.GetAt(v.OnDisk("f.txt"), PosixVolume.NtAclXattr, out var raw), Is.EqualTo(0));
        Assert.That(raw!.Length, Is.GreaterThan(8 + SecurityDescriptor.HeaderSize));

        Assert.That(PosixVolume.TryOpen(v.Root, out var again), Is.EqualTo(NtStatus.Success));
        using (again)
        {
            Assert.That(again!.Open(new FsaOpenRequest("f.txt", AccessMask.ReadControl, FileShareAccess.All, CreateDisposition.Open,
                CreateOptions.None, FileAttributeFlags.Normal), out var reopened, out _), Is.EqualTo(NtStatus.Success));
            Assert.That(again.QuerySecurity(reopened!, out var sd), Is.EqualTo(NtStatus.Success));
            // Generic rights are stored mapped; the owner and group not set stay the mode's.
            Assert.That(sd.Dacl!.Aces.Single().Mask, Is.EqualTo((uint)AccessMasks.MapGeneric(AccessMask.GenericRead)));
            Assert.That(sd.Owner!.TryGetUnixUser(out _), Is.True);
            again.Close(reopened!);
        }
    }

    [Test]
    public void Set_LargeDescriptor_GoesToTheSideDirectory_AndLeavesWithTheFile()
    {
        using var v = new FsaTestVolume();
        v.Volume.DescriptorInlineLimit = 100;
        var open = v.OpenOk("big.txt", FsaTestVolume.ReadWrite | AccessMask.Delete);
        var aces = Enumerable.Range(0, 12).Select(i => Allow(Sid.UnixUser(5000 + (uint)i), AccessMask.ReadData)).ToArray();
        Assert.That(v.Volume.SetSecurity(open, Dacl, DaclOf(aces), null), Is.EqualTo(NtStatus.Success));
        Assert.That(Xattrs.GetAt(v.OnDisk("big.txt"), PosixVolume.NtAclXattr, out var pointer), Is.EqualTo(0));
        Assert.That(pointer, Has.Length.EqualTo(8), "the xattr holds only the header");
        var depot = Directory.GetFiles(v.OnDisk(".streams/ntacl"));
        Assert.That(depot, Has.Length.EqualTo(1));

        Assert.That(PosixVolume.TryOpen(v.Root, out var again), Is.EqualTo(NtStatus.Success));
        using (again)
        {
            Assert.That(again!.Open(new FsaOpenRequest("big.txt", AccessMask.ReadControl, FileShareAccess.All,
                CreateDisposition.Open, CreateOptions.None, FileAttributeFlags.Normal), out var reopened, out _), Is.EqualTo(NtStatus.Success));
            Assert.That(again.QuerySecurity(reopened!, out var sd), Is.EqualTo(NtStatus.Success));
            Assert.That(sd.Dacl!.Aces, Is.EqualTo(aces));
            again.Close(reopened!);
        }

        // Shrinking brings it back into the xattr; deleting the file takes the side copy with it.
        Assert.That(v.Volume.SetSecurity(open, Dacl, DaclOf(aces[0]), null), Is.EqualTo(NtStatus.Success));
        Assert.That(Directory.GetFiles(v.OnDisk(".streams/ntacl")), Is.Empty);
        Assert.That(v.Volume.SetSecurity(open, Dacl, DaclOf(aces), null), Is.EqualTo(NtStatus.Success));
        Assert.That(v.Volume.SetDisposition(open, true), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(open);
        Assert.That(File.Exists(v.OnDisk("big.txt")), Is.False);
        Assert.That(Directory.GetFiles(v.OnDisk(".streams/ntacl")), Is.Empty);
    }

    [Test]
    public void Set_Owner_MustBeOneOfTheCallersSids()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt");
        var token = OwnerToken(v, open);
        var toStranger = new SecurityDescriptor(SecurityDescriptorControl.SelfRelative, Sid.UnixUser(4242), null, null, null);
        Assert.That(v.Volume.SetSecurity(open, 1, toStranger, token), Is.EqualTo(NtStatus.InvalidOwner));
        var toEveryone = toStranger with { Owner = Sid.Everyone };
        Assert.That(v.Volume.SetSecurity(open, 1, toEveryone, token), Is.EqualTo(NtStatus.Success));
        Assert.That(Query(v, open).Owner, Is.EqualTo(Sid.Everyone));
        v.Volume.Close(open);
    }

    [Test]
    public void Open_DaclDenies_AccessDeniedAndMaximumAllowedGetsWhatItGrants()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt");
        var token = OwnerToken(v, open);
        var owner = token.User;
        Assert.That(v.Volume.SetSecurity(open, Dacl, DaclOf(Allow(owner, AccessMask.ReadData)), token), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(open);

        Assert.That(OpenAs(v, token, "f.txt", AccessMask.WriteData, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(OpenAs(v, token, "f.txt", AccessMask.ReadData | AccessMask.MaximumAllowed, out var max), Is.EqualTo(NtStatus.Success));
        // READ_CONTROL and WRITE_DAC as owner; DELETE and READ_ATTRIBUTES through the root's made-up DACL.
        var expected = AccessMask.ReadData | AccessMask.ReadControl | AccessMask.WriteDac | AccessMask.Delete | AccessMask.ReadAttributes;
        Assert.That((max!.GrantedAccess, max.MaximalAccess), Is.EqualTo((expected, expected)));
        v.Volume.Close(max);
        Assert.That(OpenAs(v, token, "f.txt", AccessMask.ReadData, out var read, CreateDisposition.Overwrite), Is.EqualTo(NtStatus.AccessDenied),
            "overwriting needs FILE_WRITE_DATA");
        Assert.That(read, Is.Null);
    }

    [Test]
    public void Open_Delete_ComesFromTheParentsDeleteChild()
    {
        using var v = new FsaTestVolume();
        var dir = v.OpenOk("d", AccessMask.ReadControl | AccessMask.WriteDac, CreateDisposition.Create, options: CreateOptions.DirectoryFile);
        var token = OwnerToken(v, dir);
        var file = v.OpenOk("d\\f.txt");
        Assert.That(v.Volume.SetSecurity(file, Dacl, DaclOf(Allow(token.User, AccessMask.ReadData)), token), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(file);
        Assert.That(v.Volume.SetSecurity(dir, Dacl, DaclOf(Allow(token.User, AccessMask.ReadData | AccessMask.WriteData)), token),
            Is.EqualTo(NtStatus.Success));
        Assert.That(OpenAs(v, token, "d\\f.txt", AccessMask.Delete, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(v.Volume.SetSecurity(dir, Dacl, DaclOf(Allow(token.User, AccessMask.DeleteChild)), token), Is.EqualTo(NtStatus.Success));
        Assert.That(OpenAs(v, token, "d\\f.txt", AccessMask.Delete, out var deletable), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(deletable!);
        v.Volume.Close(dir);
    }

    [Test]
    public void Create_InheritsFromTheParent_AndNeedsAddFile()
    {
        using var v = new FsaTestVolume();
        var dir = v.OpenOk("d", AccessMask.ReadControl | AccessMask.WriteDac, CreateDisposition.Create, options: CreateOptions.DirectoryFile);
        var token = OwnerToken(v, dir);
        Assert.That(v.Volume.SetSecurity(dir, Dacl, DaclOf(
            Allow(Sid.CreatorOwner, AccessMask.GenericAll, AceFlags.ObjectInherit | AceFlags.InheritOnly),
            Allow(token.User, AccessMask.ReadData)), token), Is.EqualTo(NtStatus.Success));
        Assert.That(OpenAs(v, token, "d\\new.txt", AccessMask.WriteData, out _, CreateDisposition.Create), Is.EqualTo(NtStatus.AccessDenied),
            "the directory does not grant FILE_ADD_FILE");

        Assert.That(v.Volume.SetSecurity(dir, Dacl, DaclOf(
            Allow(Sid.CreatorOwner, AccessMask.GenericAll, AceFlags.ObjectInherit | AceFlags.InheritOnly),
            Allow(token.User, AccessMask.WriteData)), token), Is.EqualTo(NtStatus.Success));
        Assert.That(OpenAs(v, token, "d\\new.txt", AccessMask.WriteData | AccessMask.ReadControl, out var created, CreateDisposition.Create),
            Is.EqualTo(NtStatus.Success));
        var sd = Query(v, created!);
        Assert.That(sd.Owner, Is.EqualTo(token.User));
        Assert.That(sd.Dacl!.Aces.Select(a => (a.Sid, a.Flags, a.Mask)), Is.EqualTo(new[] { (token.User, AceFlags.None, (uint)AccessMask.FileAllAccess) }));
        v.Volume.Close(created!);
        v.Volume.Close(dir);
    }

    [Test]
    public void Open_AnotherUser_GetsWhatTheModeGivesOthers()
    {
        using var v = new FsaTestVolume();
        var open = v.OpenOk("f.txt");
        v.Volume.Close(open);
        File.SetUnixFileMode(v.OnDisk("f.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var stranger = AccessToken.ForUnixUser(null, 4242, 4242, []);
        Assert.That(OpenAs(v, stranger, "f.txt", AccessMask.WriteData, out _), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(OpenAs(v, stranger, "f.txt", AccessMask.ReadData, out var read), Is.EqualTo(NtStatus.Success));
        v.Volume.Close(read!);
    }
}
