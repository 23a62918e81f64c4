namespace FastSmb.Control.Rpc;

/// <summary>
/// NET_API_STATUS / WERROR values ([MS-ERREF] 2.2, NERR_* from lmerr.h) that srvsvc and wkssvc routines return
/// as their result. These travel inside a successful response; faults use <c>RpcFaultStatus</c>.
/// </summary>
public static class Win32Error
{
    public const uint Success = 0;
    public const uint AccessDenied = 0x00000005;
    public const uint NotSupported = 0x00000032;
    public const uint InvalidParameter = 0x00000057;
    public const uint InvalidName = 0x0000007B;
    public const uint InvalidLevel = 0x0000007C;
    public const uint MoreData = 0x000000EA;
    /// <summary>NERR_UserNotFound.</summary>
    public const uint UserNotFound = 0x000008AD;
    /// <summary>NERR_NetNameNotFound.</summary>
    public const uint NetNameNotFound = 0x00000906;
    /// <summary>NERR_DeviceNotShared.</summary>
    public const uint DeviceNotShared = 0x00000907;
    /// <summary>NERR_ClientNameNotFound.</summary>
    public const uint ClientNameNotFound = 0x00000908;
}
