using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Smb2;

public class NegotiateRequestTests
{
    [Test]
    public void TryParse_Smbclient302Capture_FieldsAndReencode()
    {
        var msg = Captures.Load("smb2-negotiate-request-smbclient302.hex");
        Assert.That(NegotiateRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.DialectCount, Is.EqualTo(4));
        Assert.That(r.GetDialect(0), Is.EqualTo(Smb2Dialect.Smb202));
        Assert.That(r.GetDialect(3), Is.EqualTo(Smb2Dialect.Smb302));
        Assert.That(r.Offers(Smb2Dialect.Smb311), Is.False);
        Assert.That(r.SecurityMode & Smb2SecurityMode.SigningEnabled, Is.EqualTo(Smb2SecurityMode.SigningEnabled));
        Assert.That(r.NegotiateContexts.IsEmpty, Is.True);
        Assert.That(r.GetNegotiateContexts().Count, Is.EqualTo(0));

        var dialects = new Smb2Dialect[r.DialectCount];
        for (int i = 0; i < dialects.Length; i++) dialects[i] = r.GetDialect(i);
        var body = new byte[1024];
        int n = NegotiateRequest.Write(body, (ushort)r.SecurityMode, (uint)r.Capabilities, r.ClientGuid, dialects, r.ClientStartTime);
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void TryParse_Smbclient311Capture_ContextsAndReencode()
    {
        var msg = Captures.Load("smb2-negotiate-request-smbclient311.hex");
        Assert.That(NegotiateRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.DialectCount, Is.EqualTo(5));
        Assert.That(r.Offers(Smb2Dialect.Smb311), Is.True);
        Assert.That(r.NegotiateContextOffset, Is.EqualTo(0x70));
        Assert.That(r.NegotiateContextCount, Is.EqualTo(4));

        var contexts = new List<(ushort Type, byte[] Data)>();
        foreach (var (type, data) in r.GetNegotiateContexts()) contexts.Add((type, data.ToArray()));
        Assert.That(contexts.Select(c => c.Type), Is.EqualTo(new ushort[]
        {
            Smb2NegotiateContextType.PreauthIntegrityCapabilities, Smb2NegotiateContextType.EncryptionCapabilities,
            Smb2NegotiateContextType.SigningCapabilities, Smb2NegotiateContextType.NetnameNegotiateContextId, // as Wireshark decodes it
        }));
        Assert.That(contexts[0].Data.Length, Is.EqualTo(38), "hash algorithm count/salt length/SHA-512/32-byte salt");

        var dialects = new Smb2Dialect[r.DialectCount];
        for (int i = 0; i < dialects.Length; i++) dialects[i] = r.GetDialect(i);
        var body = new byte[1024];
        int n = NegotiateRequest.Write(body, (ushort)r.SecurityMode, (uint)r.Capabilities, r.ClientGuid, dialects);
        var w = NegotiateContextWriter.ForRequest(body, n);
        foreach (var c in contexts) w.Add(c.Type, c.Data);
        Assert.That(body[..w.Length], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void TryParse_ImpacketCapture_Smb21()
    {
        var msg = Captures.Load("smb2-negotiate-request-impacket.hex");
        Assert.That(NegotiateRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.DialectCount, Is.GreaterThanOrEqualTo(1));
        Assert.That(r.Offers(Smb2Dialect.Smb202), Is.True);
    }

    [Test]
    public void RoundTrip_Written_SameFields()
    {
        var guid = Guid.NewGuid();
        var msg = Smb2TestMessages.Request(Smb2Command.Negotiate, b =>
            NegotiateRequest.Write(b, 3, 0x7F, guid, [Smb2Dialect.Smb210, Smb2Dialect.Smb300]));
        Assert.That(NegotiateRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.SecurityMode, Is.EqualTo(Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired));
        Assert.That(r.Capabilities, Is.EqualTo((Smb2GlobalCapabilities)0x7F));
        Assert.That(r.ClientGuid, Is.EqualTo(guid));
        Assert.That(r.GetDialect(1), Is.EqualTo(Smb2Dialect.Smb300));
    }

    [Test]
    public void TryParse_ZeroDialects_Rejected()
    {
        var msg = Smb2TestMessages.Request(Smb2Command.Negotiate, b => NegotiateRequest.Write(b, 1, 0, Guid.Empty, []));
        Assert.That(NegotiateRequest.TryParse(msg, out _), Is.False);
    }

    [TestCase(0x71u, TestName = "TryParse_ContextOffsetUnaligned_Rejected")]
    [TestCase(0x68u, TestName = "TryParse_ContextOffsetInsideDialects_Rejected")]
    [TestCase(0x10000u, TestName = "TryParse_ContextOffsetPastEnd_Rejected")]
    public void TryParse_BadContextOffset_Rejected(uint offset)
    {
        var msg = Captures.Load("smb2-negotiate-request-smbclient311.hex");
        Smb2TestMessages.PutU32(msg, 28, offset);
        Assert.That(NegotiateRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void TryParse_ContextDataLengthPastEnd_Rejected()
    {
        var msg = Captures.Load("smb2-negotiate-request-smbclient311.hex");
        msg[0x70 + 2] = 0xFF; // first context's DataLength
        Assert.That(NegotiateRequest.TryParse(msg, out _), Is.False);
    }

    [TestCase("smb2-negotiate-request-smbclient302.hex")]
    [TestCase("smb2-negotiate-request-smbclient311.hex")]
    public void Robustness(string capture) =>
        ParserRobustness.Check(Captures.Load(capture), m => NegotiateRequest.TryParse(m, out var r) && Touch(r));

    private static bool Touch(NegotiateRequest r)
    {
        foreach (var (_, d) in r.GetNegotiateContexts()) _ = d.Length;
        for (int i = 0; i < r.DialectCount; i++) _ = r.GetDialect(i);
        return true;
    }
}

public class NegotiateResponseTests
{
    [Test]
    public void TryParse_Samba302Capture_FieldsAndReencode()
    {
        var msg = Captures.Load("smb2-negotiate-response-samba302.hex");
        Assert.That(NegotiateResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.DialectRevision, Is.EqualTo(Smb2Dialect.Smb302));
        Assert.That(r.SecurityBuffer.Length, Is.EqualTo(msg.Length - 128));
        Assert.That(r.MaxReadSize, Is.GreaterThan(0));
        var body = new byte[1024];
        int n = Write(body, r, r.SecurityBuffer.ToArray());
        Assert.That(body[..n], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void TryParse_Samba311Capture_ContextsAndReencode()
    {
        var msg = Captures.Load("smb2-negotiate-response-samba311.hex");
        Assert.That(NegotiateResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.DialectRevision, Is.EqualTo(Smb2Dialect.Smb311));
        var contexts = new List<(ushort, byte[])>();
        foreach (var (type, data) in r.GetNegotiateContexts()) contexts.Add((type, data.ToArray()));
        Assert.That(contexts, Has.Count.EqualTo(r.NegotiateContextCount).And.Count.GreaterThanOrEqualTo(2));
        Assert.That(contexts[0].Item1, Is.EqualTo(Smb2NegotiateContextType.PreauthIntegrityCapabilities));

        var body = new byte[1024];
        int n = Write(body, r, r.SecurityBuffer.ToArray());
        var w = NegotiateContextWriter.ForResponse(body, n);
        foreach (var (t, d) in contexts) w.Add(t, d);
        Assert.That(w.Count, Is.EqualTo(contexts.Count));
        Assert.That(body[..w.Length], Is.EqualTo(msg.AsSpan(64).ToArray()));
    }

    [Test]
    public void TryParse_SambaAnswerToSmb1Negotiate_IsWildcard()
    {
        var msg = Captures.Load("smb2-negotiate-response-samba-wildcard.hex");
        Assert.That(NegotiateResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.DialectRevision, Is.EqualTo(Smb2Dialect.Wildcard));
    }

    [Test]
    public void RoundTrip_Written_SameFields()
    {
        var guid = Guid.NewGuid();
        byte[] spnego = [0x60, 0x01, 0x02];
        var msg = Smb2TestMessages.Response(Smb2Command.Negotiate, b =>
            NegotiateResponse.Write(b, 1, Smb2Dialect.Smb300, guid, 0x45, 8 << 20, 1 << 20, 2 << 20, 133000000000000000, 0, spnego));
        Assert.That(msg.Length, Is.EqualTo(64 + 64 + 3));
        Assert.That(NegotiateResponse.TryParse(msg, out var r), Is.True);
        Assert.That((r.SecurityMode, r.DialectRevision, r.ServerGuid, r.Capabilities),
            Is.EqualTo((Smb2SecurityMode.SigningEnabled, Smb2Dialect.Smb300, guid, (Smb2GlobalCapabilities)0x45)));
        Assert.That((r.MaxTransactSize, r.MaxReadSize, r.MaxWriteSize), Is.EqualTo((8u << 20, 1u << 20, 2u << 20)));
        Assert.That(r.SystemTime, Is.EqualTo(133000000000000000));
        Assert.That(r.SecurityBuffer.ToArray(), Is.EqualTo(spnego));
        Assert.That(r.GetNegotiateContexts().Count, Is.EqualTo(0));
    }

    [Test]
    public void ContextWriter_AlignsAfterOddSecurityBuffer()
    {
        var msg = Smb2TestMessages.Response(Smb2Command.Negotiate, b =>
        {
            int n = NegotiateResponse.Write(b, 1, Smb2Dialect.Smb311, Guid.Empty, 0, 1, 1, 1, 0, 0, new byte[5]);
            var w = NegotiateContextWriter.ForResponse(b, n);
            w.Add(Smb2NegotiateContextType.PreauthIntegrityCapabilities, new byte[3]);
            w.Add(Smb2NegotiateContextType.EncryptionCapabilities, new byte[4]);
            return w.Length;
        });
        Assert.That(NegotiateResponse.TryParse(msg, out var r), Is.True);
        Assert.That(r.NegotiateContextOffset, Is.EqualTo(136u), "128 + 5 rounded up to 8");
        Assert.That(msg.Length, Is.EqualTo(136 + 8 + 3 + 5 + 8 + 4), "second context 8-aligned after the first");
        int count = 0;
        foreach (var (type, data) in r.GetNegotiateContexts()) { count++; Assert.That(data.Length, Is.EqualTo(count == 1 ? 3 : 4)); }
        Assert.That(count, Is.EqualTo(2));
    }

    [TestCase("smb2-negotiate-response-samba302.hex")]
    [TestCase("smb2-negotiate-response-samba311.hex")]
    public void Robustness(string capture) =>
        ParserRobustness.Check(Captures.Load(capture), m => NegotiateResponse.TryParse(m, out var r) && Touch(r));

    private static bool Touch(NegotiateResponse r)
    {
        foreach (var (_, d) in r.GetNegotiateContexts()) _ = d.Length;
        return true;
    }

    private static int Write(Span<byte> b, NegotiateResponse r, byte[] sec) =>
        NegotiateResponse.Write(b, (ushort)r.SecurityMode, r.DialectRevision, r.ServerGuid, (uint)r.Capabilities,
            r.MaxTransactSize, r.MaxReadSize, r.MaxWriteSize, r.SystemTime, r.ServerStartTime, sec);
}

public class Smb1NegotiateRequestTests
{
    [Test]
    public void TryParse_ImpacketMultiProtocolCapture_OffersSmb2()
    {
        var msg = Captures.Load("smb2-smb1-negotiate-request-impacket.hex");
        Assert.That(Smb1NegotiateRequest.IsSmb1(msg), Is.True);
        Assert.That(Smb1NegotiateRequest.TryParse(msg, out var r), Is.True);
        Assert.That(r.DialectCount, Is.EqualTo(3));
        var names = new List<string>();
        foreach (var d in r.GetDialects()) names.Add(System.Text.Encoding.ASCII.GetString(d));
        Assert.That(names, Is.EqualTo(new[] { "NT LM 0.12", "SMB 2.002", "SMB 2.???" }));
        Assert.That(r.OffersSmb2Wildcard, Is.True);
        Assert.That(r.OffersSmb202, Is.True);
    }

    [Test]
    public void RoundTrip_Written_SameDialects()
    {
        var buf = new byte[128];
        int n = Smb1NegotiateRequest.Write(buf, "NT LM 0.12", "SMB 2.002");
        Assert.That(Smb1NegotiateRequest.TryParse(buf.AsSpan(0, n), out var r), Is.True);
        Assert.That(r.DialectCount, Is.EqualTo(2));
        Assert.That(r.OffersSmb202, Is.True);
        Assert.That(r.OffersSmb2Wildcard, Is.False);
        Assert.That(r.Offers("NT LM 0.12"u8), Is.True);
    }

    [Test]
    public void Write_SameDialectsAsImpacket_SameSmbData()
    {
        var msg = Captures.Load("smb2-smb1-negotiate-request-impacket.hex");
        var buf = new byte[128];
        int n = Smb1NegotiateRequest.Write(buf, "NT LM 0.12", "SMB 2.002", "SMB 2.???");
        Assert.That(buf.AsSpan(32, n - 32).ToArray(), Is.EqualTo(msg.AsSpan(32).ToArray()), "WordCount, ByteCount and dialect bytes");
    }

    [Test]
    public void IsSmb1_Smb2Message_False()
    {
        Assert.That(Smb1NegotiateRequest.IsSmb1(Captures.Load("smb2-negotiate-request-smbclient302.hex")), Is.False);
        Assert.That(Smb1NegotiateRequest.IsSmb1([0xFF, (byte)'S', (byte)'M']), Is.False);
    }

    [Test]
    public void TryParse_OtherSmb1Command_Rejected()
    {
        var msg = Captures.Load("smb2-smb1-negotiate-request-impacket.hex");
        msg[4] = 0x73; // SMB_COM_SESSION_SETUP_ANDX
        Assert.That(Smb1NegotiateRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void TryParse_UnterminatedDialect_Rejected()
    {
        var msg = Captures.Load("smb2-smb1-negotiate-request-impacket.hex");
        msg[^1] = (byte)'?';
        Assert.That(Smb1NegotiateRequest.TryParse(msg, out _), Is.False);
    }

    [Test]
    public void Robustness() =>
        ParserRobustness.Check(Captures.Load("smb2-smb1-negotiate-request-impacket.hex"), m =>
        {
            if (!Smb1NegotiateRequest.TryParse(m, out var r)) return false;
            _ = r.OffersSmb2Wildcard;
            return true;
        });
}
