using FastSmb.Control.Auth;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Control.Smb2;

/// <summary>
/// One leg of the GSS (SPNEGO) exchange of a SESSION_SETUP ([MS-SMB2] 3.3.5.5.3), shared by a new session's logon
/// (<see cref="SessionSetupHandler"/>) and a channel's binding (<see cref="SessionBindingHandler"/>). They differ in
/// two things, which are the parameters: who holds the exchange between legs (the session, or the channel being
/// bound: <c>pending</c>), and how an interim response is signed (a logon's is not; a binding's is, with
/// Session.SigningKey). Stateless.
/// </summary>
internal static class GssLeg
{
    /// <summary>
    /// Feeds <paramref name="input"/> to the exchange held in <paramref name="pending"/> (a new one when none).
    /// STATUS_MORE_PROCESSING_REQUIRED: the interim response carrying the next token is written, extends
    /// <paramref name="preauthHash"/> (3.1.1) and the exchange stays in <paramref name="pending"/>. Otherwise the
    /// exchange is over (<paramref name="pending"/> cleared): the caller checks <paramref name="context"/>'s outcome
    /// and writes the final response with <see cref="WriteResponse"/> and <paramref name="token"/>.
    /// </summary>
    public static NtStatus Step(ISecurityContextFactory security, ref object? pending, ReadOnlySpan<byte> input,
        ref Smb2Request request, ResponseBuffer response, bool signInterim, PreauthIntegrity? preauthHash,
        out ISecurityContext context, out byte[]? token)
    {
        context = pending as ISecurityContext ?? security.Create();
        var status = context.Accept(input, out token);
        if (status != NtStatus.MoreProcessingRequired)
        {
            pending = null;
            return status;
        }
        pending = context;
        // Unsigned, the dispatcher signs nothing; signed, it uses Session.SigningKey while the channel has no key.
        if (!signInterim) request.SuppressSignResponse = true;
        // Responses asking for another leg extend the hash; the final (successful) one does not.
        if (preauthHash is not null) request.HashResponseInto = preauthHash;
        WriteResponse(response, 0, token);
        return status;
    }

    /// <summary>The SESSION_SETUP response body ([MS-SMB2] 2.2.6) with the exchange's token.</summary>
    public static void WriteResponse(ResponseBuffer response, ushort sessionFlags, byte[]? token) =>
        response.Advance(SessionSetupResponse.Write(response.GetBodySpan(64 + (token?.Length ?? 0)), sessionFlags, token));
}
