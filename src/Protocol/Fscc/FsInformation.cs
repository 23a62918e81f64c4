using static FastSmb.Protocol.Smb2.Commands.Smb2Buffers;

namespace FastSmb.Protocol.Fscc;

// [MS-FSCC] 2.5 file system information classes (QUERY_INFO with SMB2_0_INFO_FILESYSTEM). Views for the client side,
// writers for the server: bytes written, or -1 when the destination is too small.

/// <summary>[MS-FSCC] 2.5.9 FileFsVolumeInformation (FILE_FS_VOLUME_INFORMATION): 18 bytes then the label.</summary>
public readonly ref struct FileFsVolumeInformation
{
    public const int FixedSize = 18;

    private const int OffVolumeCreationTime = 0, OffVolumeSerialNumber = 8, OffVolumeLabelLength = 12, OffSupportsObjects = 16,
        OffReserved = 17, OffVolumeLabel = 18;

    private readonly ReadOnlySpan<byte> _b;

    private FileFsVolumeInformation(ReadOnlySpan<byte> b, ReadOnlySpan<byte> label)
    {
        _b = b;
        VolumeLabelUtf16 = label;
    }

    public long VolumeCreationTime => I64(_b, OffVolumeCreationTime);
    public uint VolumeSerialNumber => U32(_b, OffVolumeSerialNumber);
    public bool SupportsObjects => _b[OffSupportsObjects] != 0;
    public ReadOnlySpan<byte> VolumeLabelUtf16 { get; }
    public string VolumeLabel => Utf16ToString(VolumeLabelUtf16);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsVolumeInformation value)
    {
        value = default;
        if (buffer.Length < FixedSize) return false;
        uint length = U32(buffer, OffVolumeLabelLength);
        if (length > (uint)(buffer.Length - FixedSize)) return false;
        value = new FileFsVolumeInformation(buffer, buffer.Slice(OffVolumeLabel, (int)length));
        return true;
    }

    /// <summary>Returns 18 + label bytes, or -1 when that does not fit. Samba labels the volume with the share name.</summary>
    public static int Write(Span<byte> dest, long volumeCreationTime, uint volumeSerialNumber, bool supportsObjects,
        ReadOnlySpan<char> volumeLabel)
    {
        if (dest.Length < FixedSize + 2 * volumeLabel.Length) return -1;
        W64(dest, OffVolumeCreationTime, volumeCreationTime);
        W32(dest, OffVolumeSerialNumber, volumeSerialNumber);
        W32(dest, OffVolumeLabelLength, 2 * volumeLabel.Length);
        dest[OffSupportsObjects] = supportsObjects ? (byte)1 : (byte)0;
        dest[OffReserved] = 0; // Reserved: sent as 0, ignored on receipt
        return FixedSize + WriteUtf16(dest[OffVolumeLabel..], volumeLabel);
    }
}

