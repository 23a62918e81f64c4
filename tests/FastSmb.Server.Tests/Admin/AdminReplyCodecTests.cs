using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FastSmb.Control.Admin;
using FastSmb.Datapath.Sessions.Status;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Server.Tests.Admin;

/// <summary>
/// The admin reply codec (<see cref="AdminFraming.DecodeResponse"/>): a status reply round-trips; every truncation and
/// corruption gives a failed response whose message says what is wrong, never an exception.
/// </summary>
public class AdminReplyCodecTests
{
    private static readonly DateTime s_at = new(2026, 11, 23, 22, 0, 0, DateTimeKind.Utc);

    private static AdminResponse StatusReply() => new(true, "")
    {
        Status = new ServerStatus(s_at,
            [new SessionStatus(0x1234, "tester", "FASTSMB", "127.0.0.1:50000", "3.1.1", "valid", s_at)
                { Signing = "AesCmac", Channels = ["127.0.0.1:50000"] }],
            [new TreeConnectStatus(0x1234, 1, "share", s_at) { User = "tester", ClientAddress = "127.0.0.1:50000" }],
            [new OpenStatus(0, 0, "share", "dir\\file.txt", 77, 78)
            {
                User = "tester", Caching = "lease(RWH)", LeaseKey = Guid.NewGuid(), Durable = true, Disconnected = true,
                DisconnectedUntilUtc = s_at.AddMinutes(1), TimeLeftMs = 60_000, Locks = [new LockStatus(0, 10, true)],
            }]),
    };

    private static byte[] Frame(AdminResponse response)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(response, AdminJson.Default.AdminResponse);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    [Test]
    public void DecodeResponse_StatusReply_RoundTrips()
    {
        var sent = StatusReply();
        var got = AdminFraming.DecodeResponse(Frame(sent));
        Assert.That(got.Ok, Is.True, got.Message);
        var (a, b) = (sent.Status!, got.Status!);
        Assert.That(b.TakenAtUtc, Is.EqualTo(a.TakenAtUtc));
        Assert.That(b.Sessions.Single(), Is.EqualTo(a.Sessions.Single()).Using<SessionStatus>((x, y) =>
            x with { Channels = [] } == y with { Channels = [] } && x.Channels.SequenceEqual(y.Channels)));
        Assert.That(b.TreeConnects.Single(), Is.EqualTo(a.TreeConnects.Single()));
        var (o1, o2) = (a.Opens.Single(), b.Opens.Single());
        Assert.That(o2 with { Locks = [] }, Is.EqualTo(o1 with { Locks = [] }));
        Assert.That(o2.Locks, Is.EqualTo(o1.Locks));
    }

    [Test]
    public void DecodeResponse_EveryTruncation_FailsSayingSo()
    {
        var frame = Frame(StatusReply());
        ParserRobustness.AllPrefixesRejected(frame, input => AdminFraming.DecodeResponse(input).Ok);
        Assert.That(AdminFraming.DecodeResponse([]).Message, Does.Contain("without an answer"));
        Assert.That(AdminFraming.DecodeResponse(frame.AsSpan(0, 2)).Message, Is.EqualTo("truncated admin reply: 2 of 4 length bytes"));
        Assert.That(AdminFraming.DecodeResponse(frame.AsSpan(0, 10)).Message,
            Is.EqualTo($"truncated admin reply: 6 of {frame.Length - 4} bytes"));
    }

    [Test]
    public void DecodeResponse_Corruptions_NeverThrow_AndRejectionsSayCorruptOrTruncated()
    {
        var frame = Frame(StatusReply());
        ParserRobustness.SurvivesCorruption(frame, input =>
        {
            var r = AdminFraming.DecodeResponse(input);
            if (!r.Ok) Assert.That(r.Message, Does.StartWith("corrupt admin reply").Or.StartWith("truncated admin reply")
                .Or.Contain("without an answer"));
            return r.Ok;
        });
    }

    [TestCase(-1, "length -1 is outside")]
    [TestCase(0, "length 0 is outside")]
    [TestCase(AdminFraming.MaxMessage + 1, "is outside")]
    public void DecodeResponse_BadLength_IsCorrupt(int length, string expected)
    {
        var frame = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(frame, length);
        Assert.That(AdminFraming.DecodeResponse(frame).Message, Does.Contain(expected));
    }

    [TestCase("{\"ok\":true", "corrupt admin reply: ")]
    [TestCase("not json", "corrupt admin reply: ")]
    [TestCase("{\"ok\":true}", "corrupt admin reply: no message")]
    [TestCase("{\"ok\":false,\"message\":\"\"}", "corrupt admin reply: a failure without a message")]
    [TestCase("{\"ok\":true,\"message\":\"\",\"status\":{\"takenAtUtc\":\"2026-11-23T22:00:00Z\",\"sessions\":null,\"treeConnects\":[],\"opens\":[]}}",
        "corrupt admin reply: the status has no session list")]
    [TestCase("{\"ok\":true,\"message\":\"\",\"status\":{\"takenAtUtc\":\"2026-11-23T22:00:00Z\",\"sessions\":[],\"treeConnects\":[],\"opens\":[{\"share\":\"s\",\"path\":\"p\",\"user\":\"u\",\"clientAddress\":\"\",\"caching\":\"none\",\"locks\":[null]}]}}",
        "corrupt admin reply: the status has no complete lock")]
    public void DecodeResponse_DamagedJson_SaysWhat(string json, string expected)
    {
        var r = AdminFraming.DecodeResponse(Frame(json));
        Assert.That(r.Ok, Is.False);
        Assert.That(r.Message, Does.StartWith(expected));
    }

    [Test]
    public void DecodeResponse_TrailingBytes_IsCorrupt()
    {
        var frame = Frame(AdminResponse.Success("done"));
        Assert.That(AdminFraming.DecodeResponse(frame).Message, Is.EqualTo("done"));
        Assert.That(AdminFraming.DecodeResponse([.. frame, 0x20]).Message, Is.EqualTo($"corrupt admin reply: 1 bytes after its {frame.Length - 4}"));
    }

    [Test]
    public async Task ReadResponseOrFailureAsync_StreamCutShort_FailsSayingTruncated()
    {
        var frame = Frame(StatusReply());
        using var cut = new MemoryStream(frame, 0, frame.Length / 2);
        var r = await AdminFraming.ReadResponseOrFailureAsync(cut, default);
        Assert.That((r.Ok, r.Message), Is.EqualTo((false, $"truncated admin reply: {frame.Length / 2 - 4} of {frame.Length - 4} bytes")));
        using var whole = new MemoryStream(frame);
        Assert.That((await AdminFraming.ReadResponseOrFailureAsync(whole, default)).Status!.Opens.Single().TimeLeftMs, Is.EqualTo(60_000));
    }
}
