using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Datapath.Dispatch;

// Requests answered later without an interim response: a READ whose io_uring read is still running. Unlike an async
// operation ([MS-SMB2] 3.3.4.2) the response is an ordinary synchronous one, only sent after responses to requests
// that arrived later: a client matches responses by MessageId and may have several requests in flight as its credits
// allow ([MS-SMB2] 3.2.5.1), as it does with Windows, whose responses leave in I/O completion order.
public sealed partial class Smb2Dispatcher
{
    /// <summary>Gives a deferred request the header its response will carry (credits granted now, as for any response)
    /// and leaves nothing in this frame: a deferred request is alone in its frame (<see cref="Smb2Request.MayDefer"/>).</summary>
    private static void Defer(ref Smb2Request request, ushort charge, IDeferredResponse deferred, ResponseBuffer response)
    {
        var connection = request.Connection;
        var header = request.Header;
        ushort grant = connection.Credits.Grant(header.CreditRequest, charge);
        var flags = header.Flags & Smb2HeaderFlags.PriorityMask;
        var session = request.Session;
        var signingAlgorithm = SigningAlgorithm.AesCmac;
        var signingKey = session is null ? [] : session.SigningKeyFor(connection, out signingAlgorithm);
        // As ProcessOne: [MS-SMB2] 3.3.4.1.1 (never encrypted here: MayDefer excludes it).
        bool sign = signingKey.Length > 0 && (header.IsSigned || session!.SigningRequired);
        if (sign) flags |= Smb2HeaderFlags.Signed;
        deferred.Deferred(new DeferredResponseHeader(header.Command, charge, grant, flags, header.MessageId,
            request.ResponseTreeId, request.ResponseSessionId, header.ProcessId, sign ? session : null));
        response.Reset();
    }
}

/// <summary>A request whose response is written when its work ends (<see cref="Smb2Request.Deferred"/>).</summary>
public interface IDeferredResponse
{
    /// <summary>Called by the dispatcher once, right after the handler returned, with the response's header.</summary>
    void Deferred(in DeferredResponseHeader header);
}

/// <summary>The header of a deferred response, decided when its request was processed.</summary>
public readonly record struct DeferredResponseHeader(Smb2Command Command, ushort CreditCharge, ushort CreditGrant,
    Smb2HeaderFlags Flags, ulong MessageId, uint TreeId, ulong SessionId, uint ProcessId, Sessions.Smb2Session? SigningSession)
{
    /// <summary>Writes the header over the first 64 bytes of <paramref name="message"/> (header and body, complete) and
    /// signs it when the request asked for a signed response.</summary>
    public void WriteAndSign(Span<byte> message, Connections.Smb2Connection connection, FastSmb.Protocol.NtStatus status)
    {
        Smb2Header.WriteResponse(message, Command, status, CreditCharge, CreditGrant, Flags, MessageId, TreeId, SessionId,
            processId: ProcessId);
        if (SigningSession is { } session)
        {
            var key = session.SigningKeyFor(connection, out var algorithm);
            if (key.Length > 0) Smb2Signer.Sign(message, algorithm, key);
        }
    }
}
