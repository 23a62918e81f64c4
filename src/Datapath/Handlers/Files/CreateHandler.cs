using System.Buffers.Binary;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Handlers.Files.Oplocks;
using FastSmb.Datapath.Sessions;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.9 SMB2 CREATE on a disk share: the FSA opens or creates the file (with the EAs of an ExtA
/// context); the response carries its metadata and answers the MxAc (maximal access) and QFid (on-disk id) create
/// contexts from the file's DACL check; AlSi sets the allocation of a file it creates or overwrites, SecD gives a new
/// file its descriptor, TWrp finds no previous version. Durable handles: DurableCreate. Oplocks and
/// leases: Oplocks/CreateCaching; a CREATE that must wait for others' breaks goes async (Oplocks/PendingRequest).
/// Files are created as the server's user until identity mapping applies the session user's. Stateless.
/// </summary>
internal static class CreateHandler
{
    private const uint ImpersonationDelegate = 3;

    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response) => Run(ref request, response, null);

    /// <summary>The CREATE, first time or (<paramref name="pending"/>) again once the breaks it waited for are over.</summary>
    internal static NtStatus Run(ref Smb2Request request, ResponseBuffer response, PendingRequest? pending)
    {
        if (!CreateRequest.TryParse(request.Message, out var create)) return NtStatus.InvalidParameter;
        var tree = request.Tree!;
        // Durable reconnects are looked at before anything else: every other field is ignored (3.3.5.9.7, 3.3.5.9.12).
        var durableStatus = DurableCreate.Parse(ref request, create.GetCreateContexts(), out var durable);
        if (durableStatus != NtStatus.Success) return durableStatus;
        if (durable.Reconnect) return DurableCreate.Reconnect(ref request, response, create, create.GetCreateContexts(), durable);
        // [MS-SMB2] 3.3.5.9: "If ImpersonationLevel is not one of the valid values ... STATUS_BAD_IMPERSONATION_LEVEL".
        if (create.ImpersonationLevel > ImpersonationDelegate) return NtStatus.BadImpersonationLevel;
        var options = (CreateOptions)create.CreateOptions;
        var requested = create.GetCreateContexts();
        if ((options & CreateOptions.OpenByFileId) != 0) return NtStatus.NotSupported;
        // [MS-SMB2] 2.2.13.2.7 SMB2_CREATE_TIMEWARP_TOKEN: there are no previous versions to open (no snapshots).
        if (requested.TryFind("TWrp"u8, out var timewarp))
            return timewarp.Length == 8 ? NtStatus.ObjectNameNotFound : NtStatus.InvalidParameter;
        long allocationSize = 0;
        if (requested.TryFind("AlSi"u8, out var alsi))
        {
            // [MS-SMB2] 2.2.13.2.6 SMB2_CREATE_ALLOCATION_SIZE: 8 bytes, applied to a file this open creates or overwrites.
            if (alsi.Length != 8) return NtStatus.InvalidParameter;
            allocationSize = BinaryPrimitives.ReadInt64LittleEndian(alsi);
            if (allocationSize < 0) return NtStatus.InvalidParameter;
        }

        // [MS-SMB2] 3.3.5.9: access beyond the tree connect's MaximalAccess is refused (a "read only" share's lacks
        // every modifying right); MAXIMUM_ALLOWED is granted what the share allows. ACCESS_SYSTEM_SECURITY needs
        // SeSecurityPrivilege, which no FastSmb user holds.
        var desired = (AccessMask)create.DesiredAccess;
        if ((desired & AccessMask.AccessSystemSecurity) != 0) return NtStatus.PrivilegeNotHeld;
        var mapped = AccessMasks.MapGeneric(desired) & ~AccessMask.MaximumAllowed & ~AccessMask.Synchronize;
        if ((mapped & ~(AccessMask)tree.MaximalAccess & ~AccessMask.AccessSystemSecurity) != 0) return NtStatus.AccessDenied;
        // Then what is wrong with the request itself (smb2.create.gentest: a reserved access bit wins over a bad attribute).
        var invalid = Validate(create.CreateOptions, create.FileAttributes, requested);
        if (invalid != NtStatus.Success) return invalid;

        List<FsaEa>? eas = null;
        if (requested.TryFind("ExtA"u8, out var extA))
        {
            // [MS-SMB2] 2.2.13.2.1 SMB2_CREATE_EA_BUFFER: a FILE_FULL_EA_INFORMATION chain for the new file.
            var eaStatus = FileEas.Parse(extA, out eas);
            if (eaStatus != NtStatus.Success) return eaStatus;
        }
        Protocol.Security.Descriptors.SecurityDescriptor? secD = null;
        if (requested.TryFind("SecD"u8, out var sdBuffer)
            && !Protocol.Security.Descriptors.SecurityDescriptor.TryParse(sdBuffer, out secD))
            return NtStatus.InvalidSecurityDescr; // [MS-SMB2] 2.2.13.2.2 SMB2_CREATE_SD_BUFFER: a self-relative descriptor
        var fsaRequest = new FsaOpenRequest(create.Name, desired, (FileShareAccess)create.ShareAccess,
            (CreateDisposition)create.CreateDisposition, options, (FileAttributeFlags)create.FileAttributes)
        { ReadOnly = tree.ReadOnly, ExtendedAttributes = eas, Token = tree.AccessToken, SecurityDescriptor = secD,
          QueryMaximalAccess = requested.TryFind("MxAc"u8, out _) };
        var volume = tree.Volume;
        fsaRequest = fsaRequest with { FileMode = tree.FileCreateMode, DirectoryMode = tree.DirectoryCreateMode };
        if (volume is null) return NtStatus.ObjectPathNotFound; // the share's directory could not be opened
        if (DurableCreate.TryReplay(ref request, response, create, requested, durable, pending, out bool notAReplay) is { } replayed)
            return replayed;
        var fileId = DurableCreate.NewFileId(ref request, durable);
        pending ??= new PendingRequest(request.Connection, request.Session!, tree, Run) { NotAReplay = notAReplay };
        var caching = CreateCaching.Build(ref request, create, requested, fileId, pending);
        var status = volume.Open(fsaRequest with { Caching = caching }, out var file, out var action);
        // [MS-SMB2] 3.3.5.9: others' oplocks or leases are breaking; the CREATE completes when they are acknowledged.
        if (status == NtStatus.OplockBreakInProgress)
        {
            DurableCreate.MarkPending(ref request, durable, pending, caching);
            return pending.Park(ref request);
        }
        if (pending.IsRetry) DurableCreate.ClearPending(ref request, durable, pending);
        if (status != NtStatus.Success) return status;
        // The FSA sets an allocation through an open that may write; one that may not keeps the file system's.
        if (allocationSize > 0 && !file!.IsDirectory && action != CreateAction.Opened
            && (file.GrantedAccess & AccessMask.WriteData) != 0)
            status = volume.SetAllocationSize(file, allocationSize);
        FileMetadata metadata = default;
        if (status == NtStatus.Success) status = volume.QueryMetadata(file!, out metadata);
        if (status != NtStatus.Success)
        {
            volume.Close(file!);
            return status;
        }

        var open = new Open(fileId, tree, create.Name, file!) { GrantedAccess = (uint)file!.GrantedAccess };
        tree.AddOpen(open);
        request.CompoundFileId = fileId;
        var durableOpen = DurableCreate.Grant(ref request, open, caching, action, durable);

        var body = response.GetBodySpan(CreateResponse.FixedSize + 128);
        var contexts = new CreateContextWriter(body[CreateResponse.ContextsPosition..]);
        if (requested.TryFind("MxAc"u8, out _))
        {
            // [MS-SMB2] 2.2.14.2.5: QueryStatus, then MaximalAccess.
            var data = contexts.Add("MxAc"u8, 8);
            BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)NtStatus.Success);
            // The file's DACL evaluation at open, within what the share allows.
            BinaryPrimitives.WriteUInt32LittleEndian(data[4..], tree.MaximalAccess & (uint)file.MaximalAccess);
        }
        if (requested.TryFind("QFid"u8, out _))
        {
            // [MS-SMB2] 2.2.14.2.9: DiskFileId (32 bytes: the inode, then the volume's identity), opaque to the client.
            var data = contexts.Add("QFid"u8, 32);
            data.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(data, metadata.FileId);
            BinaryPrimitives.WriteUInt64LittleEndian(data[8..], file.Key.Device);
        }
        byte oplockLevel = CreateCaching.Respond(file, caching, ref contexts);
        if (durableOpen is not null) DurableCreate.WriteResponseContext(ref contexts, durableOpen);
        var wire = FileOpens.ToWire(metadata, file);
        response.Advance(CreateResponse.Write(body, oplockLevel, flags: 0, (uint)action, wire.CreationTime,
            wire.LastAccessTime, wire.LastWriteTime, wire.ChangeTime, wire.AllocationSize, wire.EndOfFile,
            wire.WireAttributes, fileId, body.Slice(CreateResponse.ContextsPosition, contexts.Length)));
        if (durableOpen is { IsPersistent: true }) return DurableCreate.CommitPersistent(ref request, response, durableOpen, pending);
        return NtStatus.Success;
    }

    /// <summary>
    /// What Windows refuses before it looks at the file (smb2.create.gentest and .blob): CreateOptions bits above
    /// 0x00FFFFFF and FileAttributes outside those [MS-FSCC] 2.6 lets a client set (VOLUME, DEVICE, bit 15 and the
    /// high word) are STATUS_INVALID_PARAMETER, FILE_CREATE_TREE_CONNECTION and FILE_RESERVE_OPFILTER
    /// STATUS_NOT_SUPPORTED ([MS-SMB2] 3.3.5.9), and so is a create context whose name is shorter than 4 bytes.
    /// </summary>
    private static NtStatus Validate(uint createOptions, uint fileAttributes, CreateContextList contexts)
    {
        const uint ReservedOptions = 0xFF000000, CreateTreeConnection = 0x00000080, ReserveOpfilter = 0x00100000;
        const uint InvalidAttributes = 0xFFFF8048;
        if ((createOptions & ReservedOptions) != 0 || (fileAttributes & InvalidAttributes) != 0) return NtStatus.InvalidParameter;
        foreach (var context in contexts)
            if (context.Name.Length < 4) return NtStatus.InvalidParameter;
        if ((createOptions & (CreateTreeConnection | ReserveOpfilter)) != 0) return NtStatus.NotSupported;
        return NtStatus.Success;
    }
}
