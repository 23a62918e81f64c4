using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// The enumerations of live server state: sessions, tree connections and open files, and the character devices
/// and queues of [MS-SRVS] 3.1.4.1-3.1.4.7. No server-wide session/open registry is reachable from RPC yet, so the
/// lists are empty, but levels, filters and the NDR of every container are what the spec says.
/// </summary>
public sealed partial class SrvsvcService
{
    private static bool IsLevel0Or1(uint level) => level <= 1;
    private static bool IsFileLevel(uint level) => level is 2 or 3;
    private static bool IsSessionLevel(uint level) => level is 0 or 1 or 2 or 10 or 502;

    /// <summary>
    /// [MS-SRVS] 3.1.4.1 NetrCharDevEnum: ServerName, InfoStruct (CHARDEV_ENUM_STRUCT), PreferedMaximumLength,
    /// ResumeHandle. Character devices belong to LAN Manager; Windows answers ERROR_NOT_SUPPORTED, so does this server.
    /// </summary>
    private uint NetrCharDevEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !EnumStruct.TryReadEmpty(ref r, IsLevel0Or1, out uint level)
            || !EnumStruct.TryReadTail(ref r, out _, out uint resumePtr, out _))
            return RpcFaultStatus.BadStubData;
        return NotSupported(w, level, IsLevel0Or1(level), resumePtr);
    }

    /// <summary>[MS-SRVS] 3.1.4.5 NetrCharDevQEnum: as NetrCharDevEnum with an [in, string, unique] UserName first.</summary>
    private uint NetrCharDevQEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !TryReadOptionalString(ref r, out _)
            || !EnumStruct.TryReadEmpty(ref r, IsLevel0Or1, out uint level)
            || !EnumStruct.TryReadTail(ref r, out _, out uint resumePtr, out _))
            return RpcFaultStatus.BadStubData;
        return NotSupported(w, level, IsLevel0Or1(level), resumePtr);
    }

    private static uint NotSupported(NdrWriter w, uint level, bool isArm, uint resumePtr)
    {
        EnumStruct.Write(w, level, isArm, served: false, 0, null);
        EnumStruct.WriteTail(w, 0, resumePtr, 0, Win32Error.NotSupported);
        return 0;
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.1 NetrConnectionEnum: ServerName, Qualifier ([in, string, unique]: a share name, or a
    /// client computer name "\\name"), InfoStruct (CONNECT_ENUM_STRUCT, levels 0 and 1), PreferedMaximumLength,
    /// ResumeHandle. A missing qualifier is ERROR_INVALID_PARAMETER and an unknown share NERR_NetNameNotFound.
    /// </summary>
    private uint NetrConnectionEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !TryReadOptionalString(ref r, out var qualifier)
            || !EnumStruct.TryReadEmpty(ref r, IsLevel0Or1, out uint level)
            || !EnumStruct.TryReadTail(ref r, out _, out uint resumePtr, out _))
            return RpcFaultStatus.BadStubData;

        uint status = Win32Error.Success;
        if (!IsLevel0Or1(level)) status = Win32Error.InvalidLevel;
        else if (string.IsNullOrEmpty(qualifier)) status = Win32Error.InvalidParameter;
        else if (!qualifier.StartsWith(@"\\", StringComparison.Ordinal) && !_shares.TryGet(qualifier, out _))
            status = Win32Error.NetNameNotFound;
        return EmptyList(w, level, IsLevel0Or1(level), status, resumePtr);
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.3 NetrFileEnum: ServerName, BasePath and UserName ([in, string, unique] filters), InfoStruct
    /// (FILE_ENUM_STRUCT, levels 2 and 3), PreferedMaximumLength, ResumeHandle.
    /// </summary>
    private uint NetrFileEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !TryReadOptionalString(ref r, out _) || !TryReadOptionalString(ref r, out _)
            || !EnumStruct.TryReadEmpty(ref r, IsFileLevel, out uint level)
            || !EnumStruct.TryReadTail(ref r, out _, out uint resumePtr, out _))
            return RpcFaultStatus.BadStubData;
        uint status = IsFileLevel(level) ? Win32Error.Success : Win32Error.InvalidLevel;
        return EmptyList(w, level, IsFileLevel(level), status, resumePtr);
    }

    /// <summary>
    /// [MS-SRVS] 3.1.4.5 NetrSessionEnum: ServerName, ClientName and UserName ([in, string, unique] filters),
    /// InfoStruct (SESSION_ENUM_STRUCT, levels 0, 1, 2, 10, 502), PreferedMaximumLength, ResumeHandle. With a
    /// filter that no session matches the call fails: NERR_ClientNameNotFound, NERR_UserNotFound.
    /// </summary>
    private uint NetrSessionEnum(ReadOnlySpan<byte> stub, RpcCallContext call, NdrWriter w)
    {
        var r = new NdrReader(stub);
        if (!TrySkipServerName(ref r) || !TryReadOptionalString(ref r, out var client) || !TryReadOptionalString(ref r, out var user)
            || !EnumStruct.TryReadEmpty(ref r, IsSessionLevel, out uint level)
            || !EnumStruct.TryReadTail(ref r, out _, out uint resumePtr, out _))
            return RpcFaultStatus.BadStubData;

        uint status = Win32Error.Success;
        if (!IsSessionLevel(level)) status = Win32Error.InvalidLevel;
        else if (!string.IsNullOrEmpty(client)) status = Win32Error.ClientNameNotFound;
        else if (!string.IsNullOrEmpty(user)) status = Win32Error.UserNotFound;
        return EmptyList(w, level, IsSessionLevel(level), status, resumePtr);
    }

    /// <summary>
    /// An enumeration's answer with no entries: an empty container on success, none on failure, TotalEntries 0,
    /// the ResumeHandle back as 0 when the client sent one.
    /// </summary>
    private static uint EmptyList(NdrWriter w, uint level, bool isArm, uint status, uint resumePtr)
    {
        EnumStruct.Write(w, level, isArm, served: status == Win32Error.Success, 0, null);
        EnumStruct.WriteTail(w, 0, resumePtr, 0, status);
        return 0;
    }
}
