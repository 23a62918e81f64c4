using FastSmb.Fsa;
using FastSmb.Fsa.Security;
using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Server.Tests.Fsa;

/// <summary>[MS-DTYP] 2.5.3.2 over hand-made DACLs: no file system involved.</summary>
public class AccessCheckTests
{
    private static readonly AccessToken Alice = AccessToken.ForUnixUser(null, 1001, 100, [100, 200]);
    private static readonly Sid AliceSid = Sid.UnixUser(1001);
    private static readonly Sid Other = Sid.UnixUser(4242);

    private static Ace Allow(Sid sid, AccessMask mask, AceFlags flags = AceFlags.None) => new(AceType.AccessAllowed, flags, (uint)mask, sid);
    private static Ace Deny(Sid sid, AccessMask mask, AceFlags flags = AceFlags.None) => new(AceType.AccessDenied, flags, (uint)mask, sid);

    private static SecurityDescriptor Sd(Sid owner, params Ace[] aces) =>
        new(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent, owner, Sid.UnixGroup(100), null, new Acl(aces));

    [Test]
    public void MaximumAllowed_AllowBeforeDeny_KeepsTheRight()
    {
        var sd = Sd(Other, Allow(AliceSid, AccessMask.ReadData | AccessMask.WriteData), Deny(AliceSid, AccessMask.WriteData));
        Assert.That(FileAccessCheck.MaximumAllowed(sd, Alice), Is.EqualTo(AccessMask.ReadData | AccessMask.WriteData));
    }

    [Test]
    public void MaximumAllowed_DenyBeforeAllow_RemovesTheRight()
    {
        var sd = Sd(Other, Deny(Sid.Everyone, AccessMask.WriteData), Allow(AliceSid, AccessMask.ReadData | AccessMask.WriteData));
        Assert.That(FileAccessCheck.MaximumAllowed(sd, Alice), Is.EqualTo(AccessMask.ReadData));
    }

    [Test]
    public void MaximumAllowed_Owner_HasReadControlAndWriteDacEvenWhenDenied()
    {
        var sd = Sd(AliceSid, Deny(AliceSid, AccessMask.FileAllAccess));
        Assert.That(FileAccessCheck.MaximumAllowed(sd, Alice), Is.EqualTo(AccessMask.ReadControl | AccessMask.WriteDac));
    }

    [Test]
    public void MaximumAllowed_OwnerRightsAce_ReplacesTheOwnersImplicitRights()
    {
        var sd = Sd(AliceSid, Allow(Sid.OwnerRights, AccessMask.ReadData));
        Assert.That(FileAccessCheck.MaximumAllowed(sd, Alice), Is.EqualTo(AccessMask.ReadData));
        // Not the owner: OWNER RIGHTS does not apply at all.
        Assert.That(FileAccessCheck.MaximumAllowed(Sd(Other, Allow(Sid.OwnerRights, AccessMask.ReadData)), Alice),
            Is.EqualTo(AccessMask.None));
    }

    [Test]
    public void MaximumAllowed_NullAndEmptyDacl()
    {
        var nullDacl = new SecurityDescriptor(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent,
            Other, null, null, null);
        Assert.That(FileAccessCheck.MaximumAllowed(nullDacl, Alice), Is.EqualTo(AccessMask.FileAllAccess));
        Assert.That(FileAccessCheck.MaximumAllowed(Sd(Other), Alice), Is.EqualTo(AccessMask.None));
    }

    [Test]
    public void MaximumAllowed_InheritOnlyAndForeignAces_AreSkipped_GroupsAndGenericsApply()
    {
        var sd = Sd(Other,
            Allow(AliceSid, AccessMask.WriteData, AceFlags.InheritOnly | AceFlags.ObjectInherit),
            Allow(Other, AccessMask.Delete),
            Allow(Sid.UnixGroup(200), AccessMask.GenericRead),
            Allow(Sid.AuthenticatedUsers, AccessMask.WriteAttributes));
        Assert.That(FileAccessCheck.MaximumAllowed(sd, Alice), Is.EqualTo(AccessMask.ReadData | AccessMask.ReadEa
            | AccessMask.ReadAttributes | AccessMask.ReadControl | AccessMask.Synchronize | AccessMask.WriteAttributes));
    }

    [Test]
    public void Token_AnonymousHasNoAuthenticatedUsers()
    {
        var anonymous = AccessToken.ForUnixUser(null, 65534, 65534, [], anonymous: true);
        Assert.That(anonymous.Contains(Sid.Anonymous), Is.True);
        Assert.That(anonymous.Contains(Sid.AuthenticatedUsers), Is.False);
        Assert.That(Alice.Contains(Sid.AuthenticatedUsers) && Alice.Contains(Sid.Everyone) && Alice.Contains(Sid.UnixGroup(200)), Is.True);
    }
}
