using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Security.Spnego;

namespace FastSmb.Protocol.Security;

/// <summary>
/// The client side of SESSION_SETUP's security exchange: SPNEGO ([MS-SPNG], RFC 4178) carrying NTLMSSP.
/// Call <see cref="Step"/> first with the NEGOTIATE response's security buffer (or nothing), send what it
/// returns, and feed it each SESSION_SETUP response's buffer until it returns STATUS_SUCCESS. Then
/// <see cref="SessionKey"/> is the key SMB2 derives its signing keys from. One per logon; not thread-safe.
/// </summary>
public sealed class SpnegoNtlmInitiator
{
    private static readonly string[] MechTypes = [SpnegoOids.Ntlmssp];
    private readonly NtlmClient _ntlm;
    private readonly bool _rawNtlm;
    private int _step;
    private NtlmSessionSecurity? _security;

    /// <param name="ntlm">The NTLM initiator with the credentials.</param>
    /// <param name="rawNtlm">Send bare NTLMSSP tokens without SPNEGO (some clients do; servers accept both).</param>
    public SpnegoNtlmInitiator(NtlmClient ntlm, bool rawNtlm = false)
    {
        _ntlm = ntlm;
        _rawNtlm = rawNtlm;
    }

    public bool IsComplete { get; private set; }
    /// <summary>ExportedSessionKey (16 bytes) after success; empty for an anonymous logon.</summary>
    public byte[] SessionKey => IsComplete ? _ntlm.ExportedSessionKey : [];
    public bool IsAnonymous => _ntlm.IsAnonymous;

    /// <summary>
    /// Consumes the server's token and produces the next one. STATUS_MORE_PROCESSING_REQUIRED: send
    /// <paramref name="outputToken"/> and call again with the reply; STATUS_SUCCESS: done (nothing to send);
    /// STATUS_INVALID_PARAMETER / STATUS_LOGON_FAILURE: the server's token was malformed, rejected us, or its
    /// mechListMIC was wrong.
    /// </summary>
    public NtStatus Step(ReadOnlySpan<byte> inputToken, out byte[]? outputToken)
    {
        outputToken = null;
        switch (_step)
        {
            case 0:
            {
                // The NEGOTIATE hint, if any, is advisory ([MS-SPNG] 3.1.5.1); we offer NTLMSSP only.
                byte[] negotiate = _ntlm.CreateNegotiate();
                outputToken = _rawNtlm ? negotiate : NegTokenInit.Encode(MechTypes, negotiate);
                _step = 1;
                return NtStatus.MoreProcessingRequired;
            }
            case 1:
            {
                ReadOnlySpan<byte> challenge = inputToken;
                if (!_rawNtlm)
                {
                    if (!NegTokenResp.TryParse(inputToken, out var resp)) return NtStatus.InvalidParameter;
                    if (resp.State == NegState.Reject) return NtStatus.LogonFailure;
                    if (resp.SupportedMech is { } m && m != SpnegoOids.Ntlmssp) return NtStatus.NotSupported;
                    if (resp.ResponseToken is null) return NtStatus.InvalidParameter;
                    challenge = resp.ResponseToken;
                }
                if (!_ntlm.TryProcessChallenge(challenge, out var authenticate)) return NtStatus.InvalidParameter;
                if (_rawNtlm)
                {
                    outputToken = authenticate;
                }
                else
                {
                    // [MS-SPNG] 3.1.5.1: with NTLM's MIC in use, send mechListMIC = GSS_GetMIC(mechTypes).
                    _security = _ntlm.CreateSessionSecurity();
                    byte[]? mic = _security?.Sign(NegTokenInit.EncodeMechTypes(MechTypes));
                    outputToken = new NegTokenResp { ResponseToken = authenticate, MechListMic = mic }.Encode();
                }
                _step = 2;
                return NtStatus.MoreProcessingRequired;
            }
            case 2:
            {
                if (!_rawNtlm && !inputToken.IsEmpty)
                {
                    if (!NegTokenResp.TryParse(inputToken, out var resp)) return NtStatus.InvalidParameter;
                    if (resp.State is NegState.Reject) return NtStatus.LogonFailure;
                    if (resp.MechListMic is not null && _security is not null
                        && !_security.Verify(NegTokenInit.EncodeMechTypes(MechTypes), resp.MechListMic))
                        return NtStatus.LogonFailure;
                }
                IsComplete = true;
                _step = 3;
                return NtStatus.Success;
            }
            default:
                return NtStatus.InvalidParameter;
        }
    }
}
