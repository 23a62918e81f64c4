using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class ReadTests
{
    [Test]
    public void Request_SmbclientCapture_FieldsAndReencode()
    {
        var msg = Captures.Load("smb2-read-request-smbclient.hex");
        Assert.That(msg.Length, Is.EqualTo(64 + 49));
        Assert.That(ReadRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.Length, Is.GreaterThan(0));
        Assert.That(r.Offset, Is.EqualTo(0));
        Assert.That(r.ReadChannelInfo.IsEmpty, Is.True);
        var body = new byte[64];
        int n = ReadRequest.Write(body, r.Padding, r.Flags, r.Length, r.Offset, r.FileId, r.MinimumCount, r.Channel, r.RemainingBytes);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Request_RoundTrip_WithChannelInfo()
    {
        byte[] info = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        var msg = Smb2TestMessages.Request(Smb2Command.Read, b =>
            ReadRequest.Write(b, 0x50, 0, 65536, 1 << 20, new FileId(3, 4), 1, 1, 7, info));
        Assert.That(ReadRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.Padding, r.Length, r.Offset, r.FileId, r.MinimumCount, r.Channel, r.RemainingBytes),
            Is.EqualTo(((byte)0x50, 65536u, 1UL << 20, new FileId(3, 4), 1u, 1u, 7u)));
        Assert.That(r.ReadChannelInfo.ToArray(), Is.EqualTo(info));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Response_SambaCapture_DataAndReencode()
    {
        var msg = Captures.Load("smb2-read-response-samba.hex");
        Assert.That(ReadResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.DataOffset, Is.EqualTo(0x50));
        Assert.That(r.Data.Length, Is.EqualTo(msg.Length - 80));
        var body = new byte[64];
        Assert.That(ReadResponse.WriteHeader(body, r.DataLength, r.DataRemaining), Is.EqualTo(16));
        Assert.That(body[..16], Is.EqualTo(msg.AsSpan(64, 16).ToArray()));
    }

    [Test]
    public void Response_RoundTrip_DataAppendedByCaller()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Read, b =>
        {
            int n = ReadResponse.WriteHeader(b, 5, 0);
            "hello"u8.CopyTo(b[n..]);
            return n + 5;
        });
        Assert.That(ReadResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.Data.ToArray(), Is.EqualTo("hello"u8.ToArray()));
        Assert.That(ReadResponse.TryParse(msg.AsSpan(0, msg.Length - 1), out _), Is.False);
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Captures.Load("smb2-read-request-smbclient.hex"), m => ReadRequest.TryParse(m, out _),
            minimumValidLength: 64 + 48);
        ParserRobustness.Check(Captures.Load("smb2-read-response-samba.hex"), m => ReadResponse.TryParse(m, out _));
    }
}

public class WriteTests
{
    [Test]
    public void Request_SmbclientCapture_DataAndReencode()
    {
        var msg = Captures.Load("smb2-write-request-smbclient.hex");
        Assert.That(WriteRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.DataOffset, Is.EqualTo(0x70));
        Assert.That(r.Data.Length, Is.EqualTo(r.Length).And.EqualTo(msg.Length - 0x70)); // `put /etc/hostname h`
        var body = new byte[256];
        int n = WriteRequest.Write(body, r.Offset, r.FileId, r.Data, r.Flags, r.RemainingBytes);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Request_RoundTrip()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Write, b =>
            WriteRequest.Write(b, 4096, new FileId(9, 10), "abc"u8, WriteRequest.FlagWriteThrough));
        Assert.That(WriteRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.Offset, r.FileId, r.Length, r.Flags, r.Channel), Is.EqualTo((4096UL, new FileId(9, 10), 3u, 1u, 0u)));
        Assert.That(r.Data.ToArray(), Is.EqualTo("abc"u8.ToArray()));
    }

    [Test]
    public void Request_DataPastEnd_Rejected()
    {
        var msg = Captures.Load("smb2-write-request-smbclient.hex");
        Smb2TestMessages.PutU32(msg, 4, (uint)(msg.Length - 0x70 + 1));
        Assert.That(WriteRequest.TryParse(msg, out _), Is.False);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False);
    }

    [Test]
    public void Response_SambaCapture_AndReencode()
    {
        var msg = Captures.Load("smb2-write-response-samba.hex");
        Assert.That(WriteResponse.TryParse(msg, out var r), Is.True);
        var body = new byte[16];
        Assert.That(WriteResponse.Write(body, r.Count, r.Remaining), Is.EqualTo(16));
        Assert.That(body, Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Response_RoundTrip()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Write, b => WriteResponse.Write(b, 65536));
        Assert.That(WriteResponse.TryParse(msg, out var r), Is.True);
        Assert.That((r.Count, r.Remaining), Is.EqualTo((65536u, 0u)));
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Captures.Load("smb2-write-request-smbclient.hex"), m => WriteRequest.TryParse(m, out _));
        ParserRobustness.Check(Captures.Load("smb2-write-response-samba.hex"), m => WriteResponse.TryParse(m, out _));
    }
}

