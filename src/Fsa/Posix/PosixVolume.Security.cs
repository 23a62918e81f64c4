using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FastSmb.Fsa.Security;
using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Fsa.Posix;

/// <summary>
/// Security descriptors on the POSIX backend (docs/security.md). A file's NT ACL is kept in the xattr
/// <see cref="NtAclXattr"/>: an 8-byte header ("FSSD", version 1, where 0 = the descriptor follows inline, 1 = it is in
/// the share's side directory) and a self-relative [MS-DTYP] 2.4.6 descriptor. Descriptors above
/// <see cref="DescriptorInlineLimit"/> go to <c>.streams/ntacl/&lt;inode&gt;-&lt;birth time&gt;</c> (ext4 gives all the
/// xattrs of a file about 4 KiB), the xattr then holding the header alone. A file with none shows the descriptor
/// made from its mode (<see cref="PosixDescriptor"/>), and a stored one without a DACL (DACL_PRESENT clear) takes that
/// descriptor's. Not Samba's security.NTACL (an NDR xattr_NTACL with a hash of the POSIX ACL, in a namespace only
/// root may write): a share moved between the two servers keeps its DOS attributes but not its NT ACLs.
/// </summary>
public sealed partial class PosixVolume
{
    public const string NtAclXattr = "user.FastSmb.NTACL";
    private const string AclDepotName = StreamDepotName + "/ntacl";
    private const uint Magic = 0x44535346; // "FSSD" little-endian
    private const byte FormatVersion = 1, InlineKind = 0, DepotKind = 1;
    private const int StoredHeader = 8;

    /// <summary>The largest descriptor kept in the xattr; larger ones go to the side directory. Set before use.</summary>
    public int DescriptorInlineLimit { get; set; } = 2048;

