using FastSmb.Control.Users;
using FastSmb.Protocol;
using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Security.Spnego;

namespace FastSmb.Control.Auth;

/// <summary>
/// One SPNEGO exchange carrying NTLMSSP ([MS-SPNG] 3.2.5, RFC 4178), as SESSION_SETUP drives it:
/// NegTokenInit(NTLM NEGOTIATE) → NegTokenResp(accept-incomplete, NTLMSSP, CHALLENGE) with
/// STATUS_MORE_PROCESSING_REQUIRED; NegTokenResp(AUTHENTICATE, mechListMIC) → NegTokenResp(accept-completed,
/// mechListMIC) with STATUS_SUCCESS. Bare NTLMSSP tokens ("NTLMSSP\0…") are accepted too and answered bare.
/// Owned by the connection's thread; not thread-safe.
/// </summary>
public sealed class SpnegoSecurityContext : ISecurityContext
{
    private enum Stage { Initial, AwaitNegotiate, AwaitAuthenticate, Done, Failed }

    private readonly NtlmServer _ntlm;
    private Stage _stage = Stage.Initial;
    private bool _raw;
    private byte[] _mechTypesEncoded = [];
    private bool _ntlmWasPreferred = true;

    internal SpnegoSecurityContext(IUserStore users, ServerIdentity names, byte[]? fixedChallenge = null,
        byte[]? replayedChallengeMessage = null)
    {
        NtHashLookup lookup = (string user, out byte[] hash) =>
        {
            if (users.TryGet(user, out var account) && !account.Disabled) { hash = account.NtHash; return true; }
            hash = [];
            return false;
        };
        _ntlm = replayedChallengeMessage is null
            ? new NtlmServer(names, lookup, fixedChallenge)
            : NtlmServer.ForReplay(names, lookup, replayedChallengeMessage);
    }

    public AuthenticatedIdentity? Identity { get; private set; }

    public ReadOnlySpan<byte> SessionKey => Identity is null ? default : _ntlm.ExportedSessionKey;

    public NtStatus Accept(ReadOnlySpan<byte> inputToken, out byte[]? outputToken)
    {
        outputToken = null;
        NtStatus status = _stage switch
        {
            Stage.Initial => AcceptFirst(inputToken, out outputToken),
            Stage.AwaitNegotiate => AcceptNegotiateResp(inputToken, out outputToken),
            Stage.AwaitAuthenticate => AcceptAuthenticate(inputToken, out outputToken),
            _ => NtStatus.InvalidParameter,
        };
        if (status != NtStatus.Success && status != NtStatus.MoreProcessingRequired) _stage = Stage.Failed;
        return status;
    }

    private NtStatus AcceptFirst(ReadOnlySpan<byte> token, out byte[]? output)
    {
        output = null;
        if (IsRawNtlm(token))
        {
            _raw = true;
            return Negotiate(token, out output);
        }
        if (!NegTokenInit.TryParse(token, out var init)) return NtStatus.InvalidParameter;
        _mechTypesEncoded = init.MechTypesEncoded;
        if (!init.MechTypes.Contains(SpnegoOids.Ntlmssp))
        {
            output = new NegTokenResp { State = NegState.Reject }.Encode();
            return NtStatus.LogonFailure;
        }
        _ntlmWasPreferred = init.MechTypes[0] == SpnegoOids.Ntlmssp;
        if (!_ntlmWasPreferred || init.MechToken is null)
        {
            // The optimistic token (if any) is for a mechanism we do not run: select NTLMSSP and wait for its
            // NEGOTIATE (RFC 4178 5 c). The mechListMIC then becomes mandatory (RFC 4178 5 d).
            output = new NegTokenResp { State = NegState.AcceptIncomplete, SupportedMech = SpnegoOids.Ntlmssp }.Encode();
            _stage = Stage.AwaitNegotiate;
            return NtStatus.MoreProcessingRequired;
        }
        return Negotiate(init.MechToken, out output);
    }

    private NtStatus AcceptNegotiateResp(ReadOnlySpan<byte> token, out byte[]? output)
    {
        output = null;
        if (!NegTokenResp.TryParse(token, out var resp) || resp.ResponseToken is null) return NtStatus.InvalidParameter;
        return Negotiate(resp.ResponseToken, out output);
    }

    private NtStatus Negotiate(ReadOnlySpan<byte> ntlmNegotiate, out byte[]? output)
    {
        output = null;
        NtStatus status = _ntlm.ProcessNegotiate(ntlmNegotiate, out var challenge);
        if (status != NtStatus.MoreProcessingRequired) return status;
        output = _raw ? challenge
            : new NegTokenResp { State = NegState.AcceptIncomplete, SupportedMech = SpnegoOids.Ntlmssp, ResponseToken = challenge }.Encode();
        _stage = Stage.AwaitAuthenticate;
        return NtStatus.MoreProcessingRequired;
    }

    private NtStatus AcceptAuthenticate(ReadOnlySpan<byte> token, out byte[]? output)
    {
        output = null;
        byte[]? clientMic = null;
        ReadOnlySpan<byte> authenticate = token;
        if (!_raw)
        {
            if (!NegTokenResp.TryParse(token, out var resp) || resp.ResponseToken is null) return NtStatus.InvalidParameter;
            authenticate = resp.ResponseToken;
            clientMic = resp.MechListMic;
        }

        NtStatus status = _ntlm.ProcessAuthenticate(authenticate);
        if (status != NtStatus.Success) return status;

        byte[]? serverMic = null;
        if (!_raw && !_ntlm.IsAnonymous)
        {
            // [MS-SPNG] 3.2.5.1 / RFC 4178 5: the mechListMIC is required when NTLM produced a MIC (Windows and
            // Samba then always send one) or when NTLM was not the client's first choice; verify it when sent,
            // with the client's signing key and sealing handle at sequence number 0, and answer with ours.
            bool required = !_ntlmWasPreferred || NtlmMicWasSent(authenticate);
            var security = _ntlm.CreateSessionSecurity()!;
            if (clientMic is not null)
            {
                if (!security.Verify(_mechTypesEncoded, clientMic)) return NtStatus.LogonFailure;
                serverMic = security.Sign(_mechTypesEncoded);
            }
            else if (required)
            {
                return NtStatus.LogonFailure;
            }
        }

        Identity = new AuthenticatedIdentity(_ntlm.UserName, _ntlm.DomainName, IsGuest: false, _ntlm.IsAnonymous);
        _stage = Stage.Done;
        output = _raw ? null : new NegTokenResp { State = NegState.AcceptCompleted, MechListMic = serverMic }.Encode();
        return NtStatus.Success;
    }

    private static bool NtlmMicWasSent(ReadOnlySpan<byte> authenticate)
    {
        if (!NtlmAuthenticateMessage.TryParse(authenticate, out var auth)) return false;
        var nt = auth.NtChallengeResponse;
        if (nt.Length < 16 + NtlmV2.ClientChallengeHeaderSize) return false;
        return (AvPairs.GetFlags(nt[(16 + NtlmV2.ClientChallengeHeaderSize)..]) & AvFlags.MicPresent) != 0;
    }

    private static bool IsRawNtlm(ReadOnlySpan<byte> token) => token.StartsWith("NTLMSSP\0"u8);
}
