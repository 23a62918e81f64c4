using System.Buffers.Binary;
using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files.Ioctl;

/// <summary>
/// [MS-FSA] 2.1.5.10.1 FSCTL_CREATE_OR_GET_OBJECT_ID. POSIX file systems keep no object ids, so a file's id is made
/// from what already names it uniquely and stays the same for its life: its device and inode (as Samba derives it
/// from the file id). Nothing is stored, so "create" and "get" are the same answer.
/// </summary>
internal static class ObjectIdControls
{
    /// <summary>[MS-FSCC] 2.1.3.1 FILE_OBJECTID_BUFFER: ObjectId, BirthVolumeId, BirthObjectId, DomainId.</summary>
    public const int BufferSize = 64;

    public static NtStatus CreateOrGet(FsaOpen file, in IoctlRequest ioctl, ResponseBuffer response)
    {
        // 2.1.5.10.1: an output buffer smaller than FILE_OBJECTID_BUFFER is STATUS_INVALID_PARAMETER.
        if (ioctl.MaxOutputResponse < BufferSize) return NtStatus.InvalidParameter;
        var body = response.GetBodySpan(IoctlResponse.FixedSize + BufferSize);
        Write(file.Key, body.Slice(IoctlResponse.FixedSize, BufferSize));
        IoctlResponse.WriteHeader(body, ioctl.CtlCode, ioctl.FileId, BufferSize);
        response.Advance(IoctlResponse.FixedSize + BufferSize);
        return NtStatus.Success;
    }

    /// <summary>The object id is the inode then the device; the birth object id is the same id (the file was born
    /// here); the volume and domain ids are zero (none is kept).</summary>
    internal static void Write(FileKey key, Span<byte> buffer)
    {
        buffer.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, key.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[8..], key.Device);
        buffer[..16].CopyTo(buffer[32..48]);
    }
}
