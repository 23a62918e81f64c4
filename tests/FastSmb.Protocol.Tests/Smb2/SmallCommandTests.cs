using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

/// <summary>LOGOFF, ECHO and TREE_DISCONNECT: 4-byte bodies in both directions.</summary>
public class SmallCommandTests
{
    private delegate bool Parse(ReadOnlySpan<byte> m);
    private delegate int WriteBody(Span<byte> b);

    private static (Parse Parse, WriteBody Write) Codec(string name) => name switch
    {
        "logoff-request" => (m => LogoffRequest.TryParse(m, out _), LogoffRequest.Write),
        "logoff-response" => (m => LogoffResponse.TryParse(m, out _), LogoffResponse.Write),
        "echo-request" => (m => EchoRequest.TryParse(m, out _), EchoRequest.Write),
        "echo-response" => (m => EchoResponse.TryParse(m, out _), EchoResponse.Write),
        "tree_disconnect-request" => (m => TreeDisconnectRequest.TryParse(m, out _), TreeDisconnectRequest.Write),
        "tree_disconnect-response" => (m => TreeDisconnectResponse.TryParse(m, out _), TreeDisconnectResponse.Write),
        _ => throw new ArgumentException(name),
    };

    private static readonly (string Codec, string Capture)[] Cases =
    [
        ("logoff-request", "smb2-logoff-request-smbclient.hex"), ("logoff-response", "smb2-logoff-response-samba.hex"),
        ("echo-request", "smb2-echo-request-smbclient.hex"), ("echo-response", "smb2-echo-response-samba.hex"),
        ("tree_disconnect-request", "smb2-tree_disconnect-request-smbclient.hex"),
        ("tree_disconnect-response", "smb2-tree_disconnect-response-samba.hex"),
    ];

    private static IEnumerable<TestCaseData> CaseData() =>
        Cases.Select(c => new TestCaseData(c.Codec, c.Capture).SetArgDisplayNames(c.Codec));

    [TestCaseSource(nameof(CaseData))]
    public void CaptureParses_AndWriterReproducesIt(string codec, string capture)
    {
        var (parse, write) = Codec(codec);
        var msg = Captures.Load(capture);
        Assert.That(parse(msg), Is.True);
        var body = new byte[8];
        Assert.That(write(body), Is.EqualTo(4));
        Assert.That(body[..4], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [TestCaseSource(nameof(CaseData))]
    public void RoundTrip_AndWrongStructureSizeRejected(string codec, string capture)
    {
        var (parse, write) = Codec(codec);
        var msg = Smb2TestMessages.Request(Smb2Command.Echo, b => write(b));
        Assert.That(parse(msg), Is.True);
        msg[64] = 5;
        Assert.That(parse(msg), Is.False);
    }

    [TestCaseSource(nameof(CaseData))]
    public void Robustness(string codec, string capture)
    {
        var (parse, _) = Codec(codec);
        ParserRobustness.Check(Captures.Load(capture), m => parse(m));
    }
}
