using System.Buffers.Binary;
using System.Text.Json;
using FastSmb.Datapath.Sessions.Status;

namespace FastSmb.Control.Admin;

public static partial class AdminFraming
{
    /// <summary>
    /// Reads one reply frame and decodes it with <see cref="DecodeResponse"/>: a reply cut short (the server died or
    /// closed the socket mid-answer) or damaged is a failed <see cref="AdminResponse"/> that says what was wrong, never
    /// an exception or a silent empty answer.
    /// </summary>
    public static async Task<AdminResponse> ReadResponseOrFailureAsync(Stream s, CancellationToken ct)
    {
        var header = new byte[4];
        int got = await s.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (got < 4) return DecodeResponse(header.AsSpan(0, got));
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is <= 0 or > MaxMessage) return DecodeResponse(header);
        var frame = new byte[4 + length];
        header.CopyTo(frame, 0);
        got = await s.ReadAtLeastAsync(frame.AsMemory(4), length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return DecodeResponse(frame.AsSpan(0, 4 + got));
    }

    /// <summary>
    /// One reply frame (length prefix and JSON) as a response, or a failure naming the defect: no or a short length
    /// prefix, a length outside 1..<see cref="MaxMessage"/>, a body shorter or longer than its length, JSON that does
    /// not parse, or a reply that parses but lacks what every reply has (the message) or what a status reply's lists
    /// hold.
    /// </summary>
    public static AdminResponse DecodeResponse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length == 0) return AdminResponse.Failure("the server closed the admin connection without an answer");
        if (frame.Length < 4) return AdminResponse.Failure($"truncated admin reply: {frame.Length} of 4 length bytes");
        int length = BinaryPrimitives.ReadInt32BigEndian(frame);
        if (length is <= 0 or > MaxMessage) return AdminResponse.Failure($"corrupt admin reply: length {length} is outside 1..{MaxMessage}");
        var body = frame[4..];
        if (body.Length < length) return AdminResponse.Failure($"truncated admin reply: {body.Length} of {length} bytes");
        if (body.Length > length) return AdminResponse.Failure($"corrupt admin reply: {body.Length - length} bytes after its {length}");
        AdminResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(body, AdminJson.Default.AdminResponse);
        }
        catch (JsonException e)
        {
            return AdminResponse.Failure($"corrupt admin reply: {e.Message}");
        }
        if (response is null || response.Message is null) return AdminResponse.Failure("corrupt admin reply: no message");
        // The server never fails without saying why.
        if (!response.Ok && response.Message.Length == 0) return AdminResponse.Failure("corrupt admin reply: a failure without a message");
        if (response.Status is { } status && Incomplete(status) is { } missing)
            return AdminResponse.Failure($"corrupt admin reply: the status has no {missing}");
        return response;
    }

    /// <summary>The first list or name a deserialized status lacks (JSON null where the server always writes one).</summary>
    private static string? Incomplete(ServerStatus status)
    {
        if (status.Sessions is null) return "session list";
        if (status.TreeConnects is null) return "tree connect list";
        if (status.Opens is null) return "open list";
        foreach (var s in status.Sessions)
            if (s is null || s.User is null || s.Domain is null || s.ClientAddress is null || s.Dialect is null
                || s.State is null || s.Channels is null) return "complete session";
        foreach (var t in status.TreeConnects)
            if (t is null || t.Share is null || t.ClientAddress is null || t.User is null) return "complete tree connect";
        foreach (var o in status.Opens)
        {
            if (o is null || o.Share is null || o.Path is null || o.User is null || o.ClientAddress is null
                || o.Caching is null || o.Locks is null) return "complete open";
            foreach (var l in o.Locks)
                if (l is null) return "complete lock";
        }
        return null;
    }
}
