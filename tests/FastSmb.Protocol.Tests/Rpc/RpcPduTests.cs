using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Rpc;

public class RpcPduTests
{
    private static readonly RpcSyntaxId Srvsvc = new(new Guid("4b324fc8-1670-01d3-1278-5a47bf6ee188"), 3, 0);

    [TestCase("rpc-smbclient-bind.hex")]
    [TestCase("rpc-rpcclient-bind.hex")]
    [TestCase("rpc-impacket-bind.hex")]
    public void Bind_CapturedFromClient_ParsesOneSrvsvcNdrContext(string capture)
    {
        var bytes = Captures.Load(capture);
        Assert.That(RpcBind.TryParse(bytes, out var bind), Is.True);
        Assert.That(bind.Header.Type, Is.EqualTo(RpcPacketType.Bind));
        Assert.That(bind.Header.Flags, Is.EqualTo(RpcPfcFlags.FirstFrag | RpcPfcFlags.LastFrag));
        Assert.That(bind.MaxXmitFrag, Is.EqualTo(4280));
        Assert.That(bind.MaxRecvFrag, Is.EqualTo(4280));
        Assert.That(bind.AssocGroupId, Is.Zero);
        Assert.That(bind.ContextCount, Is.EqualTo(1));
        foreach (var c in bind.Contexts)
        {
            Assert.That(c.ContextId, Is.Zero);
            Assert.That(c.AbstractSyntax, Is.EqualTo(Srvsvc));
            Assert.That(c.TransferSyntaxCount, Is.EqualTo(1));
            Assert.That(c.TransferSyntax(0), Is.EqualTo(RpcSyntaxId.Ndr));
        }
    }

    [Test]
    public void Bind_WriteFromParsedCapture_IsByteIdentical()
    {
        var bytes = Captures.Load("rpc-crafted-bind-multi.hex");
        Assert.That(RpcBind.TryParse(bytes, out var bind), Is.True);
        var contexts = new List<RpcContextRequest>();
        foreach (var c in bind.Contexts)
        {
            var ts = new RpcSyntaxId[c.TransferSyntaxCount];
            for (int i = 0; i < ts.Length; i++) ts[i] = c.TransferSyntax(i);
            contexts.Add(new RpcContextRequest(c.ContextId, c.AbstractSyntax, ts));
        }
        Assert.That(contexts, Has.Count.EqualTo(3));
        Assert.That(contexts[1].TransferSyntaxes[0], Is.EqualTo(RpcSyntaxId.Ndr64));
        Assert.That(contexts[2].TransferSyntaxes[0].IsBindTimeFeatureNegotiation(out var features), Is.True);
        Assert.That(features, Is.EqualTo(RpcBindTimeFeatures.SecurityContextMultiplexing | RpcBindTimeFeatures.KeepConnectionOnOrphan));
        Assert.That(contexts[0].TransferSyntaxes[0].IsBindTimeFeatureNegotiation(out _), Is.False);

        var written = new byte[RpcBind.GetSize(contexts.ToArray())];
        RpcBind.Write(written, RpcPacketType.Bind, bind.Header.CallId, bind.MaxXmitFrag, bind.MaxRecvFrag, bind.AssocGroupId, contexts.ToArray());
        Assert.That(written, Is.EqualTo(bytes));
    }

    [Test]
    public void BindAck_SambaCapture_ParsesAndRewritesByteIdentical()
    {
        var bytes = Captures.Load("rpc-samba-bind-ack.hex");
        Assert.That(RpcBindAck.TryParse(bytes, out var ack), Is.True);
        Assert.That(ack.SecondaryAddress, Is.EqualTo(@"\pipe\srvsvc"));
        Assert.That(ack.ResultCount, Is.EqualTo(1));
        Assert.That(ack.Result(0), Is.EqualTo(RpcContextResult.Accept(RpcSyntaxId.Ndr)));

        var written = new byte[RpcBindAck.GetSize(ack.SecondaryAddress, 1)];
        RpcBindAck.Write(written, RpcPacketType.BindAck, ack.Header.CallId, ack.MaxXmitFrag, ack.MaxRecvFrag, ack.AssocGroupId,
            ack.SecondaryAddress, [ack.Result(0)]);
        Assert.That(written, Is.EqualTo(bytes));
    }

