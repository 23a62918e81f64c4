namespace FastSmb.Protocol;

/// <summary>
/// NTSTATUS values used on the wire ([MS-ERREF] 2.3.1). Each member carries its STATUS_ name
/// (<see cref="StatusNameAttribute"/>) so logs and tests speak the spec's language; <see cref="NtStatusNames"/>
/// turns a value back into that name.
/// </summary>
public enum NtStatus : uint
{
    [StatusName("STATUS_SUCCESS")] Success = 0x00000000,
    [StatusName("STATUS_PENDING")] Pending = 0x00000103,
    [StatusName("STATUS_OPLOCK_BREAK_IN_PROGRESS")] OplockBreakInProgress = 0x00000108,
    [StatusName("STATUS_NOTIFY_ENUM_DIR")] NotifyEnumDir = 0x0000010C,
    [StatusName("STATUS_BUFFER_OVERFLOW")] BufferOverflow = 0x80000005,
    [StatusName("STATUS_NO_MORE_FILES")] NoMoreFiles = 0x80000006,
    [StatusName("STATUS_STOPPED_ON_SYMLINK")] StoppedOnSymlink = 0x8000002D,
    [StatusName("STATUS_UNSUCCESSFUL")] Unsuccessful = 0xC0000001,
    [StatusName("STATUS_NOT_IMPLEMENTED")] NotImplemented = 0xC0000002,
    [StatusName("STATUS_INVALID_INFO_CLASS")] InvalidInfoClass = 0xC0000003,
    [StatusName("STATUS_INFO_LENGTH_MISMATCH")] InfoLengthMismatch = 0xC0000004,
    [StatusName("STATUS_INVALID_HANDLE")] InvalidHandle = 0xC0000008,
    [StatusName("STATUS_INVALID_PARAMETER")] InvalidParameter = 0xC000000D,
    [StatusName("STATUS_NO_SUCH_DEVICE")] NoSuchDevice = 0xC000000E,
    [StatusName("STATUS_NO_SUCH_FILE")] NoSuchFile = 0xC000000F,
    [StatusName("STATUS_INVALID_DEVICE_REQUEST")] InvalidDeviceRequest = 0xC0000010,
    [StatusName("STATUS_END_OF_FILE")] EndOfFile = 0xC0000011,
    [StatusName("STATUS_MORE_PROCESSING_REQUIRED")] MoreProcessingRequired = 0xC0000016,
    [StatusName("STATUS_NO_MEMORY")] NoMemory = 0xC0000017,
    [StatusName("STATUS_INVALID_VIEW_SIZE")] InvalidViewSize = 0xC000001F,
    [StatusName("STATUS_ACCESS_DENIED")] AccessDenied = 0xC0000022,
    [StatusName("STATUS_BUFFER_TOO_SMALL")] BufferTooSmall = 0xC0000023,
    [StatusName("STATUS_OBJECT_TYPE_MISMATCH")] ObjectTypeMismatch = 0xC0000024,
    [StatusName("STATUS_OBJECT_NAME_INVALID")] ObjectNameInvalid = 0xC0000033,
    [StatusName("STATUS_OBJECT_NAME_NOT_FOUND")] ObjectNameNotFound = 0xC0000034,
    [StatusName("STATUS_OBJECT_NAME_COLLISION")] ObjectNameCollision = 0xC0000035,
    [StatusName("STATUS_OBJECT_PATH_INVALID")] ObjectPathInvalid = 0xC0000039,
    [StatusName("STATUS_OBJECT_PATH_NOT_FOUND")] ObjectPathNotFound = 0xC000003A,
    [StatusName("STATUS_OBJECT_PATH_SYNTAX_BAD")] ObjectPathSyntaxBad = 0xC000003B,
    [StatusName("STATUS_DATA_ERROR")] DataError = 0xC000003E,
    [StatusName("STATUS_SHARING_VIOLATION")] SharingViolation = 0xC0000043,
    [StatusName("STATUS_EAS_NOT_SUPPORTED")] EasNotSupported = 0xC000004F,
    [StatusName("STATUS_EA_TOO_LARGE")] EaTooLarge = 0xC0000050,
    [StatusName("STATUS_NONEXISTENT_EA_ENTRY")] NonexistentEaEntry = 0xC0000051,
    [StatusName("STATUS_NO_EAS_ON_FILE")] NoEasOnFile = 0xC0000052,
    [StatusName("STATUS_EA_CORRUPT_ERROR")] EaCorruptError = 0xC0000053,
    [StatusName("STATUS_NO_MORE_EAS")] NoMoreEas = 0x80000012,
    [StatusName("STATUS_INVALID_EA_NAME")] InvalidEaName = 0x80000013,
    [StatusName("STATUS_EA_LIST_INCONSISTENT")] EaListInconsistent = 0x80000014,
    [StatusName("STATUS_FILE_LOCK_CONFLICT")] FileLockConflict = 0xC0000054,
    [StatusName("STATUS_LOCK_NOT_GRANTED")] LockNotGranted = 0xC0000055,
    [StatusName("STATUS_DELETE_PENDING")] DeletePending = 0xC0000056,
    [StatusName("STATUS_INVALID_OWNER")] InvalidOwner = 0xC000005A,
    [StatusName("STATUS_INVALID_PRIMARY_GROUP")] InvalidPrimaryGroup = 0xC000005B,
    [StatusName("STATUS_PRIVILEGE_NOT_HELD")] PrivilegeNotHeld = 0xC0000061,
    [StatusName("STATUS_WRONG_PASSWORD")] WrongPassword = 0xC000006A,
    [StatusName("STATUS_LOGON_FAILURE")] LogonFailure = 0xC000006D,
    [StatusName("STATUS_ACCOUNT_RESTRICTION")] AccountRestriction = 0xC000006E,
    [StatusName("STATUS_PASSWORD_EXPIRED")] PasswordExpired = 0xC0000071,
    [StatusName("STATUS_ACCOUNT_DISABLED")] AccountDisabled = 0xC0000072,
    [StatusName("STATUS_NONE_MAPPED")] NoneMapped = 0xC0000073,
    [StatusName("STATUS_INVALID_ACL")] InvalidAcl = 0xC0000077,
    [StatusName("STATUS_RANGE_NOT_LOCKED")] RangeNotLocked = 0xC000007E,
    [StatusName("STATUS_INVALID_LOCK_RANGE")] InvalidLockRange = 0xC00001A1,
    [StatusName("STATUS_DISK_FULL")] DiskFull = 0xC000007F,
    [StatusName("STATUS_INSUFFICIENT_RESOURCES")] InsufficientResources = 0xC000009A,
    [StatusName("STATUS_FILE_IS_A_DIRECTORY")] FileIsADirectory = 0xC00000BA,
    [StatusName("STATUS_NOT_SUPPORTED")] NotSupported = 0xC00000BB,
    [StatusName("STATUS_NETWORK_NAME_DELETED")] NetworkNameDeleted = 0xC00000C9,
    [StatusName("STATUS_NETWORK_ACCESS_DENIED")] NetworkAccessDenied = 0xC00000CA,
    [StatusName("STATUS_BAD_DEVICE_TYPE")] BadDeviceType = 0xC00000CB,
    [StatusName("STATUS_BAD_NETWORK_NAME")] BadNetworkName = 0xC00000CC,
    [StatusName("STATUS_REQUEST_NOT_ACCEPTED")] RequestNotAccepted = 0xC00000D0,
    [StatusName("STATUS_PIPE_NOT_AVAILABLE")] PipeNotAvailable = 0xC00000AC,
    [StatusName("STATUS_INVALID_PIPE_STATE")] InvalidPipeState = 0xC00000AD,
    [StatusName("STATUS_PIPE_BUSY")] PipeBusy = 0xC00000AE,
    [StatusName("STATUS_PIPE_DISCONNECTED")] PipeDisconnected = 0xC00000B0,
    [StatusName("STATUS_PIPE_CLOSING")] PipeClosing = 0xC00000B1,
    [StatusName("STATUS_PIPE_BROKEN")] PipeBroken = 0xC000014B,
    [StatusName("STATUS_IO_TIMEOUT")] IoTimeout = 0xC00000B5,
    [StatusName("STATUS_FILE_CLOSED")] FileClosed = 0xC0000128,
    [StatusName("STATUS_INTERNAL_ERROR")] InternalError = 0xC00000E5,
    [StatusName("STATUS_DIRECTORY_NOT_EMPTY")] DirectoryNotEmpty = 0xC0000101,
    [StatusName("STATUS_NOT_A_DIRECTORY")] NotADirectory = 0xC0000103,
    [StatusName("STATUS_CANCELLED")] Cancelled = 0xC0000120,
    [StatusName("STATUS_CANNOT_DELETE")] CannotDelete = 0xC0000121,
    [StatusName("STATUS_INVALID_LEVEL")] InvalidLevel = 0xC0000148,
    [StatusName("STATUS_NO_SUCH_LOGON_SESSION")] NoSuchLogonSession = 0xC000005F,
    [StatusName("STATUS_INVALID_DEVICE_STATE")] InvalidDeviceState = 0xC0000184,
    [StatusName("STATUS_NETWORK_SESSION_EXPIRED")] NetworkSessionExpired = 0xC000035C,
    [StatusName("STATUS_REQUEST_OUT_OF_SEQUENCE")] RequestOutOfSequence = 0xC000042A,
    [StatusName("STATUS_USER_SESSION_DELETED")] UserSessionDeleted = 0xC0000203,
    [StatusName("STATUS_INSUFF_SERVER_RESOURCES")] InsuffServerResources = 0xC0000205,
    [StatusName("STATUS_NOT_FOUND")] NotFound = 0xC0000225,
    [StatusName("STATUS_DUPLICATE_OBJECTID")] DuplicateObjectId = 0xC000022A,
    [StatusName("STATUS_OBJECTID_NOT_FOUND")] ObjectIdNotFound = 0xC00002F0,
    [StatusName("STATUS_FS_DRIVER_REQUIRED")] FsDriverRequired = 0xC000019C,
    [StatusName("STATUS_NOT_SAME_DEVICE")] NotSameDevice = 0xC00000D4,
    [StatusName("STATUS_FILE_RENAMED")] FileRenamed = 0xC00000D5,
    [StatusName("STATUS_INVALID_NETWORK_RESPONSE")] InvalidNetworkResponse = 0xC00000C3,
    [StatusName("STATUS_CONNECTION_DISCONNECTED")] ConnectionDisconnected = 0xC000020C,
    [StatusName("STATUS_CONNECTION_RESET")] ConnectionReset = 0xC000020D,
    [StatusName("STATUS_TOO_MANY_OPENED_FILES")] TooManyOpenedFiles = 0xC000011F,
    [StatusName("STATUS_SMB_BAD_COMMAND")] SmbBadCommand = 0x00160002,
    [StatusName("STATUS_BAD_IMPERSONATION_LEVEL")] BadImpersonationLevel = 0xC00000A5,
    [StatusName("STATUS_INVALID_SID")] InvalidSid = 0xC0000078,
    [StatusName("STATUS_INVALID_SECURITY_DESCR")] InvalidSecurityDescr = 0xC0000079,
    [StatusName("STATUS_REQUEST_ABORTED")] RequestAborted = 0xC0000240,
    [StatusName("STATUS_FILE_NOT_AVAILABLE")] FileNotAvailable = 0xC0000467,
    [StatusName("STATUS_HASH_NOT_PRESENT")] HashNotPresent = 0xC000A100,
    [StatusName("STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP")] SmbNoPreauthIntegrityHashOverlap = 0xC05D0000,
    [StatusName("STATUS_SERVER_UNAVAILABLE")] ServerUnavailable = 0xC0000466,
    [StatusName("STATUS_NOTIFY_CLEANUP")] NotifyCleanup = 0x0000010B,
    [StatusName("STATUS_OPLOCK_NOT_GRANTED")] OplockNotGranted = 0xC00000E2,
    [StatusName("STATUS_INVALID_OPLOCK_PROTOCOL")] InvalidOplockProtocol = 0xC00000E3,
    [StatusName("STATUS_USER_MAPPED_FILE")] UserMappedFile = 0xC0000243,
    [StatusName("STATUS_MEDIA_WRITE_PROTECTED")] MediaWriteProtected = 0xC00000A2,
    [StatusName("STATUS_OBJECT_NAME_EXISTS")] ObjectNameExists = 0x40000000,
    [StatusName("STATUS_SOME_NOT_MAPPED")] SomeNotMapped = 0x00000107,
    [StatusName("STATUS_WRONG_VOLUME")] WrongVolume = 0xC0000012,
    [StatusName("STATUS_IO_REPARSE_TAG_NOT_HANDLED")] IoReparseTagNotHandled = 0xC0000279,
    [StatusName("STATUS_NOT_A_REPARSE_POINT")] NotAReparsePoint = 0xC0000275,
    [StatusName("STATUS_IO_REPARSE_DATA_INVALID")] IoReparseDataInvalid = 0xC0000278,
    [StatusName("STATUS_DEVICE_FEATURE_NOT_SUPPORTED")] DeviceFeatureNotSupported = 0xC0000463,
}

/// <summary>Marks an <see cref="NtStatus"/> member with its name in [MS-ERREF] 2.3.1.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class StatusNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

public static class NtStatusNames
{
    private static readonly Dictionary<NtStatus, string> ByValue = Build();

    /// <summary>The STATUS_ name, or the hex value for a status this enum does not list.</summary>
    public static string ToStatusName(this NtStatus status) =>
        ByValue.TryGetValue(status, out var name) ? name : $"0x{(uint)status:X8}";

    /// <summary>Errors have severity 3 (top two bits set); warnings (0x8...) and successes carry a body.</summary>
    public static bool IsError(this NtStatus status) => ((uint)status >> 30) == 3;

    private static Dictionary<NtStatus, string> Build()
    {
        var map = new Dictionary<NtStatus, string>();
        foreach (var field in typeof(NtStatus).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            var attr = (StatusNameAttribute?)Attribute.GetCustomAttribute(field, typeof(StatusNameAttribute));
            if (attr is not null) map.TryAdd((NtStatus)field.GetValue(null)!, attr.Name);
        }
        return map;
    }
}