    /// <summary>[MS-FSA] 2.1.5.13 Query Security Information: the file's descriptor (stored, or made from its mode).</summary>
    public NtStatus QuerySecurity(FsaOpen open, out SecurityDescriptor descriptor)
    {
        var o = (PosixOpen)open;
        if (o.Node?.Descriptor is { } cached)
        {
            descriptor = cached;
            return NtStatus.Success;
        }
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0)
        {
            descriptor = null!;
            return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        }
        descriptor = LoadDescriptor(o.Fd, st, out _);
        if (o.Node is not null) o.Node.Descriptor = descriptor;
        return NtStatus.Success;
    }

    /// <summary>
    /// [MS-FSA] 2.1.5.16 Server Requests Setting of Security Information: replaces the parts
    /// <paramref name="securityInformation"/> names (the caller checked the open's access). An owner must be a SID of
    /// <paramref name="token"/> (no FastSmb user holds SeRestorePrivilege): STATUS_INVALID_OWNER otherwise. DACL
    /// information without a DACL sets a NULL DACL; generic rights in its ACEs are stored mapped.
    /// </summary>
    public NtStatus SetSecurity(FsaOpen open, uint securityInformation, SecurityDescriptor update, AccessToken? token)
    {
        const uint owner = 1, group = 2, dacl = 4, sacl = 8;
        var o = (PosixOpen)open;
        int errno = PathResolver.StatFd(o.Fd, out var st);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Lookup, errno);
        var current = LoadDescriptor(o.Fd, st, out _);
        var control = current.Control;
        Sid? newOwner = current.Owner, newGroup = current.Group;
        Acl? newDacl = current.Dacl, newSacl = current.Sacl;
        if ((securityInformation & owner) != 0)
        {
            if (update.Owner is null) return NtStatus.InvalidOwner;
            if (token is not null && !token.Contains(update.Owner) && !update.Owner.Equals(current.Owner)) return NtStatus.InvalidOwner;
            newOwner = update.Owner;
        }
        if ((securityInformation & group) != 0)
        {
            if (update.Group is null) return NtStatus.InvalidPrimaryGroup;
            newGroup = update.Group;
        }
        if ((securityInformation & dacl) != 0)
        {
            // smb2.acls INHERITFLAGS, as Windows: PROTECTED is kept; AUTO_INHERITED only when the caller also sets
            // AUTO_INHERIT_REQ, which itself is never stored.
            const SecurityDescriptorControl daclBits = SecurityDescriptorControl.DaclProtected
                | SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclDefaulted
                | SecurityDescriptorControl.DaclComputedInheritanceRequired;
            var requested = update.Control & (SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclDefaulted);
            if ((update.Control & (SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclComputedInheritanceRequired))
                == (SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclComputedInheritanceRequired))
                requested |= SecurityDescriptorControl.DaclAutoInherited;
            control = (control & ~daclBits) | requested | SecurityDescriptorControl.DaclPresent;
            newDacl = update.DaclPresent && update.Dacl is not null ? DescriptorInheritance.MapGenericRights(update.Dacl) : null;
        }
        if ((securityInformation & sacl) != 0)
        {
            const SecurityDescriptorControl saclBits = SecurityDescriptorControl.SaclProtected
                | SecurityDescriptorControl.SaclAutoInherited | SecurityDescriptorControl.SaclDefaulted;
            control = (control & ~saclBits) | (update.Control & saclBits);
            if (update.SaclPresent) control |= SecurityDescriptorControl.SaclPresent;
            else control &= ~SecurityDescriptorControl.SaclPresent;
            newSacl = update.SaclPresent ? update.Sacl : null;
        }
        var merged = new SecurityDescriptor(control | SecurityDescriptorControl.SelfRelative, newOwner, newGroup, newSacl, newDacl);
        errno = StoreDescriptor(o.Fd, st, merged);
        if (errno != 0) return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
        if (o.Node is not null) o.Node.Descriptor = merged;
        return NtStatus.Success;
    }

    /// <summary>The file's effective descriptor: the stored one (its missing DACL filled from the mode) or the one made
    /// from the mode. A stored value that does not parse is ignored, as DOSATTRIB's are.</summary>
    internal SecurityDescriptor LoadDescriptor(SafeHandle fd, in Libc.Statx st, out bool stored)
    {
        stored = false;
        if (Xattrs.Get(fd, NtAclXattr, out var value) != 0 || value is null
            || !TryDecodeStored(value, st, out var descriptor))
            return PosixDescriptor.FromMode(st.Uid, st.Gid, st.Mode & 0xFFFu, st.IsDirectory);
        stored = true;
        if (descriptor.DaclPresent) return descriptor;
        var synthesized = PosixDescriptor.FromMode(st.Uid, st.Gid, st.Mode & 0xFFFu, st.IsDirectory);
        return descriptor with
        {
            Control = descriptor.Control | SecurityDescriptorControl.DaclPresent,
            Dacl = synthesized.Dacl,
            Owner = descriptor.Owner ?? synthesized.Owner,
            Group = descriptor.Group ?? synthesized.Group,
        };
    }

    private bool TryDecodeStored(ReadOnlySpan<byte> value, in Libc.Statx st, out SecurityDescriptor descriptor)
    {
        descriptor = null!;
        if (value.Length < StoredHeader || BinaryPrimitives.ReadUInt32LittleEndian(value) != Magic || value[4] != FormatVersion)
            return false;
        if (value[5] == InlineKind) return SecurityDescriptor.TryParse(value[StoredHeader..], out descriptor);
        if (value[5] != DepotKind) return false;
        if (_paths.Open(AclDepotPath(st), Libc.O_RDONLY, 0, out var depotFd) != 0) return false;
        using (depotFd)
        {
            if (PathResolver.StatFd(depotFd!, out var dst) != 0 || dst.Size > 1 << 20) return false;
            var content = new byte[dst.Size];
            if (PreadAll(depotFd!, content, 0, out int n) != 0 || n != content.Length) return false;
            return content.Length >= StoredHeader && content[5] == InlineKind
                && BinaryPrimitives.ReadUInt32LittleEndian(content) == Magic
                && SecurityDescriptor.TryParse(content.AsSpan(StoredHeader), out descriptor);
        }
    }

    /// <summary>Stores <paramref name="descriptor"/> as the file's NT ACL: in the xattr while it is small and the file
    /// system takes it, else in the side directory. Returns 0 or the errno.</summary>
    internal int StoreDescriptor(SafeHandle fd, in Libc.Statx st, SecurityDescriptor descriptor)
    {
        int size = descriptor.Size;
        var encoded = new byte[StoredHeader + size];
        BinaryPrimitives.WriteUInt32LittleEndian(encoded, Magic);
        encoded[4] = FormatVersion;
        encoded[5] = InlineKind;
        descriptor.Write(encoded.AsSpan(StoredHeader));
        int errno = size <= DescriptorInlineLimit ? Xattrs.Set(fd, NtAclXattr, encoded) : Libc.E2BIG;
        if (errno == 0)
        {
            RemoveAclDepot(st);
            return 0;
        }
        if (errno is not (Libc.E2BIG or Libc.ENOSPC)) return errno;
        errno = WriteAclDepot(st, encoded);
        if (errno != 0) return errno;
        var pointer = encoded.AsSpan(0, StoredHeader).ToArray();
        pointer[5] = DepotKind;
        return Xattrs.Set(fd, NtAclXattr, pointer);
    }

    private static string AclDepotPath(in Libc.Statx st) => $"{AclDepotName}/{DepotPath(st)[(StreamDepotName.Length + 1)..]}";

    private int WriteAclDepot(in Libc.Statx st, ReadOnlySpan<byte> data) =>
        WriteSideFile([StreamDepotName, AclDepotName], AclDepotPath(st), data, exclusive: false);

    /// <summary>The file's descriptor no longer lives in the side directory (it shrank, or the file is going).</summary>
    private void RemoveAclDepot(in Libc.Statx st) => UnlinkInRoot(AclDepotPath(st), 0);
}

