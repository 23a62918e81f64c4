using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Fsa.Security;

/// <summary>
/// [MS-DTYP] 2.5.3.2 Access Check Algorithm Pseudocode for a file's DACL, in its MAXIMUM_ALLOWED form: one pass over
/// the ACEs computes every right the token is granted, and a request succeeds when it asks for nothing else. That is
/// the same answer the pseudocode gives for any desired mask (a right is granted when an allow ACE for it comes
/// before any deny ACE for it), so CREATE, MAXIMUM_ALLOWED and the MxAc context share one evaluation. No
/// allocation. Stateless.
/// </summary>
public static class FileAccessCheck
{
    /// <summary>What the owner holds without an ACE for it, unless the DACL has an OWNER RIGHTS ACE (2.5.3.2).</summary>
    public const AccessMask OwnerImplicit = AccessMask.ReadControl | AccessMask.WriteDac;

    /// <summary>
    /// The rights <paramref name="descriptor"/> grants <paramref name="token"/>. No DACL (a NULL DACL, or none
    /// present) grants everything; an empty DACL nothing but the owner's implicit rights.
    /// </summary>
    public static AccessMask MaximumAllowed(SecurityDescriptor descriptor, AccessToken token)
    {
        var dacl = descriptor.Dacl;
        if (!descriptor.DaclPresent || dacl is null) return AccessMask.FileAllAccess;
        bool isOwner = descriptor.Owner is not null && token.Contains(descriptor.Owner);
        // 2.5.3.2: OWNER RIGHTS (S-1-3-4) in the DACL replaces the owner's implicit READ_CONTROL | WRITE_DAC.
        bool ownerRightsAce = false;
        var aces = dacl.Aces;
        for (int i = 0; i < aces.Count; i++)
            if (!aces[i].IsInheritOnly && aces[i].Sid.Equals(Sid.OwnerRights)) ownerRightsAce = true;

        uint granted = isOwner && !ownerRightsAce ? (uint)OwnerImplicit : 0, denied = 0;
        for (int i = 0; i < aces.Count; i++)
        {
            var ace = aces[i];
            if (ace.IsInheritOnly) continue;
            bool applies = token.Contains(ace.Sid) || (isOwner && ace.Sid.Equals(Sid.OwnerRights));
            if (!applies) continue;
            uint mask = (uint)AccessMasks.MapGeneric((AccessMask)ace.Mask);
            switch (ace.Type)
            {
                case AceType.AccessAllowed:
                case AceType.AccessAllowedObject:
                    granted |= mask & ~denied;
                    break;
                case AceType.AccessDenied:
                case AceType.AccessDeniedObject:
                // A conditional deny whose condition cannot be evaluated applies (2.5.3.2: "deny ACEs ... are
                // evaluated as if the condition were TRUE" when unknown); a conditional allow does not.
                case AceType.AccessDeniedCallback:
                case AceType.AccessDeniedCallbackObject:
                    denied |= mask & ~granted;
                    break;
            }
        }
        return (AccessMask)granted & ~AccessMask.MaximumAllowed;
    }
}
