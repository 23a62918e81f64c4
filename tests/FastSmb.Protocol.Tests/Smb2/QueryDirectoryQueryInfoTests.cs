using FastSmb.Protocol.Fscc;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class QueryDirectoryTests
{
    [Test]
    public void Request_SmbclientCapture_FieldsAndReencode()
    {
        var msg = Captures.Load("smb2-query_directory-request-smbclient.hex");
        Assert.That(QueryDirectoryRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.FileInformationClass, Is.EqualTo(FileInformationClass.FileIdBothDirectoryInformation));
        Assert.That((r.Flags, r.FileIndex, r.FileName, r.OutputBufferLength), Is.EqualTo(((byte)0, 0u, "*", 0x00800000u)));
        Assert.That((r.RestartScans, r.ReturnSingleEntry, r.IndexSpecified, r.Reopen), Is.EqualTo((false, false, false, false)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
        var body = new byte[128];
        int n = QueryDirectoryRequest.Write(body, r.FileInformationClass, r.Flags, r.FileIndex, r.FileId, r.FileName, r.OutputBufferLength);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Request_RoundTrip_FlagsAndPattern()
    {
        const byte flags = QueryDirectoryRequest.FlagRestartScans | QueryDirectoryRequest.FlagReturnSingleEntry |
                           QueryDirectoryRequest.FlagIndexSpecified | QueryDirectoryRequest.FlagReopen;
        var msg = Smb2TestMessages.Request(Smb2Command.QueryDirectory, b =>
            QueryDirectoryRequest.Write(b, FileInformationClass.FileNamesInformation, flags, 42, new FileId(5, 6), "*.txt", 65536));
        Assert.That(QueryDirectoryRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.FileInformationClass, r.FileIndex, r.FileId, r.FileName, r.OutputBufferLength),
            Is.EqualTo((FileInformationClass.FileNamesInformation, 42u, new FileId(5, 6), "*.txt", 65536u)));
        Assert.That((r.RestartScans, r.ReturnSingleEntry, r.IndexSpecified, r.Reopen), Is.EqualTo((true, true, true, true)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Request_EmptyPattern_WritesOneBufferByte()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.QueryDirectory, b =>
            QueryDirectoryRequest.Write(b, FileInformationClass.FileDirectoryInformation, 0, 0, new FileId(1, 2), "", 100));
        Assert.That(msg.Length, Is.EqualTo(64 + 33));
        Assert.That(QueryDirectoryRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.FileNameUtf16.IsEmpty, Is.True);
    }

    [Test]
    public void Request_PatternPastEnd_Rejected()
    {
        var msg = Captures.Load("smb2-query_directory-request-smbclient.hex");
        Smb2TestMessages.PutU16(msg, 26, 4);
        Assert.That(QueryDirectoryRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Response_SambaCapture_AndReencode()
    {
        var msg = Captures.Load("smb2-query_directory-response-samba.hex");
        Assert.That(QueryDirectoryResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.OutputBuffer.Length, Is.EqualTo(msg.Length - 72));
        var body = new byte[512];
        int n = QueryDirectoryResponse.Write(body, r.OutputBuffer);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
        Assert.That(QueryDirectoryResponse.WriteHeader(body, (uint)r.OutputBuffer.Length), Is.EqualTo(8));
        Assert.That(body[..8], Is.EqualTo(msg.AsSpan(64, 8).ToArray()));
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Captures.Load("smb2-query_directory-request-smbclient.hex"), m => QueryDirectoryRequest.TryParse(m, out _));
        ParserRobustness.Check(Captures.Load("smb2-query_directory-response-samba.hex"), m => QueryDirectoryResponse.TryParse(m, out _));
    }
}

public class QueryInfoTests
{
    [Test]
    public void Request_SmbclientCapture_FieldsAndReencode()
    {
        var msg = Captures.Load("smb2-query_info-request-smbclient.hex");
        Assert.That(QueryInfoRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.InfoType, Is.EqualTo(Smb2InfoType.File));
        Assert.That((FileInformationClass)r.FileInfoClass, Is.EqualTo(FileInformationClass.FileAllInformation));
        Assert.That((r.OutputBufferLength, r.InputBuffer.Length, r.AdditionalInformation, r.Flags), Is.EqualTo((0xFFFFu, 0, 0u, 0u)));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
        var body = new byte[128];
        int n = QueryInfoRequest.Write(body, r.InfoType, r.FileInfoClass, r.OutputBufferLength, r.AdditionalInformation, r.Flags, r.FileId);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Request_RoundTrip_SecurityWithInput()
    {
        byte[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var msg = Smb2TestMessages.Request(Smb2Command.QueryInfo, b => QueryInfoRequest.Write(b, Smb2InfoType.Quota, 32, 4096,
            SecurityInformation.Owner | SecurityInformation.Dacl, QueryInfoRequest.FlagRestartScan, new FileId(7, 8), input));
        Assert.That(QueryInfoRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.InfoType, r.FileInfoClass, r.OutputBufferLength, r.AdditionalInformation, r.Flags, r.FileId),
            Is.EqualTo((Smb2InfoType.Quota, (byte)32, 4096u, 5u, 1u, new FileId(7, 8))));
        Assert.That(r.InputBuffer.ToArray(), Is.EqualTo(input));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Request_InputPastEnd_Rejected()
    {
        var msg = Captures.Load("smb2-query_info-request-smbclient.hex");
        Smb2TestMessages.PutU16(msg, 8, 104);
        Smb2TestMessages.PutU32(msg, 12, 2);
        Assert.That(QueryInfoRequest.TryParse(msg, out _), Is.False);
        Smb2TestMessages.PutU32(msg, 12, 1);
        Assert.That(QueryInfoRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.InputBuffer.Length, Is.EqualTo(1));
    }

    [Test]
    public void Response_RoundTrip_AndEmpty()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.QueryInfo, b => QueryInfoResponse.Write(b, "0123456789abcdef"u8));
        Assert.That(msg.Length, Is.EqualTo(64 + 8 + 16));
        Assert.That(QueryInfoResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.OutputBuffer.ToArray(), Is.EqualTo("0123456789abcdef"u8.ToArray()));
        var empty = Smb2TestMessages.Response(Smb2Command.QueryInfo, b => QueryInfoResponse.Write(b, default));
        Assert.That(empty.Length, Is.EqualTo(64 + 9));
        Assert.That(QueryInfoResponse.TryParse(empty, out var e) && e.OutputBuffer.IsEmpty, Is.True);
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Captures.Load("smb2-query_info-request-smbclient.hex"), m => QueryInfoRequest.TryParse(m, out _),
            minimumValidLength: 64 + 40);
        var resp = Smb2TestMessages.Response(Smb2Command.QueryInfo, b => QueryInfoResponse.Write(b, new byte[40]));
        ParserRobustness.Check(resp, m => QueryInfoResponse.TryParse(m, out _));
    }
}

public class SetInfoTests
{
    [Test]
    public void Request_RoundTrip()
    {
        byte[] info = [1, 0, 0, 0]; // FileDispositionInformation: DeletePending
        var msg = Smb2TestMessages.Request(Smb2Command.SetInfo, b =>
            SetInfoRequest.Write(b, Smb2InfoType.File, (byte)FileInformationClass.FileDispositionInformation, 0, new FileId(3, 4), info));
        Assert.That(msg.Length, Is.EqualTo(64 + 32 + 4));
        Assert.That(SetInfoRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.InfoType, (FileInformationClass)r.FileInfoClass, r.AdditionalInformation, r.FileId),
            Is.EqualTo((Smb2InfoType.File, FileInformationClass.FileDispositionInformation, 0u, new FileId(3, 4))));
        Assert.That(r.Buffer.ToArray(), Is.EqualTo(info));
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Request_BufferPastEnd_Rejected()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.SetInfo, b =>
            SetInfoRequest.Write(b, Smb2InfoType.Security, 0, SecurityInformation.Dacl, new FileId(3, 4), new byte[20]));
        Smb2TestMessages.PutU32(msg, 4, 21);
        Assert.That(SetInfoRequest.TryParse(msg, out _), Is.False);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.False);
    }

    [Test]
    public void Response_RoundTrip()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.SetInfo, b => SetInfoResponse.Write(b));
        Assert.That(msg.Length, Is.EqualTo(66));
        Assert.That(SetInfoResponse.TryParse(msg, out _), Is.True);
        msg[64] = 4;
        Assert.That(SetInfoResponse.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Robustness()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.SetInfo, b =>
            SetInfoRequest.Write(b, Smb2InfoType.File, (byte)FileInformationClass.FileEndOfFileInformation, 0, new FileId(1, 1), new byte[8]));
        ParserRobustness.Check(msg, m => SetInfoRequest.TryParse(m, out _));
        ParserRobustness.Check(Smb2TestMessages.Response(Smb2Command.SetInfo, b => SetInfoResponse.Write(b)), m => SetInfoResponse.TryParse(m, out _));
    }
}