/// <summary>The access checks of CREATE against NT ACLs ([MS-FSA] 2.1.5.1.1 and 2.1.5.1.2.1), for PosixVolume.Open.</summary>
public sealed partial class PosixVolume
{
    /// <summary>
    /// [MS-FSA] 2.1.5.1.2.1 Algorithm to Check Access to an Existing File: the DACL must grant what the open asks for
    /// (all it grants, for MAXIMUM_ALLOWED); DELETE may come from the parent's FILE_DELETE_CHILD and
    /// FILE_READ_ATTRIBUTES from its FILE_LIST_DIRECTORY. Narrows <paramref name="granted"/> to what the DACL allows
    /// and records the maximal access (the MxAc answer) on the open to be.
    /// </summary>
    private NtStatus CheckExistingAccess(in FsaOpenRequest request, SafeHandle fd, in Libc.Statx st, string parentPath,
        bool isRoot, ref AccessMask granted, out AccessMask maximal)
    {
        var token = request.Token!;
        var descriptor = LoadDescriptor(fd, st, out _);
        var allowed = FileAccessCheck.MaximumAllowed(descriptor, token);
        bool wantMaximum = (request.DesiredAccess & AccessMask.MaximumAllowed) != 0;
        var desired = AccessMasks.MapGeneric(request.DesiredAccess) & ~AccessMask.MaximumAllowed;
        const AccessMask fromParent = AccessMask.Delete | AccessMask.ReadAttributes;
        var missing = (wantMaximum || request.QueryMaximalAccess ? fromParent : desired) & fromParent & ~allowed;
        if (missing != 0 && !isRoot)
        {
            var parentAllowed = ParentAccess(parentPath, token);
            if ((parentAllowed & AccessMask.DeleteChild) != 0) allowed |= AccessMask.Delete;
            if ((parentAllowed & AccessMask.ReadData) != 0) allowed |= AccessMask.ReadAttributes;
        }
        maximal = allowed;
        if ((desired & ~allowed) != 0) return NtStatus.AccessDenied;
        // Overwriting or superseding replaces the data: the DACL must allow writing it, whatever was asked for
        // (smb2.acls OVERWRITE_READ_ONLY_FILE, as Samba and Windows).
        if (request.Disposition is CreateDisposition.Overwrite or CreateDisposition.OverwriteIf or CreateDisposition.Supersede
            && (allowed & AccessMask.WriteData) == 0)
            return NtStatus.AccessDenied;
        granted &= allowed | desired;
        return NtStatus.Success;
    }

    /// <summary>
    /// [MS-FSA] 2.1.5.1.1 Creation of a New File: the parent must grant FILE_ADD_FILE (FILE_ADD_SUBDIRECTORY for a
    /// directory); the new object's descriptor is the creator's (SecD) or what the parent passes down
    /// ([MS-DTYP] 2.5.3.4), null when neither gives one.
    /// </summary>
    private NtStatus CheckCreateAccess(in FsaOpenRequest request, string parentPath, bool directory,
        out SecurityDescriptor? newDescriptor)
    {
        newDescriptor = null;
        var token = request.Token!;
        var parent = LoadParentDescriptor(parentPath, out bool stored);
        if (parent is null) return NtStatus.Success; // the kernel decides, as before NT ACLs
        var need = directory ? AccessMask.AppendData : AccessMask.WriteData;
        if ((FileAccessCheck.MaximumAllowed(parent, token) & need) == 0) return NtStatus.AccessDenied;
        newDescriptor = DescriptorInheritance.ForNewObject(stored ? parent : null, request.SecurityDescriptor, directory, token);
        return NtStatus.Success;
    }

    /// <summary>Stores the descriptor of a file the open just created (a failure undoes nothing: the file keeps the
    /// descriptor its mode gives, as when a file system takes no xattrs).</summary>
    private NtStatus StoreNewDescriptor(PosixOpen open, SecurityDescriptor descriptor)
    {
        int errno = PathResolver.StatFd(open.Fd, out var st);
        if (errno == 0) errno = StoreDescriptor(open.Fd, st, descriptor);
        if (errno is 0 or Libc.EOPNOTSUPP) return NtStatus.Success;
        return ErrnoMap.ToStatus(FsOperation.Xattr, errno);
    }

    /// <summary>A MAXIMUM_ALLOWED open that asked for no write right by name, opening read-write without truncating.</summary>
    private static bool IsMaximumWithoutWrite(in FsaOpenRequest request, int flags, bool truncate) =>
        (request.DesiredAccess & AccessMask.MaximumAllowed) != 0 && !truncate && (flags & Libc.O_RDWR) != 0
        && (AccessMasks.MapGeneric(request.DesiredAccess) & (AccessMask.WriteData | AccessMask.AppendData)) == 0;

    private AccessMask ParentAccess(string parentPath, AccessToken token)
    {
        var parent = LoadParentDescriptor(parentPath, out _);
        return parent is null ? AccessMask.None : FileAccessCheck.MaximumAllowed(parent, token);
    }

    private SecurityDescriptor? LoadParentDescriptor(string parentPath, out bool stored)
    {
        stored = false;
        if (_paths.Open(parentPath, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out var dir) != 0) return null;
        using (dir)
            return PathResolver.StatFd(dir!, out var st) == 0 ? LoadDescriptor(dir!, st, out stored) : null;
    }
}
