using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FastSmb.Datapath.Dispatch;
using FastSmb.Fsa;
using FastSmb.Protocol;
using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers.Files;

/// <summary>
/// [MS-SMB2] 3.3.5.20 SMB2 QUERY_INFO on a file or directory: the [MS-FSCC] 2.4 file classes from the FSA's
/// metadata, the 2.5 file system classes from the volume, and the file's security descriptor (FileSecurity). Data that does not
/// fit is STATUS_INFO_LENGTH_MISMATCH (fixed part), STATUS_BUFFER_OVERFLOW (a name cut short) or, for a security
/// descriptor, STATUS_BUFFER_TOO_SMALL with the size needed. Stateless.
/// </summary>
internal static class QueryInfoHandler
{
    // CASE_SENSITIVE_SEARCH: names compare ignoring case but may be looked up as spelled, as on NTFS and Samba;
    // NAMED_STREAMS: the volume keeps alternate data streams (PosixVolume.Streams).
    private const uint FsAttributes = FileFsAttributeInformation.CaseSensitiveSearch | FileFsAttributeInformation.CasePreservedNames
        | FileFsAttributeInformation.UnicodeOnDisk | FileFsAttributeInformation.NamedStreams
        | FileFsAttributeInformation.SupportsSparseFiles;

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
            // [MS-SMB2] 3.3.5.20.1: before 3.1.1, FileNormalizedNameInformation is STATUS_NOT_SUPPORTED.
            case Smb2InfoType.File when query.FileInfoClass == (byte)FileInformationClass.FileNormalizedNameInformation
                                        && request.Connection.Dialect != Smb2Dialect.Smb311:
                return NtStatus.NotSupported;
            case Smb2InfoType.File:
                status = QueryFile(file, (FileInformationClass)query.FileInfoClass, dest, out written);
                break;
            case Smb2InfoType.FileSystem:
                status = QueryFileSystem(file.Volume, (FsInformationClass)query.FileInfoClass, dest, out written);
                break;
            case Smb2InfoType.Security:
                status = FileSecurity.Query(file, query.AdditionalInformation, dest, response, out written);
                if (status == NtStatus.BufferTooSmall) return status;
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
        // [MS-FSA] 2.1.5.12: a buffer smaller than the class's structure (with its one-character name, padded) is
        // STATUS_INFO_LENGTH_MISMATCH; the writers check only the bytes before the name.
        if (dest.Length < MinimumFileBuffer(informationClass)) return NtStatus.InfoLengthMismatch;
        // [MS-SMB2] 3.3.5.20.1: the classes that show times and attributes need FILE_READ_ATTRIBUTES (the EAs, which
        // FileEas answers, FILE_READ_EA); the others (names, sizes, the open's own state) need no access at all.
        var required = informationClass switch
        {
            FileInformationClass.FileBasicInformation or FileInformationClass.FileAllInformation or
                FileInformationClass.FileNetworkOpenInformation or FileInformationClass.FileAttributeTagInformation =>
                AccessMask.ReadAttributes,
            _ => AccessMask.None,
        };
        if ((file.GrantedAccess & required) != required) return NtStatus.AccessDenied;
        bool stream = informationClass == FileInformationClass.FileStreamInformation;
        if (!stream && !FileInformationWriter.IsSupported(informationClass)) return NtStatus.InvalidInfoClass;
        if (stream) return QueryStreams(file, dest, out written);
        var status = file.Volume.QueryMetadata(file, out var metadata);
        if (status != NtStatus.Success) return status;
        var wire = FileOpens.ToWire(metadata, file);
        var handle = new OpenHandleState
        {
            AccessFlags = (uint)file.GrantedAccess,
            CurrentByteOffset = file.Position,
            Mode = file.Mode,
        };
        // FileAllInformation and FileNameInformation carry the path from the share root with a leading backslash,
        // as Windows and Samba send it; FileNormalizedNameInformation the path without it.
        // The names of an open of a named stream end in ":stream", in the case it was created with ([MS-FSA] 2.1.5.12
        // FileNormalizedNameInformation, smb2.getinfo.normalized); the 8.3 name is the file's.
        string streamSuffix = file.StreamName is null ? "" : ":" + file.StreamName;
        string name = informationClass switch
        {
            FileInformationClass.FileNormalizedNameInformation => file.ClientPath + streamSuffix,
            FileInformationClass.FileAlternateNameInformation => ShortNames.Get(LastComponent(file.ClientPath)),
            _ => @"\" + file.ClientPath + streamSuffix,
        };
        return FileInformationWriter.Write(informationClass, dest, wire, handle, name, out written);
    }

    private static string LastComponent(string path) => path[(path.LastIndexOf('\\') + 1)..];

    private static int MinimumFileBuffer(FileInformationClass informationClass) => informationClass switch
    {
        FileInformationClass.FileAllInformation => 104,
        FileInformationClass.FileNameInformation or FileInformationClass.FileNormalizedNameInformation or
            FileInformationClass.FileAlternateNameInformation => 8,
        FileInformationClass.FileStreamInformation => 32,
        _ => 0,
    };

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
                // Even with no entry in it: the caller checked the buffer holds the structure's size.
                return NtStatus.BufferOverflow;
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
        // [MS-FSA] 2.1.5.13 as smb2.getinfo.qfs_buffercheck sees Windows: below the structure's size (with one
        // character of its name, padded) STATUS_INFO_LENGTH_MISMATCH; a name that does not fit is cut, its length
        // saying what is there, and answered STATUS_BUFFER_OVERFLOW.
        int minimum = informationClass switch
        {
            FsInformationClass.FileFsVolumeInformation => 24,
            FsInformationClass.FileFsAttributeInformation => 16,
            _ => 0,
        };
        if (dest.Length < minimum)
        {
            written = 0;
            return NtStatus.InfoLengthMismatch;
        }
        string label = info.Label, fileSystemName = info.FileSystemName;
        bool truncated = false;
        if (informationClass == FsInformationClass.FileFsVolumeInformation && dest.Length < FileFsVolumeInformation.FixedSize + 2 * label.Length)
            (label, truncated) = (label[..((dest.Length - FileFsVolumeInformation.FixedSize) / 2)], true);
        if (informationClass == FsInformationClass.FileFsAttributeInformation && dest.Length < FileFsAttributeInformation.FixedSize + 2 * fileSystemName.Length)
            (fileSystemName, truncated) = (fileSystemName[..((dest.Length - FileFsAttributeInformation.FixedSize) / 2)], true);
        written = informationClass switch
        {
            FsInformationClass.FileFsVolumeInformation =>
                FileFsVolumeInformation.Write(dest, info.CreationTime, info.SerialNumber, false, label),
            FsInformationClass.FileFsSizeInformation =>
                FileFsSizeInformation.Write(dest, size.TotalUnits, size.CallerAvailableUnits, size.SectorsPerUnit, size.BytesPerSector),
            FsInformationClass.FileFsFullSizeInformation => FileFsFullSizeInformation.Write(dest, size.TotalUnits,
                size.CallerAvailableUnits, size.ActualAvailableUnits, size.SectorsPerUnit, size.BytesPerSector),
            FsInformationClass.FileFsAttributeInformation =>
                FileFsAttributeInformation.Write(dest, FsAttributes, (int)info.MaximumComponentNameLength, fileSystemName),
            FsInformationClass.FileFsDeviceInformation => FileFsDeviceInformation.Write(dest,
                FileFsDeviceInformation.DeviceTypeDisk, FileFsDeviceInformation.CharacteristicDeviceIsMounted),
            FsInformationClass.FileFsSectorSizeInformation => FileFsSectorSizeInformation.Write(dest, 512),
            // No quotas: neither tracked nor enforced (FileSystemControlFlags 0), no default threshold or limit.
            FsInformationClass.FileFsControlInformation => FileFsControlInformation.Write(dest,
                FileFsControlInformation.NoLimit, FileFsControlInformation.NoLimit, 0),
            FsInformationClass.FileFsObjectIdInformation => FileFsObjectIdInformation.Write(dest, VolumeObjectId(info)),
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
        return truncated ? NtStatus.BufferOverflow : NtStatus.Success;
    }

    /// <summary>The volume's object id: 16 bytes derived from its serial number and label, the same on every query.</summary>
    private static byte[] VolumeObjectId(in FsVolumeInfo info) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{info.SerialNumber:x8}/{info.Label}"))[..16];
}