/// <summary>[MS-FSCC] 2.5.8 FileFsSizeInformation (FILE_FS_SIZE_INFORMATION), 24 bytes.</summary>
public readonly ref struct FileFsSizeInformation
{
    public const int Size = 24;
    private readonly ReadOnlySpan<byte> _b;
    private FileFsSizeInformation(ReadOnlySpan<byte> b) => _b = b;

    public long TotalAllocationUnits => I64(_b, 0);
    public long AvailableAllocationUnits => I64(_b, 8);
    public uint SectorsPerAllocationUnit => U32(_b, 16);
    public uint BytesPerSector => U32(_b, 20);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsSizeInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileFsSizeInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, long totalAllocationUnits, long availableAllocationUnits, uint sectorsPerAllocationUnit,
        uint bytesPerSector)
    {
        if (dest.Length < Size) return -1;
        W64(dest, 0, totalAllocationUnits);
        W64(dest, 8, availableAllocationUnits);
        W32(dest, 16, sectorsPerAllocationUnit);
        W32(dest, 20, bytesPerSector);
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.5.4 FileFsFullSizeInformation (FILE_FS_FULL_SIZE_INFORMATION), 32 bytes.</summary>
public readonly ref struct FileFsFullSizeInformation
{
    public const int Size = 32;
    private readonly ReadOnlySpan<byte> _b;
    private FileFsFullSizeInformation(ReadOnlySpan<byte> b) => _b = b;

    public long TotalAllocationUnits => I64(_b, 0);
    /// <summary>Free units available to the calling user (after quotas).</summary>
    public long CallerAvailableAllocationUnits => I64(_b, 8);
    public long ActualAvailableAllocationUnits => I64(_b, 16);
    public uint SectorsPerAllocationUnit => U32(_b, 24);
    public uint BytesPerSector => U32(_b, 28);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsFullSizeInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileFsFullSizeInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, long totalAllocationUnits, long callerAvailableAllocationUnits,
        long actualAvailableAllocationUnits, uint sectorsPerAllocationUnit, uint bytesPerSector)
    {
        if (dest.Length < Size) return -1;
        W64(dest, 0, totalAllocationUnits);
        W64(dest, 8, callerAvailableAllocationUnits);
        W64(dest, 16, actualAvailableAllocationUnits);
        W32(dest, 24, sectorsPerAllocationUnit);
        W32(dest, 28, bytesPerSector);
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.5.1 FileFsAttributeInformation (FILE_FS_ATTRIBUTE_INFORMATION): 12 bytes then the file system name.</summary>
public readonly ref struct FileFsAttributeInformation
{
    public const int FixedSize = 12;
    public const uint CaseSensitiveSearch = 0x00000001;
    public const uint CasePreservedNames = 0x00000002;
    public const uint UnicodeOnDisk = 0x00000004;
    public const uint PersistentAcls = 0x00000008;
    public const uint FileCompression = 0x00000010;
    public const uint VolumeQuotas = 0x00000020;
    public const uint SupportsSparseFiles = 0x00000040;
    public const uint SupportsReparsePoints = 0x00000080;
    public const uint SupportsRemoteStorage = 0x00000100;
    public const uint VolumeIsCompressed = 0x00008000;
    public const uint SupportsObjectIds = 0x00010000;
    public const uint SupportsEncryption = 0x00020000;
    public const uint NamedStreams = 0x00040000;
    public const uint ReadOnlyVolume = 0x00080000;
    public const uint SequentialWriteOnce = 0x00100000;
    public const uint SupportsTransactions = 0x00200000;
    public const uint SupportsHardLinks = 0x00400000;
    public const uint SupportsExtendedAttributes = 0x00800000;
    public const uint SupportsOpenByFileId = 0x01000000;
    public const uint SupportsUsnJournal = 0x02000000;
    public const uint SupportsIntegrityStreams = 0x04000000;
    public const uint SupportsBlockRefcounting = 0x08000000;
    public const uint SupportsSparseVdl = 0x10000000;

    private readonly ReadOnlySpan<byte> _b;

    private FileFsAttributeInformation(ReadOnlySpan<byte> b, ReadOnlySpan<byte> name)
    {
        _b = b;
        FileSystemNameUtf16 = name;
    }

    public uint FileSystemAttributes => U32(_b, 0);
    /// <summary>"MUST be greater than zero": the longest path component the file system allows (255 for NTFS).</summary>
    public int MaximumComponentNameLength => (int)U32(_b, 4);
    public ReadOnlySpan<byte> FileSystemNameUtf16 { get; }
    public string FileSystemName => Utf16ToString(FileSystemNameUtf16);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsAttributeInformation value)
    {
        value = default;
        if (buffer.Length < FixedSize) return false;
        uint length = U32(buffer, 8);
        if (length > (uint)(buffer.Length - FixedSize)) return false;
        value = new FileFsAttributeInformation(buffer, buffer.Slice(FixedSize, (int)length));
        return true;
    }

    /// <summary>Returns 12 + name bytes, or -1 when that does not fit. Samba reports "NTFS" by default, the name clients test for NTFS-only features.</summary>
    public static int Write(Span<byte> dest, uint fileSystemAttributes, int maximumComponentNameLength, ReadOnlySpan<char> fileSystemName)
    {
        if (dest.Length < FixedSize + 2 * fileSystemName.Length) return -1;
        W32(dest, 0, fileSystemAttributes);
        W32(dest, 4, maximumComponentNameLength);
        W32(dest, 8, 2 * fileSystemName.Length);
        return FixedSize + WriteUtf16(dest[FixedSize..], fileSystemName);
    }
}

/// <summary>[MS-FSCC] 2.5.10 FileFsDeviceInformation (FILE_FS_DEVICE_INFORMATION), 8 bytes.</summary>
public readonly ref struct FileFsDeviceInformation
{
    public const int Size = 8;
    public const uint DeviceTypeCdRom = 0x00000002;
    public const uint DeviceTypeDisk = 0x00000007;
    public const uint CharacteristicRemovableMedia = 0x00000001;
    public const uint CharacteristicReadOnlyDevice = 0x00000002;
    public const uint CharacteristicRemoteDevice = 0x00000010;
    public const uint CharacteristicDeviceIsMounted = 0x00000020;

    private readonly ReadOnlySpan<byte> _b;
    private FileFsDeviceInformation(ReadOnlySpan<byte> b) => _b = b;

    public uint DeviceType => U32(_b, 0);
    public uint Characteristics => U32(_b, 4);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsDeviceInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileFsDeviceInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint deviceType, uint characteristics)
    {
        if (dest.Length < Size) return -1;
        W32(dest, 0, deviceType);
        W32(dest, 4, characteristics);
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.5.7 FileFsSectorSizeInformation (FILE_FS_SECTOR_SIZE_INFORMATION), 28 bytes.</summary>
public readonly ref struct FileFsSectorSizeInformation
{
    public const int Size = 28;
    public const uint FlagAlignedDevice = 0x00000001;
    public const uint FlagPartitionAlignedOnDevice = 0x00000002;
    public const uint FlagNoSeekPenalty = 0x00000004;
    public const uint FlagTrimEnabled = 0x00000008;
    /// <summary>SSINFO_OFFSET_UNKNOWN for the two alignment offsets.</summary>
    public const uint OffsetUnknown = 0xFFFFFFFF;

    private readonly ReadOnlySpan<byte> _b;
    private FileFsSectorSizeInformation(ReadOnlySpan<byte> b) => _b = b;

    public uint LogicalBytesPerSector => U32(_b, 0);
    public uint PhysicalBytesPerSectorForAtomicity => U32(_b, 4);
    public uint PhysicalBytesPerSectorForPerformance => U32(_b, 8);
    public uint FileSystemEffectivePhysicalBytesPerSectorForAtomicity => U32(_b, 12);
    public uint Flags => U32(_b, 16);
    public uint ByteOffsetForSectorAlignment => U32(_b, 20);
    public uint ByteOffsetForPartitionAlignment => U32(_b, 24);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsSectorSizeInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileFsSectorSizeInformation(buffer[..Size]);
        return true;
    }

    public static int Write(Span<byte> dest, uint logicalBytesPerSector, uint physicalBytesPerSectorForAtomicity,
        uint physicalBytesPerSectorForPerformance, uint fileSystemEffectivePhysicalBytesPerSectorForAtomicity, uint flags,
        uint byteOffsetForSectorAlignment, uint byteOffsetForPartitionAlignment)
    {
        if (dest.Length < Size) return -1;
        W32(dest, 0, logicalBytesPerSector);
        W32(dest, 4, physicalBytesPerSectorForAtomicity);
        W32(dest, 8, physicalBytesPerSectorForPerformance);
        W32(dest, 12, fileSystemEffectivePhysicalBytesPerSectorForAtomicity);
        W32(dest, 16, flags);
        W32(dest, 20, byteOffsetForSectorAlignment);
        W32(dest, 24, byteOffsetForPartitionAlignment);
        return Size;
    }

    /// <summary>One sector size for every field, aligned, offsets 0 (what a plain local disk reports).</summary>
    public static int Write(Span<byte> dest, uint bytesPerSector) =>
        Write(dest, bytesPerSector, bytesPerSector, bytesPerSector, bytesPerSector,
            FlagAlignedDevice | FlagPartitionAlignedOnDevice, 0, 0);
}

/// <summary>[MS-FSCC] 2.5.6 FileFsObjectIdInformation (FILE_FS_OBJECTID_INFORMATION): ObjectId (16) and ExtendedInfo (48).</summary>
public readonly ref struct FileFsObjectIdInformation
{
    public const int Size = 64;
    private readonly ReadOnlySpan<byte> _b;
    private FileFsObjectIdInformation(ReadOnlySpan<byte> b) => _b = b;

    public ReadOnlySpan<byte> ObjectId => _b[..16];
    public ReadOnlySpan<byte> ExtendedInfo => _b[16..Size];

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsObjectIdInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileFsObjectIdInformation(buffer[..Size]);
        return true;
    }

    /// <summary><paramref name="objectId"/> is 16 bytes; ExtendedInfo is zeroed ("MUST be ignored" by clients) unless given (48 bytes).</summary>
    public static int Write(Span<byte> dest, ReadOnlySpan<byte> objectId, ReadOnlySpan<byte> extendedInfo = default)
    {
        if (dest.Length < Size) return -1;
        if (objectId.Length != 16) throw new ArgumentException("An object id is 16 bytes.", nameof(objectId));
        objectId.CopyTo(dest);
        var ext = dest[16..Size];
        ext.Clear();
        extendedInfo[..Math.Min(extendedInfo.Length, 48)].CopyTo(ext);
        return Size;
    }
}

