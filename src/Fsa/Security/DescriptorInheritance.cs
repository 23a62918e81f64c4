using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Fsa.Security;

/// <summary>
/// [MS-DTYP] 2.5.3.4 CreateSecurityDescriptor and 2.5.3.4.2 ComputeACL for a new file or directory: the creator's
/// own DACL when it gave one (a SecD create context), else the ACEs the parent's DACL passes down, with CREATOR OWNER
/// and CREATOR GROUP replaced by the new owner and group and generic rights mapped in the effective copy. Pure
/// functions.
/// </summary>
public static class DescriptorInheritance
{
    /// <summary>
    /// The descriptor of a new object, or null when neither the creator nor the parent gives it anything (the caller
    /// then keeps none and shows the one made from the POSIX mode, as Windows shows the token's default DACL). A
    /// descriptor without DACL_PRESENT (a creator that gave only an owner) takes its DACL from the mode the same way.
    /// </summary>
    public static SecurityDescriptor? ForNewObject(SecurityDescriptor? parent, SecurityDescriptor? creator, bool isContainer,
        AccessToken token)
    {
        var owner = creator?.Owner ?? token.User;
        var group = creator?.Group ?? token.PrimaryGroup;
        var control = SecurityDescriptorControl.SelfRelative;
        Acl? dacl = null;
        if (creator is { DaclPresent: true })
        {
            // 2.5.3.4.1: an explicit DACL is used as given (inheritance only merges with auto-inherit requests,
            // which an SMB create never makes); a NULL DACL stays NULL.
            control |= SecurityDescriptorControl.DaclPresent
                | (creator.Control & (SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInherited));
            dacl = creator.Dacl is null ? null : MapGenericRights(creator.Dacl);
        }
        else if (parent is { DaclPresent: true, Dacl: { } parentDacl })
        {
            // 2.5.3.4.1: the child is marked auto-inherited, and its inherited ACEs INHERITED_ACE, when its parent is
            // (smb2.acls INHERITFLAGS: Windows sets neither under a parent that is not).
            bool autoInherited = (parent.Control & SecurityDescriptorControl.DaclAutoInherited) != 0;
            var inherited = InheritedAces(parentDacl, isContainer, owner, group, autoInherited);
            control |= SecurityDescriptorControl.DaclPresent;
            if (inherited.Count > 0)
            {
                if (autoInherited) control |= SecurityDescriptorControl.DaclAutoInherited;
                dacl = new Acl(inherited);
            }
            else
            {
                // Nothing to inherit: Windows gives the token's default DACL, full control to the owner and SYSTEM.
                dacl = new Acl([
                    new Ace(AceType.AccessAllowed, AceFlags.None, (uint)AccessMask.FileAllAccess, owner),
                    new Ace(AceType.AccessAllowed, AceFlags.None, (uint)AccessMask.FileAllAccess, Sid.LocalSystem)]);
            }
        }
        if (dacl is null && (control & SecurityDescriptorControl.DaclPresent) == 0 && creator is null) return null;
        Acl? sacl = creator is { SaclPresent: true } ? creator.Sacl : null;
        if (sacl is not null) control |= SecurityDescriptorControl.SaclPresent;
        return new SecurityDescriptor(control, owner, group, sacl, dacl);
    }

    /// <summary>2.5.3.4.2 ComputeACL with the parent's ACL: the ACEs a child of that kind inherits, in order.</summary>
    public static List<Ace> InheritedAces(Acl parentAcl, bool isContainer, Sid owner, Sid group, bool autoInherited)
    {
        var inheritedFlag = autoInherited ? AceFlags.Inherited : AceFlags.None;
        var result = new List<Ace>();
        foreach (var ace in parentAcl.Aces)
        {
            var flags = ace.Flags;
            bool objectInherit = (flags & AceFlags.ObjectInherit) != 0;
            bool containerInherit = (flags & AceFlags.ContainerInherit) != 0;
            bool noPropagate = (flags & AceFlags.NoPropagateInherit) != 0;
            if (!isContainer)
            {
                if (!objectInherit) continue;
                result.Add(Effective(ace, owner, group, inheritedFlag));
                continue;
            }
            if (containerInherit)
            {
                var effective = Effective(ace, owner, group, inheritedFlag);
                if (noPropagate)
                {
                    result.Add(effective);
                    continue;
                }
                // Still inheritable: when the effective copy differs (a CREATOR SID replaced, generic rights mapped),
                // the child keeps both; otherwise one ACE does both jobs.
                var inheritable = ace with { Flags = (flags & ~(AceFlags.InheritOnly | AceFlags.Inherited)) | inheritedFlag };
                if (effective.Sid.Equals(ace.Sid) && effective.Mask == ace.Mask)
                {
                    result.Add(inheritable);
                }
                else
                {
                    result.Add(effective);
                    result.Add(inheritable with { Flags = inheritable.Flags | AceFlags.InheritOnly });
                }
            }
            else if (objectInherit && !noPropagate)
            {
                // Passed on to the files below only: inherit-only on the directory itself.
                result.Add(ace with { Flags = (flags & ~AceFlags.Inherited) | AceFlags.InheritOnly | inheritedFlag });
            }
        }
        return result;
    }

    private static Ace Effective(Ace ace, Sid owner, Sid group, AceFlags inheritedFlag)
    {
        var sid = ace.Sid.Equals(Sid.CreatorOwner) ? owner : ace.Sid.Equals(Sid.CreatorGroup) ? group : ace.Sid;
        return ace with
        {
            Flags = (ace.Flags & ~(AceFlags.InheritanceFlags | AceFlags.Inherited)) | inheritedFlag,
            Mask = (uint)AccessMasks.MapGeneric((AccessMask)ace.Mask),
            Sid = sid,
        };
    }

    /// <summary>Generic rights in the ACEs of a DACL a client sets become the file rights they stand for, as Windows
    /// stores them (smb2.acls GENERIC); inherit-only ACEs keep theirs for the children.</summary>
    public static Acl MapGenericRights(Acl acl)
    {
        bool any = false;
        foreach (var ace in acl.Aces)
            if (!ace.IsInheritOnly && (ace.Mask & 0xF0000000) != 0) any = true;
        if (!any) return acl;
        return new Acl(acl.Revision, [.. acl.Aces.Select(a => a.IsInheritOnly ? a
            : a with { Mask = (uint)AccessMasks.MapGeneric((AccessMask)a.Mask) })]);
    }
}
