using System.Buffers.Binary;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.9 SMB2 CREATE on a disk share: the FSA opens or creates the file (with the EAs of an ExtA
/// context); the response carries its metadata and answers the MxAc (maximal access) and QFid (on-disk id) create
/// contexts. Other contexts (leases, durable handles, security descriptors, timewarp) are ignored for now: no
/// oplock or lease is ever granted. Files are created as the server's user until identity mapping applies the
/// session user's. Stateless.
/// </summary>
internal static class CreateHandler
{
    private const uint ImpersonationDelegate = 3;

    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!CreateRequest.TryParse(request.Message, out var create)) return NtStatus.InvalidParameter;
        var tree = request.Tree!;
        // [MS-SMB2] 3.3.5.9: "If ImpersonationLevel is not one of the valid values ... STATUS_BAD_IMPERSONATION_LEVEL".
        if (create.ImpersonationLevel > ImpersonationDelegate) return NtStatus.BadImpersonationLevel;
        var options = (CreateOptions)create.CreateOptions;
        if ((options & CreateOptions.OpenByFileId) != 0) return NtStatus.NotSupported;

        // [MS-SMB2] 3.3.5.9: access beyond the tree connect's MaximalAccess is refused (a "read only" share's lacks
        // every modifying right); MAXIMUM_ALLOWED is granted what the share allows.
        var desired = (AccessMask)create.DesiredAccess;
        var mapped = AccessMasks.MapGeneric(desired) & ~AccessMask.MaximumAllowed & ~AccessMask.Synchronize;
        if ((mapped & ~(AccessMask)tree.MaximalAccess & ~AccessMask.AccessSystemSecurity) != 0) return NtStatus.AccessDenied;

        var requested = create.GetCreateContexts();
        List<FsaEa>? eas = null;
        if (requested.TryFind("ExtA"u8, out var extA))
        {
            // [MS-SMB2] 2.2.13.2.1 SMB2_CREATE_EA_BUFFER: a FILE_FULL_EA_INFORMATION chain for the new file.
            var eaStatus = FileEas.Parse(extA, out eas);
            if (eaStatus != NtStatus.Success) return eaStatus;
        }
        var fsaRequest = new FsaOpenRequest(create.Name, desired, (FileShareAccess)create.ShareAccess,
            (CreateDisposition)create.CreateDisposition, options, (FileAttributeFlags)create.FileAttributes)
        { ReadOnly = tree.ReadOnly, ExtendedAttributes = eas };
        var volume = tree.Volume;
        fsaRequest = fsaRequest with { FileMode = tree.FileCreateMode, DirectoryMode = tree.DirectoryCreateMode };
        if (volume is null) return NtStatus.ObjectPathNotFound; // the share's directory could not be opened
        var status = volume.Open(fsaRequest, out var file, out var action);
        if (status != NtStatus.Success) return status;
        status = volume.QueryMetadata(file!, out var metadata);
        if (status != NtStatus.Success)
        {
            volume.Close(file!);
            return status;
        }

        var fileId = Open.NewFileId();
        tree.AddOpen(new Open(fileId, tree, create.Name, file!) { GrantedAccess = (uint)file!.GrantedAccess });
        request.CompoundFileId = fileId;

        var body = response.GetBodySpan(CreateResponse.FixedSize + 128);
        var contexts = new CreateContextWriter(body[CreateResponse.ContextsPosition..]);
        if (requested.TryFind("MxAc"u8, out _))
        {
            // [MS-SMB2] 2.2.14.2.5: QueryStatus, then MaximalAccess.
            var data = contexts.Add("MxAc"u8, 8);
            BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)NtStatus.Success);
            BinaryPrimitives.WriteUInt32LittleEndian(data[4..], tree.MaximalAccess);
        }
        if (requested.TryFind("QFid"u8, out _))
        {
            // [MS-SMB2] 2.2.14.2.9: DiskFileId (32 bytes: the inode, then the volume's identity), opaque to the client.
            var data = contexts.Add("QFid"u8, 32);
            data.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(data, metadata.FileId);
            BinaryPrimitives.WriteUInt64LittleEndian(data[8..], file.Key.Device);
        }
        var wire = FileOpens.ToWire(metadata, file.DeletePending);
        response.Advance(CreateResponse.Write(body, oplockLevel: 0, flags: 0, (uint)action, wire.CreationTime,
            wire.LastAccessTime, wire.LastWriteTime, wire.ChangeTime, wire.AllocationSize, wire.EndOfFile,
            wire.WireAttributes, fileId, body.Slice(CreateResponse.ContextsPosition, contexts.Length)));
        return NtStatus.Success;
    }
}