/// <summary>[MS-FSCC] 2.5.2 FileFsControlInformation (FILE_FS_CONTROL_INFORMATION), 48 bytes: quota thresholds and flags.</summary>
public readonly ref struct FileFsControlInformation
{
    public const int Size = 48;

    /// <summary>"0xFFFFFFFFFFFFFFFF": no threshold or limit.</summary>
    public const long NoLimit = -1;

    private const int OffFreeSpaceStartFiltering = 0, OffFreeSpaceThreshold = 8, OffFreeSpaceStopFiltering = 16,
        OffDefaultQuotaThreshold = 24, OffDefaultQuotaLimit = 32, OffFileSystemControlFlags = 40, OffPadding = 44;

    private readonly ReadOnlySpan<byte> _b;
    private FileFsControlInformation(ReadOnlySpan<byte> b) => _b = b;

    public long DefaultQuotaThreshold => I64(_b, OffDefaultQuotaThreshold);
    public long DefaultQuotaLimit => I64(_b, OffDefaultQuotaLimit);
    public uint FileSystemControlFlags => U32(_b, OffFileSystemControlFlags);

    public static bool TryParse(ReadOnlySpan<byte> buffer, out FileFsControlInformation value)
    {
        value = default;
        if (buffer.Length < Size) return false;
        value = new FileFsControlInformation(buffer[..Size]);
        return true;
    }

    /// <summary>Returns 48, or -1 when that does not fit. The free-space filtering fields are written 0 (unused).</summary>
    public static int Write(Span<byte> dest, long defaultQuotaThreshold, long defaultQuotaLimit, uint fileSystemControlFlags)
    {
        if (dest.Length < Size) return -1;
        W64(dest, OffFreeSpaceStartFiltering, 0L);
        W64(dest, OffFreeSpaceThreshold, 0L);
        W64(dest, OffFreeSpaceStopFiltering, 0L);
        W64(dest, OffDefaultQuotaThreshold, defaultQuotaThreshold);
        W64(dest, OffDefaultQuotaLimit, defaultQuotaLimit);
        W32(dest, OffFileSystemControlFlags, fileSystemControlFlags);
        W32(dest, OffPadding, 0);
        return Size;
    }
}