public class IoctlTests
{
    [TestCase("smb2-ioctl-request-smbclient-validate_negotiate.hex", FsctlCodes.FSCTL_VALIDATE_NEGOTIATE_INFO)]
    [TestCase("smb2-ioctl-request-smbclient-pipe_transceive.hex", FsctlCodes.FSCTL_PIPE_TRANSCEIVE)]
    public void Request_SmbclientCapture_FieldsAndReencode(string capture, uint ctl)
    {
        var msg = Captures.Load(capture);
        Assert.That(IoctlRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.CtlCode, Is.EqualTo(ctl));
        Assert.That(r.IsFsctl, Is.True);
        Assert.That(r.Input.Length, Is.EqualTo(msg.Length - 120));
        Assert.That(r.Output.IsEmpty, Is.True);
        var body = new byte[512];
        int n = IoctlRequest.Write(body, r.CtlCode, r.FileId, r.Input, r.MaxInputResponse, r.MaxOutputResponse, r.Flags);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Request_ValidateNegotiate_FileIdIsAny()
    {
        Assert.That(IoctlRequest.TryParse(Captures.Load("smb2-ioctl-request-smbclient-validate_negotiate.hex"), out var r), Is.True);
        Assert.That(r.FileId.IsAny, Is.True);
    }

    [Test]
    public void Request_RoundTrip()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Ioctl, b =>
            IoctlRequest.Write(b, FsctlCodes.FSCTL_SRV_REQUEST_RESUME_KEY, new FileId(1, 1), default, 0, 32, IoctlRequest.FlagIsFsctl));
        Assert.That(IoctlRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.CtlCode, r.FileId, r.Input.Length, r.MaxOutputResponse, r.IsFsctl),
            Is.EqualTo((FsctlCodes.FSCTL_SRV_REQUEST_RESUME_KEY, new FileId(1, 1), 0, 32u, true)));
    }

    [Test]
    public void Request_InputPastEnd_Rejected()
    {
        var msg = Captures.Load("smb2-ioctl-request-smbclient-pipe_transceive.hex");
        Smb2TestMessages.PutU32(msg, 28, 0x1000);
        Assert.That(IoctlRequest.TryParse(msg, out _), Is.False);
    }

    [TestCase("smb2-ioctl-response-samba-validate_negotiate.hex")]
    [TestCase("smb2-ioctl-response-samba-pipe_transceive.hex")]
    public void Response_SambaCapture_OutputAndReencode(string capture)
    {
        var msg = Captures.Load(capture);
        Assert.That(IoctlResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.Input.IsEmpty, Is.True);
        Assert.That(r.Output.Length, Is.EqualTo(msg.Length - 112));
        var body = new byte[512];
        int n = IoctlResponse.Write(body, r.CtlCode, r.FileId, r.Output);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Response_WriteHeaderNoOutput_OutputOffsetZero()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Ioctl, b => IoctlResponse.WriteHeader(b, FsctlCodes.FSCTL_SET_SPARSE, new FileId(1, 2), 0));
        Assert.That(msg.Length, Is.EqualTo(112));
        Assert.That(IoctlResponse.TryParse(msg, out var r), Is.True);
        Assert.That((r.CtlCode, r.FileId, r.Output.Length), Is.EqualTo((FsctlCodes.FSCTL_SET_SPARSE, new FileId(1, 2), 0)));
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(64 + 24)), Is.EqualTo(112u), "InputOffset");
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(64 + 32)), Is.EqualTo(0u), "OutputOffset");
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Captures.Load("smb2-ioctl-request-smbclient-pipe_transceive.hex"), m => IoctlRequest.TryParse(m, out _));
        ParserRobustness.Check(Captures.Load("smb2-ioctl-response-samba-pipe_transceive.hex"), m => IoctlResponse.TryParse(m, out _));
    }
}
