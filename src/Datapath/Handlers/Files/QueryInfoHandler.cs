using System.Buffers.Binary;
using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.20 SMB2 QUERY_INFO on a file or directory: the [MS-FSCC] 2.4 file classes from the FSA's
/// metadata, the 2.5 file system classes from the volume, and a minimal security descriptor. Data that does not
/// fit is STATUS_INFO_LENGTH_MISMATCH (fixed part), STATUS_BUFFER_OVERFLOW (a name cut short) or, for a security
/// descriptor, STATUS_BUFFER_TOO_SMALL with the size needed. Stateless.
/// </summary>
internal static class QueryInfoHandler
{
    private const uint FsAttributes = FileFsAttributeInformation.CasePreservedNames | FileFsAttributeInformation.UnicodeOnDisk;

    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!QueryInfoRequest.TryParse(request.Message, out var query)) return NtStatus.InvalidParameter;
        var status = FileOpens.Find(ref request, query.FileId, out _, out var file);
        if (status != NtStatus.Success) return status;
        if (query.OutputBufferLength > request.Connection.MaxTransactSize) return NtStatus.InvalidParameter;

        int capacity = (int)query.OutputBufferLength;
        var body = response.GetBodySpan(QueryInfoResponse.FixedSize + capacity);
        var dest = body.Slice(QueryInfoResponse.FixedSize, capacity);
        int written;
        switch (query.InfoType)
        {
            case Smb2InfoType.File when query.FileInfoClass == (byte)FileInformationClass.FileFullEaInformation:
                status = FileEas.Query(file, query.InputBuffer, query.Flags, dest, out written);
                break;
            case Smb2InfoType.File:
                status = QueryFile(file, (FileInformationClass)query.FileInfoClass, dest, out written);
                break;
            case Smb2InfoType.FileSystem:
                status = QueryFileSystem(file.Volume, (FsInformationClass)query.FileInfoClass, dest, out written);
                break;
            case Smb2InfoType.Security:
                if ((file.GrantedAccess & AccessMask.ReadControl) == 0) return NtStatus.AccessDenied;
                int needed = SecurityDescriptorWriter.SizeOf(query.AdditionalInformation);
                if (needed > capacity)
                {
                    // [MS-SMB2] 3.3.5.20.3: the error response's ErrorData is the size the descriptor needs.
                    var error = response.GetBodySpan(16);
                    Span<byte> size = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)needed);
                    response.Advance(ErrorResponse.Write(error, size));
                    return NtStatus.BufferTooSmall;
                }
                written = SecurityDescriptorWriter.Write(dest, query.AdditionalInformation);
                status = NtStatus.Success;
                break;
            default:
                return NtStatus.NotSupported;
        }
        if (status.IsError()) return status;
        QueryInfoResponse.WriteHeader(body, (uint)written);
        response.Advance(QueryInfoResponse.FixedSize + written);
        return status;
    }

    private static NtStatus QueryFile(FsaOpen file, FileInformationClass informationClass, Span<byte> dest, out int written)
    {
        written = 0;
        if (informationClass == FileInformationClass.FileAlternateNameInformation) return NtStatus.NotSupported; // no 8.3 names
        bool stream = informationClass == FileInformationClass.FileStreamInformation;
        if (!stream && !FileInformationWriter.IsSupported(informationClass)) return NtStatus.InvalidInfoClass;
        if (stream) return QueryStreams(file, dest, out written);
        var status = file.Volume.QueryMetadata(file, out var metadata);
        if (status != NtStatus.Success) return status;
        var wire = FileOpens.ToWire(metadata, file.DeletePending);
        var handle = new OpenHandleState
        {
            AccessFlags = (uint)file.GrantedAccess,
            CurrentByteOffset = file.Position,
            Mode = file.Mode,
        };
        // FileAllInformation and FileNameInformation carry the path from the share root with a leading backslash,
        // as Windows and Samba send it; FileNormalizedNameInformation the path without it.
        string name = informationClass == FileInformationClass.FileNormalizedNameInformation
            ? file.ClientPath : @"\" + file.ClientPath;
        return FileInformationWriter.Write(informationClass, dest, wire, handle, name, out written);
    }

    /// <summary>FileStreamInformation: "::$DATA" for a file, then its named streams; entries that do not fit are left
    /// out and the answer is STATUS_BUFFER_OVERFLOW ([MS-FSA] 2.1.5.12).</summary>
    private static NtStatus QueryStreams(FsaOpen file, Span<byte> dest, out int written)
    {
        written = 0;
        var status = file.Volume.QueryStreams(file, out var list);
        if (status != NtStatus.Success) return status;
        var streams = new FileStreamInformationWriter(dest);
        foreach (var s in list)
        {
            if (!streams.TryAdd(s.Name, s.Size, s.AllocationSize))
            {
                written = streams.Length;
                return streams.Count == 0 ? NtStatus.InfoLengthMismatch : NtStatus.BufferOverflow;
            }
        }
        written = streams.Length;
        return NtStatus.Success;
    }

    private static NtStatus QueryFileSystem(IFsaVolume volume, FsInformationClass informationClass, Span<byte> dest, out int written)
    {
        var info = volume.VolumeInfo;
        FsSizeInfo size = default;
        if (informationClass is FsInformationClass.FileFsSizeInformation or FsInformationClass.FileFsFullSizeInformation)
        {
            var status = volume.QuerySize(out size);
            if (status != NtStatus.Success)
            {
                written = 0;
                return status;
            }
        }
        written = informationClass switch
        {
            FsInformationClass.FileFsVolumeInformation =>
                FileFsVolumeInformation.Write(dest, info.CreationTime, info.SerialNumber, false, info.Label),
            FsInformationClass.FileFsSizeInformation =>
                FileFsSizeInformation.Write(dest, size.TotalUnits, size.CallerAvailableUnits, size.SectorsPerUnit, size.BytesPerSector),
            FsInformationClass.FileFsFullSizeInformation => FileFsFullSizeInformation.Write(dest, size.TotalUnits,
                size.CallerAvailableUnits, size.ActualAvailableUnits, size.SectorsPerUnit, size.BytesPerSector),
            FsInformationClass.FileFsAttributeInformation =>
                FileFsAttributeInformation.Write(dest, FsAttributes, (int)info.MaximumComponentNameLength, info.FileSystemName),
            FsInformationClass.FileFsDeviceInformation => FileFsDeviceInformation.Write(dest,
                FileFsDeviceInformation.DeviceTypeDisk, FileFsDeviceInformation.CharacteristicDeviceIsMounted),
            FsInformationClass.FileFsSectorSizeInformation => FileFsSectorSizeInformation.Write(dest, 512),
            _ => int.MinValue,
        };
        if (written == int.MinValue)
        {
            written = 0;
            return NtStatus.InvalidInfoClass;
        }
        if (written < 0)
        {
            written = 0;
            return NtStatus.InfoLengthMismatch;
        }
        return NtStatus.Success;
    }
}
