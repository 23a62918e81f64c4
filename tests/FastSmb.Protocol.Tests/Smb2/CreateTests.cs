using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class CreateRequestTests
{
    [TestCase("smb2-create-request-smbclient-file.hex", "h")]
    [TestCase("smb2-create-request-smbclient-pipe.hex", "srvsvc")]
    public void TryParse_SmbclientCapture_NameAndFields(string capture, string name)
    {
        var msg = Captures.Load(capture);
        Assert.That(CreateRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.Name, Is.EqualTo(name));
        Assert.That(r.ImpersonationLevel, Is.EqualTo(2u), "Impersonation");
        Assert.That(r.DesiredAccess, Is.Not.Zero);
        Assert.That(r.GetCreateContexts().Count, Is.EqualTo(r.CreateContexts.IsEmpty ? 0 : r.GetCreateContexts().Count));
    }

    [Test]
    public void RoundTrip_WithContexts_SameFieldsAndContexts()
    {
        var contexts = new byte[256];
        var w = new CreateContextWriter(contexts);
        w.Add("MxAc"u8, ReadOnlySpan<byte>.Empty);
        w.Add("QFid"u8, ReadOnlySpan<byte>.Empty);
        w.Add("RqLs"u8, new byte[32]);
        var list = contexts[..w.Length];
        var msg = Smb2TestMessages.Request(Smb2Command.Create, b =>
            CreateRequest.Write(b, 0xFF, 2, 0x0012019F, 0x80, 7, 1, 0x40, @"dir\file.txt", list));
        Assert.That(CreateRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.RequestedOplockLevel, r.ImpersonationLevel, r.DesiredAccess, r.FileAttributes, r.ShareAccess,
                r.CreateDisposition, r.CreateOptions),
            Is.EqualTo(((byte)0xFF, 2u, 0x0012019Fu, 0x80u, 7u, 1u, 0x40u)));
        Assert.That(r.Name, Is.EqualTo(@"dir\file.txt"));
        Assert.That(r.CreateContexts.ToArray(), Is.EqualTo(list));
        var seen = new List<(string, int)>();
        foreach (var (name, data) in r.GetCreateContexts()) seen.Add((System.Text.Encoding.ASCII.GetString(name), data.Length));
        Assert.That(seen, Is.EqualTo(new[] { ("MxAc", 0), ("QFid", 0), ("RqLs", 32) }));
        Assert.That(r.GetCreateContexts().Count, Is.EqualTo(3));
        Assert.That(r.GetCreateContexts().TryFind("RqLs"u8, out var lease) && lease.Length == 32, Is.True);
        Assert.That(Smb2RequestSizes.TryValidate(msg, out _), Is.True);
    }

    [Test]
    public void Write_EmptyNameNoContexts_OneBufferByte()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Create, b => CreateRequest.Write(b, 0, 2, 1, 0, 7, 1, 0, "", default));
        Assert.That(msg.Length, Is.EqualTo(64 + 57));
        Assert.That(CreateRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.Name, Is.Empty);
    }

    [TestCase(4u, TestName = "TryParse_ContextNextUnaligned_Rejected")]
    [TestCase(0x1000u, TestName = "TryParse_ContextNextPastEnd_Rejected")]
    public void TryParse_BadNext_Rejected(uint next)
    {
        var msg = WithTwoContexts(out int listPos);
        Smb2TestMessages.PutU32(msg, listPos - 64, next);
        Assert.That(CreateRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void TryParse_ContextDataPastContext_Rejected()
    {
        var msg = WithTwoContexts(out int listPos);
        Smb2TestMessages.PutU32(msg, listPos - 64 + 12, 0x100); // first context's DataLength
        Assert.That(CreateRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void TryParse_NamePastEnd_Rejected()
    {
        var msg = Captures.Load("smb2-create-request-smbclient-file.hex");
        Smb2TestMessages.PutU16(msg, 46, 0x200);
        Assert.That(CreateRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Robustness()
    {
        // smbclient pads the 2-byte name "h" with 2 zero bytes; without them the request is still well-formed.
        ParserRobustness.Check(Captures.Load("smb2-create-request-smbclient-file.hex"), m => CreateRequest.TryParse(m, out _),
            minimumValidLength: 64 + 56 + 2);
        ParserRobustness.Check(WithTwoContexts(out _), m => CreateRequest.TryParse(m, out var r) && Touch(r));
    }

    private static bool Touch(CreateRequest r)
    {
        foreach (var (n, d) in r.GetCreateContexts()) _ = n.Length + d.Length;
        return true;
    }

    private static byte[] WithTwoContexts(out int listPos)
    {
        var contexts = new byte[128];
        var w = new CreateContextWriter(contexts);
        w.Add("DH2Q"u8, new byte[32]);
        w.Add("MxAc"u8, ReadOnlySpan<byte>.Empty);
        var list = contexts[..w.Length];
        var msg = Smb2TestMessages.Request(Smb2Command.Create, b => CreateRequest.Write(b, 0, 2, 1, 0, 7, 1, 0, "a.txt", list));
        listPos = 64 + CreateRequest.ContextsPosition(10);
        return msg;
    }
}

public class CreateResponseTests
{
    [TestCase("smb2-create-response-samba-file.hex")]
    [TestCase("smb2-create-response-samba-pipe.hex")]
    public void TryParse_SambaCapture_FieldsAndReencode(string capture)
    {
        var msg = Captures.Load(capture);
        Assert.That(CreateResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.FileId, Is.Not.EqualTo(default(FileId)));
        var body = new byte[512];
        int n = CreateResponse.Write(body, r.OplockLevel, r.Flags, r.CreateAction, r.CreationTime, r.LastAccessTime,
            r.LastWriteTime, r.ChangeTime, r.AllocationSize, r.EndOfFile, r.FileAttributes, r.FileId, r.CreateContexts);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void RoundTrip_ContextsBuiltInPlace_SameFields()
    {
        var body = new byte[512];
        var w = new CreateContextWriter(body.AsSpan(CreateResponse.ContextsPosition));
        var mxac = w.Add("MxAc"u8, 8);
        mxac[4] = 0xFF;
        w.Add("QFid"u8, new byte[32]);
        var fid = new FileId(5, 6);
        int n = CreateResponse.Write(body, 1, 0, 2, 10, 11, 12, 13, 4096, 100, 0x20, fid,
            body.AsSpan(CreateResponse.ContextsPosition, w.Length));
        var msg = Smb2TestMessages.Response(Smb2Command.Create, b => { body.AsSpan(0, n).CopyTo(b); return n; });
        Assert.That(CreateResponse.TryParse(msg, out var r), Is.True);
        Assert.That((r.OplockLevel, r.Flags, r.CreateAction, r.CreationTime, r.LastAccessTime, r.LastWriteTime, r.ChangeTime),
            Is.EqualTo(((byte)1, (byte)0, 2u, 10L, 11L, 12L, 13L)));
        Assert.That((r.AllocationSize, r.EndOfFile, r.FileAttributes, r.FileId), Is.EqualTo((4096L, 100L, 0x20u, fid)));
        Assert.That(r.GetCreateContexts().Count, Is.EqualTo(2));
        Assert.That(r.GetCreateContexts().TryFind("MxAc"u8, out var d) && d[4] == 0xFF, Is.True);
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(64 + 80)), Is.EqualTo(152u));
    }

    [Test]
    public void Robustness() =>
        ParserRobustness.Check(Captures.Load("smb2-create-response-samba-file.hex"), m => CreateResponse.TryParse(m, out _));
}

public class CloseTests
{
    [Test]
    public void Request_SmbclientCapture_AndReencode()
    {
        var msg = Captures.Load("smb2-close-request-smbclient.hex");
        Assert.That(CloseRequest.TryParse(msg, out var r), Is.True);
        var body = new byte[24];
        Assert.That(CloseRequest.Write(body, r.Flags, r.FileId), Is.EqualTo(24));
        Assert.That(body, Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Request_RoundTrip()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Close, b => CloseRequest.Write(b, CloseRequest.FlagPostQueryAttrib, new FileId(1, 2)));
        Assert.That(CloseRequest.TryParse(msg, out var r), Is.True);
        Assert.That((r.PostQueryAttributes, r.FileId), Is.EqualTo((true, new FileId(1, 2))));
    }

    [Test]
    public void Response_SambaCapture_AndReencode()
    {
        var msg = Captures.Load("smb2-close-response-samba.hex");
        Assert.That(CloseResponse.TryParse(msg, out var r), Is.True);
        var body = new byte[60];
        Assert.That(CloseResponse.Write(body, r.Flags, r.CreationTime, r.LastAccessTime, r.LastWriteTime, r.ChangeTime,
            r.AllocationSize, r.EndOfFile, r.FileAttributes), Is.EqualTo(60));
        Assert.That(body, Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void Response_RoundTrip()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Close, b => CloseResponse.Write(b, 1, 1, 2, 3, 4, 5, 6, 7));
        Assert.That(CloseResponse.TryParse(msg, out var r), Is.True);
        Assert.That((r.Flags, r.CreationTime, r.LastAccessTime, r.LastWriteTime, r.ChangeTime, r.AllocationSize, r.EndOfFile, r.FileAttributes),
            Is.EqualTo(((ushort)1, 1L, 2L, 3L, 4L, 5L, 6L, 7u)));
    }

    [Test]
    public void Robustness()
    {
        ParserRobustness.Check(Captures.Load("smb2-close-request-smbclient.hex"), m => CloseRequest.TryParse(m, out _));
        ParserRobustness.Check(Captures.Load("smb2-close-response-samba.hex"), m => CloseResponse.TryParse(m, out _));
    }
}
