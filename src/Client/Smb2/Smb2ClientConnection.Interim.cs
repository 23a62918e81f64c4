using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Client.Smb2;

/// <summary>
/// [MS-SMB2] 3.2.5.1.5 Handling Asynchronous Responses: a response with SMB2_FLAGS_ASYNC_COMMAND and STATUS_PENDING is
/// an interim response. The client keeps the request outstanding, notes its AsyncId (what a CANCEL of it names), and
/// waits for the final response with the same MessageId. <see cref="Smb2ClientConnection.SendAsync"/> does that unless
/// asked to return the interim one.
/// </summary>
public sealed partial class Smb2ClientConnection
{
    /// <summary>Return interim responses from <see cref="SendAsync"/> as if they were final (the tests that CANCEL an
    /// async request, or read its final response themselves with <see cref="ReceiveAsync"/>). Off by default.</summary>
    public bool ReturnInterimResponses { get; set; }

    /// <summary>The last interim response <see cref="SendAsync"/> waited past (its AsyncId is
    /// <c>LastInterimResponse.Header.AsyncId</c>); null before any.</summary>
    public Smb2Response? LastInterimResponse { get; private set; }

    /// <summary>Raised on the reading thread for every interim response <see cref="SendAsync"/> waits past.</summary>
    public event Action<Smb2Response>? InterimReceived;

    /// <summary>Whether <paramref name="response"/> is an interim response ([MS-SMB2] 3.3.4.2: async header, STATUS_PENDING)
    /// to the request sent with <paramref name="messageId"/>.</summary>
    public static bool IsInterimResponseTo(Smb2Response response, ulong messageId)
    {
        var header = response.Header;
        return header.IsAsync && header.Status == NtStatus.Pending && header.MessageId == messageId;
    }

    /// <summary>The response to <paramref name="messageId"/>: break notifications arriving first are collected (when
    /// <see cref="CollectBreaks"/> is set), interim responses waited past unless <paramref name="returnInterim"/>.</summary>
    private async Task<Smb2Response> ReceiveResponseToAsync(ulong messageId, bool returnInterim)
    {
        while (true)
        {
            var response = await ReceiveAsync().ConfigureAwait(false);
            // [MS-SMB2] 3.2.5.19: a break notification may come before the response; it is not the response.
            if (CollectIfBreak(response)) continue;
            if (returnInterim || !IsInterimResponseTo(response, messageId)) return response;
            LastInterimResponse = response;
            InterimReceived?.Invoke(response);
        }
    }
}
