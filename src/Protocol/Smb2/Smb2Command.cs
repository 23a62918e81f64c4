namespace FastSmb.Protocol.Smb2;

/// <summary>[MS-SMB2] 2.2.1 Command codes.</summary>
public enum Smb2Command : ushort
{
    Negotiate = 0x0000,
    SessionSetup = 0x0001,
    Logoff = 0x0002,
    TreeConnect = 0x0003,
    TreeDisconnect = 0x0004,
    Create = 0x0005,
    Close = 0x0006,
    Flush = 0x0007,
    Read = 0x0008,
    Write = 0x0009,
    Lock = 0x000A,
    Ioctl = 0x000B,
    Cancel = 0x000C,
    Echo = 0x000D,
    QueryDirectory = 0x000E,
    ChangeNotify = 0x000F,
    QueryInfo = 0x0010,
    SetInfo = 0x0011,
    OplockBreak = 0x0012,
}

/// <summary>[MS-SMB2] 2.2.1.2 SMB2 Packet Header flags.</summary>
[Flags]
public enum Smb2HeaderFlags : uint
{
    None = 0,
    ServerToRedir = 0x00000001,
    AsyncCommand = 0x00000002,
    RelatedOperations = 0x00000004,
    Signed = 0x00000008,
    PriorityMask = 0x00000070,
    DfsOperations = 0x10000000,
    ReplayOperation = 0x20000000,
}

/// <summary>[MS-SMB2] 2.2.3 Dialect revisions; <see cref="Wildcard"/> answers a multi-protocol SMB1 NEGOTIATE.</summary>
public enum Smb2Dialect : ushort
{
    None = 0,
    Smb202 = 0x0202,
    Smb210 = 0x0210,
    Smb300 = 0x0300,
    Smb302 = 0x0302,
    Smb311 = 0x0311,
    Wildcard = 0x02FF,
}

public static class Smb2DialectExtensions
{
    public static bool IsSmb3(this Smb2Dialect d) => d is Smb2Dialect.Smb300 or Smb2Dialect.Smb302 or Smb2Dialect.Smb311;
    /// <summary>Multi-credit requests (CreditCharge) exist from 2.1 on ([MS-SMB2] 3.3.5.2.5).</summary>
    public static bool SupportsMultiCredit(this Smb2Dialect d) => d >= Smb2Dialect.Smb210 && d != Smb2Dialect.Wildcard;
    public static string ToDisplay(this Smb2Dialect d) => d switch
    {
        Smb2Dialect.Smb202 => "SMB2_02",
        Smb2Dialect.Smb210 => "SMB2_10",
        Smb2Dialect.Smb300 => "SMB3_00",
        Smb2Dialect.Smb302 => "SMB3_02",
        Smb2Dialect.Smb311 => "SMB3_11",
        Smb2Dialect.Wildcard => "SMB2_FF",
        _ => $"0x{(ushort)d:X4}",
    };
}
