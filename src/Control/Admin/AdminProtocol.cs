using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FastSmb.Control.Admin;

/// <summary>
/// One admin request. <see cref="Command"/> is one of <see cref="AdminCommands"/>; the other fields are its
/// arguments. Passwords never travel: the CLI sends the NT hash (hex), which is all the directory stores.
/// </summary>
public sealed record AdminRequest(string Command)
{
    public string? Name { get; init; }
    public string? NtHash { get; init; }
    public string? Path { get; init; }
    public string? Comment { get; init; }
    public bool ReadOnly { get; init; }
    public string? Member { get; init; }
    /// <summary>user.add: the Unix uid/gid the user's file calls run as (null: the Unix account of that name).</summary>
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
}

public sealed record AdminUser(string Name, string Sid, bool Disabled)
{
    /// <summary>The uid/gid set in the directory, null when the Unix account of the same name decides.</summary>
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
}
public sealed record AdminGroup(string Name, string Sid, IReadOnlyList<string> Members);
public sealed record AdminShare(string Name, string Path, string Comment, bool ReadOnly, bool Browseable);

/// <summary>The answer: <see cref="Ok"/> and a message, or the error; lists for the list commands.</summary>
public sealed record AdminResponse(bool Ok, string Message)
{
    public IReadOnlyList<AdminUser>? Users { get; init; }
    public IReadOnlyList<AdminGroup>? Groups { get; init; }
    public IReadOnlyList<AdminShare>? Shares { get; init; }
    /// <summary>status: the running server's sessions, tree connects and opens.</summary>
    public FastSmb.Datapath.Sessions.Status.ServerStatus? Status { get; init; }

    public static AdminResponse Success(string message) => new(true, message);
    public static AdminResponse Failure(string message) => new(false, message);
}

/// <summary>The command names of the admin protocol.</summary>
public static class AdminCommands
{
    public const string UserAdd = "user.add", UserDel = "user.del", UserList = "user.list", UserPasswd = "user.passwd";
    public const string GroupAdd = "group.add", GroupDel = "group.del", GroupList = "group.list",
        GroupAddMember = "group.addmember", GroupDelMember = "group.delmember";
    public const string ShareAdd = "share.add", ShareDel = "share.del", ShareList = "share.list";
    public const string ConfigReload = "config.reload";
    public const string Status = "status";
}

[JsonSerializable(typeof(AdminRequest))]
[JsonSerializable(typeof(AdminResponse))]
[JsonSerializable(typeof(FastSmb.Datapath.Sessions.Status.ServerStatus))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class AdminJson : JsonSerializerContext;

/// <summary>
/// The admin socket's framing: each message is a 4-byte big-endian length and that many bytes of UTF-8 JSON.
/// One request and one response per connection. Stateless.
/// </summary>
public static partial class AdminFraming
{
    /// <summary>Requests and responses are small; anything bigger is a bug or not our client.</summary>
    public const int MaxMessage = 1 << 20;

    public static Task WriteRequestAsync(Stream s, AdminRequest r, CancellationToken ct) =>
        WriteAsync(s, JsonSerializer.SerializeToUtf8Bytes(r, AdminJson.Default.AdminRequest), ct);

    public static Task WriteResponseAsync(Stream s, AdminResponse r, CancellationToken ct) =>
        WriteAsync(s, JsonSerializer.SerializeToUtf8Bytes(r, AdminJson.Default.AdminResponse), ct);

    public static async Task<AdminRequest?> ReadRequestAsync(Stream s, CancellationToken ct) =>
        await ReadAsync(s, ct).ConfigureAwait(false) is { } body ? JsonSerializer.Deserialize(body, AdminJson.Default.AdminRequest) : null;

    public static async Task<AdminResponse?> ReadResponseAsync(Stream s, CancellationToken ct) =>
        await ReadAsync(s, ct).ConfigureAwait(false) is { } body ? JsonSerializer.Deserialize(body, AdminJson.Default.AdminResponse) : null;

    private static async Task WriteAsync(Stream s, byte[] body, CancellationToken ct)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await s.WriteAsync(frame, ct).ConfigureAwait(false);
        await s.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Null at end of stream or on a length outside 1..<see cref="MaxMessage"/>.</summary>
    private static async Task<byte[]?> ReadAsync(Stream s, CancellationToken ct)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(s, header, ct).ConfigureAwait(false)) return null;
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is <= 0 or > MaxMessage) return null;
        var body = new byte[length];
        return await ReadExactlyOrEndAsync(s, body, ct).ConfigureAwait(false) ? body : null;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream s, byte[] buffer, CancellationToken ct)
    {
        try
        {
            await s.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
