using FastSmb.Control.Config;
using FastSmb.Control.Identity;
using FastSmb.Control.Shares;
using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Control.Smb2;

/// <summary>
/// [MS-SMB2] 3.3.5.7 TREE_CONNECT and 3.3.5.8 TREE_DISCONNECT: maps "\\server\share" to a configured share
/// and applies its "valid users" / "guest ok" (<see cref="ShareAccess"/>), and on a disk share decides the Unix
/// identity its file calls run as ("force user", "force group") and the modes of new files ("create mask",
/// "directory mask"). Stateless; thread-safe.
/// </summary>
public sealed class TreeConnectHandler(IShareRegistry shares, IGroupMembership groups, FsaVolumeRegistry volumes,
    UnixIdentityResolver? identities = null, IControlLog? log = null)
{
    /// <summary>GENERIC_ALL as FILE_* bits: what an authenticated user may do until ACLs arrive.</summary>
    private const uint FullAccess = (uint)AccessMask.FileAllAccess;

    /// <summary>What a "read only = yes" share grants at most: everything but the modifying rights.</summary>
    private const uint ReadOnlyAccess = (uint)(AccessMask.FileAllAccess & ~AccessMask.Modifying);

    /// <summary>[MS-SMB2] 2.2.10 SMB2_SHAREFLAG_ENCRYPT_DATA.</summary>
    private const uint ShareFlagEncryptData = 0x00008000;
    /// <summary>[MS-SMB2] 2.2.10 SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY.</summary>
    private const uint ShareCapContinuousAvailability = 0x00000010;

    public NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!TreeConnectRequest.TryParse(request.Message, out var connect)) return NtStatus.InvalidParameter;
        string path = connect.Path;
        // "\\server\share": the share is what follows the last backslash after the server name.
        if (!path.StartsWith(@"\\", StringComparison.Ordinal)) return NtStatus.BadNetworkName;
        int slash = path.IndexOf('\\', 2);
        if (slash < 0 || slash == path.Length - 1) return NtStatus.BadNetworkName;
        string shareName = path[(slash + 1)..];
        if (shareName.Contains('\\') || !shares.TryGet(shareName, out var share)) return NtStatus.BadNetworkName;

        var session = request.Session!;
        // Everyone, anonymous included, reaches IPC$ (Samba with "restrict anonymous = 0", Windows); a disk share
        // admits whom its "valid users" / "guest ok" name. [MS-SMB2] 3.3.5.7: "If the user is not allowed to
        // access the share, the server MUST fail the request with STATUS_ACCESS_DENIED."
        if (!share.IsIpc && !share.Access.Allows(session.UserName, session.IsAnonymous || session.IsGuest, groups))
            return NtStatus.AccessDenied;

        // [MS-SMB2] 3.3.5.7: a share with EncryptData is refused to a session that cannot encrypt (2.x dialects, no
        // common cipher, no session key) when plain text is rejected ("required"); "desired" only asks.
        uint shareFlags = 0;
        bool canEncrypt = session.Encryptor is not null;
        if (share.Encrypt == EncryptionPolicy.Required && !canEncrypt) return NtStatus.AccessDenied;
        if (share.Encrypt is EncryptionPolicy.Required or EncryptionPolicy.Desired && canEncrypt)
            shareFlags |= ShareFlagEncryptData;

        // The identity every file call on the tree runs as. Without one a root server would act as root for the user,
        // so the tree is refused, as Samba refuses a user without a Unix account; the log says why.
        Datapath.Identity.UnixIdentity? unixIdentity = null;
        if (!share.IsIpc && identities is not null)
        {
            string reason = "";
            if (session.UnixIdentity is null
                && identities.TryResolve(session.UserName, session.IsAnonymous || session.IsGuest, out var late, out reason))
                session.UnixIdentity = late; // the account was created since logon
            if (session.UnixIdentity is null && string.IsNullOrEmpty(share.ForceUser))
            {
                log?.IdentityRefused(session.UserName, share.Name, reason);
                return NtStatus.AccessDenied;
            }
            if (!identities.TryForce(session.UnixIdentity, share.ForceUser, share.ForceGroup, out unixIdentity, out reason))
            {
                log?.IdentityRefused(session.UserName, share.Name, reason);
                return NtStatus.AccessDenied;
            }
        }

        // A disk share whose directory cannot be opened (missing, not a directory) is refused as Samba refuses it:
        // STATUS_BAD_NETWORK_NAME, the answer for a share that is not there.
        IFsaVolume? volume = null;
        if (!share.IsIpc && volumes.GetOrOpen(share.Path, out volume) != NtStatus.Success) return NtStatus.BadNetworkName;

        uint maximalAccess = share.ReadOnly ? ReadOnlyAccess : FullAccess;
        var tree = session.AddTree(share.Name, share.IsIpc, share);
        tree.MaximalAccess = maximalAccess;
        tree.Volume = volume;
        tree.ReadOnly = share.ReadOnly;
        tree.DurableHandles = share.DurableHandles;
        tree.KernelChangeNotify = share.KernelChangeNotify;
        tree.KernelOplocks = share.KernelOplocks;
        // [MS-SMB2] 3.3.5.7: a CA share is continuously available to 3.x dialects only.
        tree.ContinuouslyAvailable = share.ContinuouslyAvailable && !share.IsIpc && request.Connection.Dialect.IsSmb3();
        tree.UnixIdentity = unixIdentity;
        if (!share.IsIpc)
        {
            // Samba's rule: a new file may have rw for everyone (0666), a directory rwx (0777), within the masks.
            tree.FileCreateMode = 0x1B6 /* 0666 */ & share.CreateMask;
            tree.DirectoryCreateMode = 0x1FF /* 0777 */ & share.DirectoryMask;
        }
        tree.EncryptData = share.Encrypt == EncryptionPolicy.Required;
        request.ResponseTreeId = tree.TreeId;
        byte shareType = share.IsIpc ? Smb2ShareType.Pipe : Smb2ShareType.Disk;
        response.Advance(TreeConnectResponse.Write(response.GetBodySpan(16), shareType, shareFlags,
            tree.ContinuouslyAvailable ? ShareCapContinuousAvailability : 0u, maximalAccess));
        return NtStatus.Success;
    }

    public NtStatus HandleDisconnect(ref Smb2Request request, ResponseBuffer response)
    {
        var tree = request.Tree!;
        if (request.Session!.RemoveTree(tree.TreeId, out _)) tree.CloseAll();
        response.Advance(TreeDisconnectResponse.Write(response.GetBodySpan(4)));
        return NtStatus.Success;
    }
}