    [Test]
    public void BindAck_SambaMultiContextCapture_HasAcceptRejectAndNegotiateAck()
    {
        var bytes = Captures.Load("rpc-samba-bind-ack-multi.hex");
        Assert.That(RpcBindAck.TryParse(bytes, out var ack), Is.True);
        Assert.That(ack.Result(0), Is.EqualTo(RpcContextResult.Accept(RpcSyntaxId.Ndr)));
        Assert.That(ack.Result(1), Is.EqualTo(RpcContextResult.Reject(RpcProviderReason.ProposedTransferSyntaxesNotSupported)));
        Assert.That(ack.Result(2), Is.EqualTo(RpcContextResult.FeatureAck((RpcBindTimeFeatures)3)));
        RpcContextResult[] results = [ack.Result(0), ack.Result(1), ack.Result(2)];
        var written = new byte[RpcBindAck.GetSize(ack.SecondaryAddress, 3)];
        RpcBindAck.Write(written, RpcPacketType.BindAck, 1, ack.MaxXmitFrag, ack.MaxRecvFrag, ack.AssocGroupId, ack.SecondaryAddress, results);
        Assert.That(written, Is.EqualTo(bytes));
    }

    [Test]
    public void AlterContextResponse_SambaCapture_RewritesByteIdenticalWithEmptySecondaryAddress()
    {
        var bytes = Captures.Load("rpc-samba-alter-context-resp.hex");
        Assert.That(RpcBindAck.TryParse(bytes, out var ack), Is.True);
        Assert.That(ack.Header.Type, Is.EqualTo(RpcPacketType.AlterContextResponse));
        Assert.That(ack.SecondaryAddress, Is.Empty);
        Assert.That(ack.Result(1), Is.EqualTo(RpcContextResult.Reject(RpcProviderReason.AbstractSyntaxNotSupported)));
        var written = new byte[RpcBindAck.GetSize("", 2)];
        RpcBindAck.Write(written, RpcPacketType.AlterContextResponse, 6, ack.MaxXmitFrag, ack.MaxRecvFrag, ack.AssocGroupId, "",
            [ack.Result(0), ack.Result(1)]);
        Assert.That(written, Is.EqualTo(bytes));
    }

    [Test]
    public void Request_ThreeCapturedFragments_ReassembleToTheSingleFragmentStub()
    {
        var whole = Captures.Load("rpc-impacket-netshareenumall-l1-req.hex");
        Assert.That(RpcRequest.TryParse(whole, out var single), Is.True);
        var stub = new List<byte>();
        RpcPfcFlags[] expected = [RpcPfcFlags.FirstFrag, RpcPfcFlags.None, RpcPfcFlags.LastFrag];
        for (int i = 1; i <= 3; i++)
        {
            var frag = Captures.Load($"rpc-crafted-request-frag{i}.hex");
            Assert.That(RpcRequest.TryParse(frag, out var r), Is.True);
            Assert.That(r.Header.Flags, Is.EqualTo(expected[i - 1]));
            Assert.That(r.Opnum, Is.EqualTo(15));
            Assert.That(r.AllocHint, Is.EqualTo(single.StubData.Length));
            stub.AddRange(r.StubData.ToArray());
            var rewritten = new byte[frag.Length];
            RpcRequest.Write(rewritten, r.Header.Flags, r.Header.CallId, r.AllocHint, r.ContextId, r.Opnum, r.StubData);
            Assert.That(rewritten, Is.EqualTo(frag));
        }
        Assert.That(stub.ToArray(), Is.EqualTo(single.StubData.ToArray()));
    }

    [Test]
    public void Response_SambaCapture_RewritesByteIdentical()
    {
        var bytes = Captures.Load("rpc-samba-netshareenumall-l1-resp.hex");
        Assert.That(RpcResponse.TryParse(bytes, out var r), Is.True);
        Assert.That(r.AllocHint, Is.EqualTo(r.StubData.Length));
        var rewritten = new byte[bytes.Length];
        RpcResponse.Write(rewritten, r.Header.Flags, r.Header.CallId, r.AllocHint, r.ContextId, r.StubData);
        Assert.That(rewritten, Is.EqualTo(bytes));
    }

