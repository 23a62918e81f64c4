using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class ErrorResponseTests
{
    [Test]
    public void Write_NoData_NineBytesWithZeroPad()
    {
        var body = new byte[16];
        Array.Fill(body, (byte)0xAA);
        Assert.That(ErrorResponse.Write(body), Is.EqualTo(9));
        Assert.That(body[..9], Is.EqualTo(new byte[] { 9, 0, 0, 0, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void RoundTrip_WithData_SameFields()
    {
        byte[] data = [0x10, 0x00, 0x00, 0x00]; // e.g. STATUS_BUFFER_TOO_SMALL's required length
        var msg = Smb2TestMessages.Response(Smb2Command.Read, b => ErrorResponse.Write(b, data), status: NtStatus.BufferTooSmall);
        Assert.That(msg.Length, Is.EqualTo(64 + 12));
        Assert.That(ErrorResponse.TryParse(msg, out var e), Is.True);
        Assert.That(e.ByteCount, Is.EqualTo(4));
        Assert.That(e.ErrorContextCount, Is.EqualTo(0));
        Assert.That(e.ErrorData.ToArray(), Is.EqualTo(data));
    }

    [TestCase("smb2-error-response-samba-not_found.hex")]
    [TestCase("smb2-error-response-samba-pending.hex")]
    public void TryParse_SambaCapture_EmptyErrorData(string capture)
    {
        var msg = Captures.Load(capture);
        Assert.That(ErrorResponse.TryParse(msg, out var e), Is.True);
        Assert.That(e.ByteCount, Is.EqualTo(0));
        Assert.That(e.ErrorData.Length, Is.EqualTo(0));
        // Re-encode: our writer produces the same fixed part; the pad byte only SHOULD be zero and Samba's
        // interim (STATUS_PENDING) response carries 0x21 there.
        var body = new byte[9];
        Assert.That(ErrorResponse.Write(body), Is.EqualTo(msg.Length - 64));
        Assert.That(msg.AsSpan(64, 8).ToArray(), Is.EqualTo(body[..8]));
    }

    [Test]
    public void TryParse_ByteCountPastEnd_Rejected()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Read, b => ErrorResponse.Write(b, new byte[4]));
        Smb2TestMessages.PutU32(msg, 4, 5);
        Assert.That(ErrorResponse.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Robustness()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Read, b => ErrorResponse.Write(b, new byte[] { 1, 2, 3, 4 }));
        ParserRobustness.Check(msg, m => ErrorResponse.TryParse(m, out _));
    }
}
