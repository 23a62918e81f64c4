namespace FastSmb.Protocol.Fscc;

/// <summary>The per-handle values some query classes report (FileAccess/Position/Mode/Alignment, and FileAllInformation).</summary>
public record struct OpenHandleState
{
    /// <summary>The granted access mask of the open (FileAccessInformation.AccessFlags).</summary>
    public uint AccessFlags { get; set; }
    public long CurrentByteOffset { get; set; }
    /// <summary><see cref="FileModeInformation"/> bits from the open's CreateOptions (write-through, sequential, delete-on-close …).</summary>
    public uint Mode { get; set; }
    public uint AlignmentRequirement { get; set; }
}

/// <summary>
/// One entry point for QUERY_INFO with SMB2_0_INFO_FILE: writes any supported [MS-FSCC] 2.4 class from one
/// <see cref="FileMetadata"/> into the response buffer. The status follows [MS-FSA] 2.1.5.12: a buffer smaller than the
/// fixed part is STATUS_INFO_LENGTH_MISMATCH; a name that does not fit is cut and answered STATUS_BUFFER_OVERFLOW with
/// the partial data. Classes this writer does not build (FileStreamInformation: use <see cref="FileStreamInformationWriter"/>;
/// EA, quota, pipe, object id …) answer STATUS_INVALID_INFO_CLASS so the handler can route or refuse them. Pure function.
/// </summary>
public static class FileInformationWriter
{
    /// <summary>Whether <see cref="Write"/> builds this class.</summary>
    public static bool IsSupported(FileInformationClass informationClass) => informationClass switch
    {
        FileInformationClass.FileBasicInformation or FileInformationClass.FileStandardInformation or
        FileInformationClass.FileInternalInformation or FileInformationClass.FileEaInformation or
        FileInformationClass.FileAccessInformation or FileInformationClass.FilePositionInformation or
        FileInformationClass.FileModeInformation or FileInformationClass.FileAlignmentInformation or
        FileInformationClass.FileAllInformation or FileInformationClass.FileNetworkOpenInformation or
        FileInformationClass.FileAttributeTagInformation or FileInformationClass.FileNameInformation or
        FileInformationClass.FileNormalizedNameInformation or FileInformationClass.FileAlternateNameInformation or
        FileInformationClass.FileCompressionInformation => true,
        _ => false,
    };

    /// <param name="fileName">
    /// For FileAll/FileName/FileNormalizedName: the path from the share root as the class wants it (Samba sends "\dir\file"
    /// for FileAllInformation, Windows the path relative to the share with a leading backslash); for FileAlternateName the
    /// 8.3 name. Ignored by the other classes.
    /// </param>
    public static NtStatus Write(FileInformationClass informationClass, Span<byte> dest, in FileMetadata file, in OpenHandleState open,
        ReadOnlySpan<char> fileName, out int written)
    {
        bool truncated = false;
        written = informationClass switch
        {
            FileInformationClass.FileBasicInformation => FileBasicInformation.Write(dest, file),
            FileInformationClass.FileStandardInformation => FileStandardInformation.Write(dest, file),
            FileInformationClass.FileInternalInformation => FileInternalInformation.Write(dest, file),
            FileInformationClass.FileEaInformation => FileEaInformation.Write(dest, file),
            FileInformationClass.FileAccessInformation => FileAccessInformation.Write(dest, open.AccessFlags),
            FileInformationClass.FilePositionInformation => FilePositionInformation.Write(dest, open.CurrentByteOffset),
            FileInformationClass.FileModeInformation => FileModeInformation.Write(dest, open.Mode),
            FileInformationClass.FileAlignmentInformation => FileAlignmentInformation.Write(dest, open.AlignmentRequirement),
            FileInformationClass.FileNetworkOpenInformation => FileNetworkOpenInformation.Write(dest, file),
            FileInformationClass.FileAttributeTagInformation => FileAttributeTagInformation.Write(dest, file),
            FileInformationClass.FileCompressionInformation => FileCompressionInformation.Write(dest, file.EndOfFile),
            FileInformationClass.FileAllInformation => FileAllInformation.Write(dest, file, open.AccessFlags, open.CurrentByteOffset,
                open.Mode, open.AlignmentRequirement, fileName, out truncated),
            FileInformationClass.FileNameInformation or FileInformationClass.FileNormalizedNameInformation or
                FileInformationClass.FileAlternateNameInformation => FileNameInformation.WriteTruncated(dest, fileName, out truncated),
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
}