    [TestCase("rpc-samba-fault-badop.hex", 0x1C010002u, true)]
    [TestCase("rpc-samba-fault-badctx.hex", 0x1C010003u, true)]
    [TestCase("rpc-samba-fault-badstub.hex", 0x000006F7u, false)]
    public void Fault_SambaCapture_MatchesOurWriterExceptAllocHint(string capture, uint status, bool didNotExecute)
    {
        var bytes = Captures.Load(capture);
        Assert.That(RpcFault.TryParse(bytes, out var f), Is.True);
        Assert.That(f.Status, Is.EqualTo(status));
        Assert.That(f.DidNotExecute, Is.EqualTo(didNotExecute));
        var ours = new byte[RpcFault.Size];
        RpcFault.Write(ours, f.Header.CallId, f.ContextId, f.Status, f.DidNotExecute);
        // Samba puts 24 in alloc_hint (bytes 16..19); we send 0, which [C706] 12.6.3.1 allows (the hint is advisory).
        bytes.AsSpan(16, 4).Clear();
        Assert.That(ours, Is.EqualTo(bytes));
    }

    [Test]
    public void BindNak_WriteThenParse_RoundTrips()
    {
        var b = new byte[RpcBindNak.Size];
        RpcBindNak.Write(b, 7, RpcRejectReason.AuthenticationTypeNotRecognized);
        Assert.That(RpcBindNak.TryParse(b, out var nak), Is.True);
        Assert.That(nak.Reason, Is.EqualTo(RpcRejectReason.AuthenticationTypeNotRecognized));
        Assert.That(nak.VersionCount, Is.EqualTo(1));
        Assert.That(nak.Header.CallId, Is.EqualTo(7u));
        ParserRobustness.Check(b, s => RpcBindNak.TryParse(s, out _));
    }

    [Test]
    public void Header_BigEndianDrepOrWrongVersion_Rejected()
    {
        var bytes = Captures.Load("rpc-smbclient-bind.hex");
        var be = (byte[])bytes.Clone();
        be[4] = 0x00;
        Assert.That(RpcPduHeader.TryParse(be, out _), Is.False);
        var v4 = (byte[])bytes.Clone();
        v4[0] = 4;
        Assert.That(RpcPduHeader.TryParse(v4, out _), Is.False);
    }

    [Test]
    public void Bind_ContextWithZeroTransferSyntaxes_Rejected()
    {
        var bytes = Captures.Load("rpc-smbclient-bind.hex");
        bytes[16 + 12 + 2] = 0;
        Assert.That(RpcBind.TryParse(bytes, out _), Is.False);
    }

    private static IEnumerable<TestCaseData> AllCaptures() =>
        Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Captures"), "rpc-*.hex")
            .Select(p => new TestCaseData(Path.GetFileName(p)).SetName($"AnyParser_TruncatedOrCorrupted_NeverThrows({Path.GetFileName(p)})"));

    [TestCaseSource(nameof(AllCaptures))]
    public void AnyParser_TruncatedOrCorrupted_NeverThrows(string capture)
    {
        var bytes = Captures.Load(capture);
        ParserRobustness.Check(bytes, ParseAsItsType);
    }

    /// <summary>Parses with the parser for the captured PDU's type (read from the untouched capture).</summary>
    private static bool ParseAsItsType(ReadOnlySpan<byte> s)
    {
        // Every parser gets every input: a corrupted type byte must not make another parser throw either.
        bool any = RpcBind.TryParse(s, out _) | RpcBindAck.TryParse(s, out _) | RpcBindNak.TryParse(s, out _)
            | RpcRequest.TryParse(s, out _) | RpcResponse.TryParse(s, out _) | RpcFault.TryParse(s, out _);
        if (RpcBind.TryParse(s, out var bind)) foreach (var c in bind.Contexts) { _ = c.AbstractSyntax; for (int i = 0; i < c.TransferSyntaxCount; i++) _ = c.TransferSyntax(i); }
        if (RpcBindAck.TryParse(s, out var ack)) { _ = ack.SecondaryAddress; for (int i = 0; i < ack.ResultCount; i++) _ = ack.Result(i); }
        if (RpcRequest.TryParse(s, out var req)) { _ = req.StubData.Length; _ = req.Object; }
        return any;
    }
}
