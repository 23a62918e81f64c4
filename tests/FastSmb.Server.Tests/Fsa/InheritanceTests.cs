using FastSmb.Fsa;
using FastSmb.Fsa.Security;
using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-DTYP] 2.5.3.4 CreateSecurityDescriptor for new files and directories, as smb2.acls INHERITANCE
/// expects of Windows.</summary>
public class InheritanceTests
{
    private static readonly AccessToken Creator = AccessToken.ForUnixUser(null, 1001, 100, []);
    private static readonly Sid Owner = Sid.UnixUser(1001);

    private static SecurityDescriptor Parent(AceFlags flags, bool autoInherited = false) => new(
        SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent
        | (autoInherited ? SecurityDescriptorControl.DaclAutoInherited : 0),
        Sid.UnixUser(1), Sid.UnixGroup(1), null, new Acl([
            new Ace(AceType.AccessAllowed, flags, (uint)AccessMask.WriteData, Sid.CreatorOwner),
            new Ace(AceType.AccessAllowed, AceFlags.None, (uint)AccessMask.FileAllAccess, Sid.Everyone)]));

    private static IEnumerable<(Sid, AceFlags, uint)> Aces(SecurityDescriptor? sd) =>
        sd!.Dacl!.Aces.Select(a => (a.Sid, a.Flags, a.Mask));

    private const AceFlags OI = AceFlags.ObjectInherit, CI = AceFlags.ContainerInherit, NP = AceFlags.NoPropagateInherit,
        IO = AceFlags.InheritOnly;
    private const uint WriteData = (uint)AccessMask.WriteData;

    [Test]
    public void File_ObjectInherit_GetsTheOwnerInPlaceOfCreatorOwner()
    {
        var sd = DescriptorInheritance.ForNewObject(Parent(OI | IO), null, isContainer: false, Creator);
        Assert.That(Aces(sd), Is.EqualTo(new[] { (Owner, AceFlags.None, WriteData) }));
        Assert.That(sd!.Owner, Is.EqualTo(Owner));
        Assert.That(sd.Group, Is.EqualTo(Sid.UnixGroup(100)));
    }

    [Test]
    public void File_NothingInheritable_GetsTheDefaultDacl()
    {
        var sd = DescriptorInheritance.ForNewObject(Parent(CI), null, isContainer: false, Creator);
        Assert.That(Aces(sd), Is.EqualTo(new[]
        {
            (Owner, AceFlags.None, (uint)AccessMask.FileAllAccess),
            (Sid.LocalSystem, AceFlags.None, (uint)AccessMask.FileAllAccess),
        }));
    }

    [Test]
    public void Directory_ObjectInheritOnly_KeepsItInheritOnlyForItsFiles()
    {
        var sd = DescriptorInheritance.ForNewObject(Parent(OI), null, isContainer: true, Creator);
        Assert.That(Aces(sd), Is.EqualTo(new[] { (Sid.CreatorOwner, OI | IO, WriteData) }));
    }

    [Test]
    public void Directory_ContainerInherit_SplitsEffectiveAndInheritableCopies()
    {
        var sd = DescriptorInheritance.ForNewObject(Parent(CI | OI), null, isContainer: true, Creator);
        Assert.That(Aces(sd), Is.EqualTo(new[] { (Owner, AceFlags.None, WriteData), (Sid.CreatorOwner, CI | OI | IO, WriteData) }));
    }

    [Test]
    public void Directory_NoPropagate_GetsOnlyTheEffectiveCopy()
    {
        var sd = DescriptorInheritance.ForNewObject(Parent(CI | NP), null, isContainer: true, Creator);
        Assert.That(Aces(sd), Is.EqualTo(new[] { (Owner, AceFlags.None, WriteData) }));
        Assert.That(DescriptorInheritance.ForNewObject(Parent(OI | NP), null, isContainer: true, Creator)!.Dacl!.Aces
            .Select(a => a.Sid), Is.EqualTo(new[] { Owner, Sid.LocalSystem }), "nothing to inherit: the default DACL");
    }

    [Test]
    public void AutoInheritedParent_MarksTheChildAndItsAces()
    {
        var sd = DescriptorInheritance.ForNewObject(Parent(OI | CI, autoInherited: true), null, isContainer: false, Creator);
        Assert.That(sd!.Control & SecurityDescriptorControl.DaclAutoInherited, Is.Not.EqualTo(SecurityDescriptorControl.None));
        Assert.That(Aces(sd), Is.EqualTo(new[] { (Owner, AceFlags.Inherited, WriteData) }));
    }

    [Test]
    public void GenericRights_AreMappedInTheEffectiveCopyOnly()
    {
        var parent = new SecurityDescriptor(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent,
            Owner, null, null, new Acl([new Ace(AceType.AccessAllowed, CI, (uint)AccessMask.GenericAll, Sid.Everyone)]));
        var sd = DescriptorInheritance.ForNewObject(parent, null, isContainer: true, Creator);
        Assert.That(Aces(sd), Is.EqualTo(new[]
        {
            (Sid.Everyone, AceFlags.None, (uint)AccessMask.FileAllAccess),
            (Sid.Everyone, CI | IO, (uint)AccessMask.GenericAll),
        }));
    }

    [Test]
    public void CreatorDescriptor_WinsOverInheritance_AndNoneGivenMeansNoStoredDescriptor()
    {
        var creator = new SecurityDescriptor(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent,
            Sid.Everyone, Sid.BuiltinUsers, null, new Acl([new Ace(AceType.AccessAllowed, 0, (uint)AccessMask.GenericRead, Sid.Everyone)]));
        var sd = DescriptorInheritance.ForNewObject(Parent(OI), creator, isContainer: false, Creator);
        Assert.That((sd!.Owner, sd.Group), Is.EqualTo((Sid.Everyone, Sid.BuiltinUsers)));
        Assert.That(sd.Dacl!.Aces.Single().Mask, Is.EqualTo((uint)AccessMasks.MapGeneric(AccessMask.GenericRead)));
        Assert.That(DescriptorInheritance.ForNewObject(null, null, isContainer: false, Creator), Is.Null);
    }
}
