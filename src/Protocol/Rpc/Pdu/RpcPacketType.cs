namespace FastSmb.Protocol.Rpc.Pdu;

/// <summary>[C706] 12.6.4 connection-oriented PDU types (PTYPE), with [MS-RPCE] 2.2.2.1 additions.</summary>
public enum RpcPacketType : byte
{
    Request = 0,
    Response = 2,
    Fault = 3,
    Bind = 11,
    BindAck = 12,
    BindNak = 13,
    AlterContext = 14,
    AlterContextResponse = 15,
    Auth3 = 16,
    Shutdown = 17,
    CoCancel = 18,
    Orphaned = 19,
}

/// <summary>[C706] 12.6.3.1 pfc_flags, with [MS-RPCE] 2.2.2.3 PFC_SUPPORT_HEADER_SIGN sharing bit 0x04.</summary>
[Flags]
public enum RpcPfcFlags : byte
{
    None = 0,
    FirstFrag = 0x01,
    LastFrag = 0x02,
    /// <summary>PFC_PENDING_CANCEL in requests; PFC_SUPPORT_HEADER_SIGN in bind/alter_context ([MS-RPCE] 2.2.2.3).</summary>
    PendingCancelOrSupportHeaderSign = 0x04,
    ConcurrentMultiplex = 0x10,
    DidNotExecute = 0x20,
    Maybe = 0x40,
    ObjectUuid = 0x80,
}
