using FastSmb.Protocol.Security.Descriptors;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Security;

public class SecurityDescriptorTests
{
    private static readonly Sid Bench = Sid.Parse("S-1-5-21-1364843008-3861073242-604312575-1000");
    private static readonly Sid DomainUsers = Sid.Parse("S-1-5-21-1364843008-3861073242-604312575-513");

    [Test]
    public void TryParse_SambaCapture_ReadsOwnerGroupAndDacl()
    {
        var bytes = Captures.Load("security-samba-query-sd-file.hex");
        Assert.That(SecurityDescriptor.TryParse(bytes, out var sd), Is.True);
        Assert.That(sd.Control, Is.EqualTo(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent));
        Assert.That(sd.Owner, Is.EqualTo(Bench));
        Assert.That(sd.Group, Is.EqualTo(DomainUsers));
        Assert.That(sd.Sacl, Is.Null);
        Assert.That(sd.Dacl!.Aces.Select(a => (a.Type, a.Flags, a.Mask, a.Sid.ToString())), Is.EqualTo(new[]
        {
            (AceType.AccessAllowed, AceFlags.None, 0x001F01FFu, Bench.ToString()),
            (AceType.AccessAllowed, AceFlags.None, 0x001200A9u, DomainUsers.ToString()),
            (AceType.AccessAllowed, AceFlags.None, 0x001200A9u, "S-1-1-0"),
        }));
        Assert.That(sd.Size, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void Write_SambaCapture_ParsesBackEqualInWindowsOrder()
    {
        var bytes = Captures.Load("security-samba-query-sd-file.hex");
        Assert.That(SecurityDescriptor.TryParse(bytes, out var sd), Is.True);
        var written = sd.ToBytes();
        Assert.That(written, Has.Length.EqualTo(bytes.Length));
        Assert.That(SecurityDescriptor.TryParse(written, out var again), Is.True);
        Assert.That(again, Is.EqualTo(sd));
        // Windows order: (no SACL) DACL at 20, then owner, then group.
        Assert.That(BitConverter.ToUInt32(written, 16), Is.EqualTo(20));
        Assert.That(BitConverter.ToUInt32(written, 4), Is.EqualTo(20 + sd.Dacl!.Size));
    }

    [Test]
    public void RoundTrip_ObjectAndCallbackAces_KeepTheirOpaqueParts()
    {
        var guid = Guid.Parse("bf967aba-0de6-11d0-a285-00aa003049e2").ToByteArray();
        var objectAce = new Ace(AceType.AccessAllowedObject, AceFlags.ContainerInherit, 0x10, Sid.AuthenticatedUsers)
        {
            Prefix = [1, 0, 0, 0, .. guid], // ACE_OBJECT_TYPE_PRESENT and the object type
        };
        var callbackAce = new Ace(AceType.AccessAllowedCallback, AceFlags.None, 0x1, Sid.Everyone)
        {
            Trailer = [0x61, 0x72, 0x74, 0x78], // "artx": a conditional expression's start, kept as bytes
        };
        var sd = new SecurityDescriptor(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent
            | SecurityDescriptorControl.SaclPresent, Sid.BuiltinAdministrators, Sid.LocalSystem,
            new Acl([new Ace(AceType.SystemAudit, AceFlags.FailedAccess, 0x10000, Sid.Everyone)]),
            new Acl([objectAce, callbackAce]));
        var bytes = sd.ToBytes();
        Assert.That(SecurityDescriptor.TryParse(bytes, out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(sd));
        Assert.That(parsed.Dacl!.Revision, Is.EqualTo(Acl.RevisionDs));
        Assert.That(parsed.Dacl.Aces[0].Prefix, Is.EqualTo(objectAce.Prefix));
        Assert.That(parsed.Dacl.Aces[1].Trailer, Is.EqualTo(callbackAce.Trailer));
        Assert.That(parsed.ToBytes(), Is.EqualTo(bytes));
    }

    [Test]
    public void TryParse_DaclPresentWithoutOffset_IsANullDacl()
    {
        var sd = new SecurityDescriptor(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent,
            null, null, null, null);
        Assert.That(SecurityDescriptor.TryParse(sd.ToBytes(), out var parsed), Is.True);
        Assert.That(parsed.DaclPresent, Is.True);
        Assert.That(parsed.Dacl, Is.Null);
        Assert.That(parsed.Size, Is.EqualTo(SecurityDescriptor.HeaderSize));
    }

    [Test]
    public void TryParse_TruncatedCapture_RejectedAtEveryPrefix() =>
        ParserRobustness.Check(Captures.Load("security-samba-query-sd-file.hex"),
            b => SecurityDescriptor.TryParse(b, out _));

    [Test]
    public void TryParse_BadHeaderOrOffsets_Rejected()
    {
        var good = Captures.Load("security-samba-query-sd-file.hex");
        byte[] Mutate(Action<byte[]> change)
        {
            var copy = (byte[])good.Clone();
            change(copy);
            return copy;
        }
        Assert.That(SecurityDescriptor.TryParse(Mutate(b => b[0] = 2), out _), Is.False, "revision 2");
        Assert.That(SecurityDescriptor.TryParse(Mutate(b => b[3] &= 0x7F), out _), Is.False, "not self-relative");
        Assert.That(SecurityDescriptor.TryParse(Mutate(b => b[4] = 8), out _), Is.False, "owner inside the header");
        Assert.That(SecurityDescriptor.TryParse(Mutate(b => b[17] = 0x10), out _), Is.False, "DACL past the end");
        Assert.That(SecurityDescriptor.TryParse(Mutate(b => b[0x4c + 4] = 200), out _), Is.False, "more ACEs than fit");
        Assert.That(SecurityDescriptor.TryParse(Mutate(b => b[0x4c + 8 + 2] = 5), out _), Is.False, "ACE size not 4-aligned");
        Assert.That(SecurityDescriptor.TryParse(Mutate(b => b[0x14 + 1] = 16), out _), Is.False, "16 sub-authorities");
    }

    [Test]
    public void Select_AsksForParts_ClearsTheOthersAndTheirControlBits()
    {
        Assert.That(SecurityDescriptor.TryParse(Captures.Load("security-samba-query-sd-file.hex"), out var sd), Is.True);
        var ownerOnly = sd.Select(1);
        Assert.That((ownerOnly.Owner, ownerOnly.Group, ownerOnly.Dacl, ownerOnly.DaclPresent), Is.EqualTo((Bench, (Sid?)null, (Acl?)null, false)));
        var none = sd.Select(0);
        Assert.That(none.Size, Is.EqualTo(SecurityDescriptor.HeaderSize));
        Assert.That(none.Control, Is.EqualTo(SecurityDescriptorControl.SelfRelative));
    }

    [TestCase("S-1-1-0")]
    [TestCase("S-1-5-32-544")]
    [TestCase("S-1-22-1-1000")]
    [TestCase("S-1-0x123456789ABC-7")]
    public void Sid_StringForm_RoundTrips(string text)
    {
        var sid = Sid.Parse(text);
        Assert.That(sid.ToString(), Is.EqualTo(text));
        Assert.That(Sid.TryRead(sid.ToBytes(), out var read, out int length), Is.True);
        Assert.That((read, length), Is.EqualTo((sid, sid.BinaryLength)));
    }

    [TestCase("")]
    [TestCase("S-1")]
    [TestCase("S-2-5-32")]
    [TestCase("S-1-5-x")]
    [TestCase("S-1-281474976710656-1")]
    public void Sid_BadStrings_Rejected(string text) => Assert.That(Sid.TryParse(text, out _), Is.False);

    [Test]
    public void Sid_UnixIds_MapBothWays()
    {
        Assert.That(Sid.UnixUser(1000).TryGetUnixUser(out uint uid) && uid == 1000, Is.True);
        Assert.That(Sid.UnixGroup(100).TryGetUnixGroup(out uint gid) && gid == 100, Is.True);
        Assert.That(Sid.UnixGroup(100).TryGetUnixUser(out _), Is.False);
    }
}
