namespace FastSmb.Protocol.Security.Spnego;

/// <summary>RFC 4178 4.2.2 NegTokenResp negState.</summary>
public enum NegState
{
    AcceptCompleted = 0,
    AcceptIncomplete = 1,
    Reject = 2,
    RequestMic = 3,
}
