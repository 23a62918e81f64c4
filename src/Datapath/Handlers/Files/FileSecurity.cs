using System.Buffers.Binary;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Security.Descriptors;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// SMB2_0_INFO_SECURITY for QUERY_INFO ([MS-SMB2] 3.3.5.20.3, [MS-FSA] 2.1.5.14) and SET_INFO ([MS-SMB2] 3.3.5.21.3,
/// [MS-FSA] 2.1.5.17): the access the open needs for the parts named in AdditionalInformation, then the FSA's
/// descriptor. Stateless.
/// </summary>
internal static class FileSecurity
{
    private const uint Owner = SecurityInformation.Owner, Group = SecurityInformation.Group, Dacl = SecurityInformation.Dacl,
        Sacl = SecurityInformation.Sacl, Label = SecurityInformation.Label, Attribute = SecurityInformation.Attribute,
        Scope = SecurityInformation.Scope;

    /// <summary>
    /// QUERY_INFO: READ_CONTROL for the owner, group, DACL and label; ACCESS_SYSTEM_SECURITY for the SACL. A
    /// descriptor larger than the output buffer is STATUS_BUFFER_TOO_SMALL with the size it needs as ErrorData.
    /// </summary>
    public static NtStatus Query(FsaOpen file, uint additionalInformation, Span<byte> dest, ResponseBuffer response,
        out int written)
    {
        written = 0;
        if ((additionalInformation & (Sacl | Scope)) != 0 && (file.GrantedAccess & AccessMask.AccessSystemSecurity) == 0)
            return NtStatus.AccessDenied;
        if ((additionalInformation & (Owner | Group | Dacl | Label | Attribute)) != 0
            && (file.GrantedAccess & AccessMask.ReadControl) == 0)
            return NtStatus.AccessDenied;
        var status = file.Volume.QuerySecurity(file, out var whole);
        if (status != NtStatus.Success) return status;
        var descriptor = whole.Select(additionalInformation);
        int needed = descriptor.Size;
        if (needed > dest.Length)
        {
            // [MS-SMB2] 3.3.5.20.3: the error response's ErrorData is the size the descriptor needs.
            var error = response.GetBodySpan(16);
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)needed);
            response.Advance(ErrorResponse.Write(error, size));
            return NtStatus.BufferTooSmall;
        }
        written = descriptor.Write(dest);
        return NtStatus.Success;
    }

    /// <summary>SET_INFO: WRITE_OWNER for the owner, group and label, WRITE_DAC for the DACL, ACCESS_SYSTEM_SECURITY
    /// for the SACL; a buffer that is not a self-relative descriptor is STATUS_INVALID_SECURITY_DESCR.</summary>
    public static NtStatus Set(TreeConnect tree, FsaOpen file, uint additionalInformation, ReadOnlySpan<byte> buffer)
    {
        var granted = file.GrantedAccess;
        if ((additionalInformation & (Sacl | Scope)) != 0 && (granted & AccessMask.AccessSystemSecurity) == 0)
            return NtStatus.AccessDenied;
        if ((additionalInformation & Dacl) != 0 && (granted & AccessMask.WriteDac) == 0) return NtStatus.AccessDenied;
        if ((additionalInformation & (Owner | Group | Label)) != 0 && (granted & AccessMask.WriteOwner) == 0)
            return NtStatus.AccessDenied;
        if (!SecurityDescriptor.TryParse(buffer, out var descriptor)) return NtStatus.InvalidSecurityDescr;
        // [MS-SMB2] 3.3.5.21.3: flags the section does not define are ignored; nothing to set is success.
        uint parts = additionalInformation & (Owner | Group | Dacl | Sacl);
        if (parts == 0) return NtStatus.Success;
        if (tree.ReadOnly) return NtStatus.AccessDenied;
        return file.Volume.SetSecurity(file, parts, descriptor, tree.AccessToken);
    }
}
