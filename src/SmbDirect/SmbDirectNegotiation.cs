using FastSmb.Protocol;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.SmbDirect;

/// <summary>What a negotiate exchange settled ([MS-SMBD] 3.1.5.6 / 3.1.5.7), or why it failed.</summary>
public sealed record SmbDirectParameters(int MaxSendSize, int MaxReceiveSize, int MaxFragmentedSendSize, int MaxFragmentedReceiveSize,
    int MaxReadWriteSize, int InitialSendCredits, int ReceiveCreditTarget);

/// <summary>The negotiate rules as pure functions, so each MUST is testable without a connection.</summary>
public static class SmbDirectNegotiation
{
    public enum RequestVerdict
    {
        Accept,
        /// <summary>"generate a Negotiate Response failure message ... STATUS_NOT_SUPPORTED" (3.1.5.6).</summary>
        NotSupported,
        /// <summary>"terminate the connection and stop processing the message" (3.1.5.6).</summary>
        Terminate,
    }

    /// <summary>[MS-SMBD] 3.1.5.6 Receiving a Negotiate Request Message (listener side).</summary>
    public static RequestVerdict JudgeRequest(ReadOnlySpan<byte> message, SmbDirectOptions local, out SmbDirectParameters? parameters,
        out string? reason)
    {
        parameters = null;
        if (!SmbDirectNegotiateRequest.TryParse(message, out var req)) { reason = "negotiate request shorter than 20 bytes"; return RequestVerdict.Terminate; }
        if (!req.OffersVersion1) { reason = $"no common version in 0x{req.MinVersion:X4}..0x{req.MaxVersion:X4}"; return RequestVerdict.NotSupported; }
        if (req.CreditsRequested == 0) { reason = "CreditsRequested is 0"; return RequestVerdict.Terminate; }
        if (req.MaxReceiveSize < SmbDirectProtocol.MinReceiveSize) { reason = $"MaxReceiveSize {req.MaxReceiveSize} < 128"; return RequestVerdict.Terminate; }
        if (req.MaxFragmentedSize < SmbDirectProtocol.MinFragmentedSize) { reason = $"MaxFragmentedSize {req.MaxFragmentedSize} < 131072"; return RequestVerdict.Terminate; }
        reason = null;
        parameters = new SmbDirectParameters(
            // "Set Connection.MaxSendSize to the smaller of Connection.MaxSendSize and the value of the received MaxReceiveSize."
            MaxSendSize: (int)Math.Min((uint)local.MaxSendSize, req.MaxReceiveSize),
            // "Connection.MaxReceiveSize to the smaller of ... and the received PreferredSendSize ... If the result is less than 128 ... 128."
            MaxReceiveSize: Math.Max(SmbDirectProtocol.MinReceiveSize, (int)Math.Min((uint)local.MaxReceiveSize, req.PreferredSendSize)),
            MaxFragmentedSendSize: (int)Math.Min(req.MaxFragmentedSize, int.MaxValue),
            MaxFragmentedReceiveSize: local.MaxFragmentedSize,
            MaxReadWriteSize: local.MaxReadWriteSize,
            // The request grants nothing: the listener may send nothing but the response until the first data transfer grants.
            InitialSendCredits: 0,
            ReceiveCreditTarget: Math.Min(req.CreditsRequested, local.ReceiveCreditMax));
        return RequestVerdict.Accept;
    }

    /// <summary>[MS-SMBD] 3.1.5.7 Receiving a Negotiate Response Message (initiator side); null and a reason when it must terminate.</summary>
    public static SmbDirectParameters? JudgeResponse(ReadOnlySpan<byte> message, SmbDirectOptions local, out string? reason)
    {
        reason = null;
        if (!SmbDirectNegotiateResponse.TryParse(message, out var r)) reason = "negotiate response shorter than 32 bytes";
        else if (r.Status != NtStatus.Success) reason = $"peer refused: status 0x{(uint)r.Status:X8}";
        else if (r.NegotiatedVersion != SmbDirectProtocol.Version1) reason = $"NegotiatedVersion 0x{r.NegotiatedVersion:X4}";
        else if (r.MaxReceiveSize < SmbDirectProtocol.MinReceiveSize) reason = $"MaxReceiveSize {r.MaxReceiveSize} < 128";
        else if (r.MaxFragmentedSize < SmbDirectProtocol.MinFragmentedSize) reason = $"MaxFragmentedSize {r.MaxFragmentedSize} < 131072";
        else if (r.CreditsGranted == 0) reason = "CreditsGranted is 0";
        else if (r.CreditsRequested == 0) reason = "CreditsRequested is 0";
        else if (r.PreferredSendSize > (uint)local.MaxReceiveSize) reason = $"PreferredSendSize {r.PreferredSendSize} > our MaxReceiveSize";
        if (reason is not null) return null;
        return new SmbDirectParameters(
            MaxSendSize: (int)Math.Min((uint)local.MaxSendSize, r.MaxReceiveSize),
            MaxReceiveSize: Math.Max(SmbDirectProtocol.MinReceiveSize, (int)Math.Min((uint)local.MaxReceiveSize, r.PreferredSendSize)),
            MaxFragmentedSendSize: (int)Math.Min(r.MaxFragmentedSize, int.MaxValue),
            MaxFragmentedReceiveSize: local.MaxFragmentedSize,
            MaxReadWriteSize: (int)Math.Min((uint)local.MaxReadWriteSize, r.MaxReadWriteSize),
            InitialSendCredits: r.CreditsGranted,
            ReceiveCreditTarget: Math.Min(r.CreditsRequested, local.ReceiveCreditMax));
    }
}
