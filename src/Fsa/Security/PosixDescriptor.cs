using System.Collections.Concurrent;
using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Fsa.Security;

/// <summary>
/// The descriptor of a file that has none stored, made from its POSIX owner, group and mode as Samba does when no
/// NT ACL is kept: the owner S-1-22-1-uid with full control (the kernel still applies the mode underneath, since file
/// calls run as the user), the group S-1-22-2-gid and Everyone with the rights their mode bits give. Nothing is
/// inheritable, so files created below such a directory keep a made-up descriptor too. Thread-safe.
/// </summary>
public static class PosixDescriptor
{
    private const AccessMask Read = AccessMask.ReadData | AccessMask.ReadEa | AccessMask.ReadAttributes
        | AccessMask.ReadControl | AccessMask.Synchronize;
    private const AccessMask Write = AccessMask.WriteData | AccessMask.AppendData | AccessMask.WriteEa
        | AccessMask.WriteAttributes | AccessMask.Synchronize;
    private const AccessMask Execute = AccessMask.Execute | AccessMask.ReadAttributes | AccessMask.Synchronize;

    /// <summary>The descriptors made so far, by owner, group, mode and kind: a share has few distinct ones, and an open
    /// of a file without a stored descriptor then allocates nothing. Emptied when it grows past a few thousand.</summary>
    private static readonly ConcurrentDictionary<(uint Uid, uint Gid, uint Mode, bool Directory), SecurityDescriptor> s_made = new();
    private const int MaxRemembered = 4096;

    public static SecurityDescriptor FromMode(uint uid, uint gid, uint mode, bool isDirectory)
    {
        var key = (uid, gid, mode & 0x1FF, isDirectory);
        if (s_made.TryGetValue(key, out var made)) return made;
        if (s_made.Count >= MaxRemembered) s_made.Clear();
        return s_made.GetOrAdd(key, k => Make(k.Uid, k.Gid, k.Mode, k.Directory));
    }

    private static SecurityDescriptor Make(uint uid, uint gid, uint mode, bool isDirectory)
    {
        var aces = new List<Ace>(3)
        {
            new(AceType.AccessAllowed, AceFlags.None, (uint)AccessMask.FileAllAccess, Sid.UnixUser(uid)),
        };
        var groupRights = Rights((mode >> 3) & 7, isDirectory);
        if (groupRights != 0) aces.Add(new Ace(AceType.AccessAllowed, AceFlags.None, (uint)groupRights, Sid.UnixGroup(gid)));
        var otherRights = Rights(mode & 7, isDirectory);
        if (otherRights != 0) aces.Add(new Ace(AceType.AccessAllowed, AceFlags.None, (uint)otherRights, Sid.Everyone));
        return new SecurityDescriptor(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent,
            Sid.UnixUser(uid), Sid.UnixGroup(gid), null, new Acl(aces));
    }

    /// <summary>rwx as Samba maps them: all three are full control; w on a directory also deletes its children.</summary>
    private static AccessMask Rights(uint rwx, bool isDirectory)
    {
        if (rwx == 7) return AccessMask.FileAllAccess;
        var rights = AccessMask.None;
        if ((rwx & 4) != 0) rights |= Read;
        if ((rwx & 2) != 0) rights |= Write | (isDirectory ? AccessMask.DeleteChild : 0);
        if ((rwx & 1) != 0) rights |= Execute;
        return rights;
    }
}
