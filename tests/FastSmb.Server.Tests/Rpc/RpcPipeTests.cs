using FastSmb.Control.Rpc;
using FastSmb.Control.Rpc.Srvsvc;
using FastSmb.Control.Shares;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;
using static FastSmb.Server.Tests.Rpc.RpcTestKit;

namespace FastSmb.Server.Tests.Rpc;

public class RpcPipeTests
{
    [TestCase("rpc-smbclient-bind.hex")]
    [TestCase("rpc-rpcclient-bind.hex")]
    [TestCase("rpc-impacket-bind.hex")]
    public void Write_CapturedBind_BindAckMatchesSambaExceptAssocGroupAndAddressCase(string capture)
    {
        var pipe = OpenSrvsvc();
        var answer = Exchange(pipe, Captures.Load(capture));
        Assert.That(answer, Has.Count.EqualTo(1));
        Assert.That(RpcBindAck.TryParse(answer[0], out var ours), Is.True);
        Assert.That(RpcBindAck.TryParse(Captures.Load("rpc-samba-bind-ack.hex"), out var samba), Is.True);
        Assert.That(ours.Header.Type, Is.EqualTo(RpcPacketType.BindAck));
        Assert.That(ours.Header.CallId, Is.EqualTo(samba.Header.CallId));
        Assert.That(ours.Header.Flags, Is.EqualTo(samba.Header.Flags));
        Assert.That(ours.MaxXmitFrag, Is.EqualTo(samba.MaxXmitFrag));
        Assert.That(ours.MaxRecvFrag, Is.EqualTo(samba.MaxRecvFrag));
        Assert.That(ours.AssocGroupId, Is.Not.Zero); // a fresh group; its value is ours to choose
        // Windows spells the address "\PIPE\srvsvc", Samba "\pipe\srvsvc"; clients do not look at the case.
        Assert.That(ours.SecondaryAddress, Is.EqualTo(samba.SecondaryAddress).IgnoreCase);
        Assert.That(ours.ResultCount, Is.EqualTo(1));
        Assert.That(ours.Result(0), Is.EqualTo(samba.Result(0)));
        Assert.That(answer[0].Length, Is.EqualTo(Captures.Load("rpc-samba-bind-ack.hex").Length));
    }

    [Test]
    public void Write_BindWithNdr64AndFeatureNegotiation_ResultsMatchSambaButOnlyKeepOrphanAcked()
    {
        var pipe = OpenSrvsvc();
        var answer = Exchange(pipe, Captures.Load("rpc-crafted-bind-multi.hex"));
        Assert.That(RpcBindAck.TryParse(answer[0], out var ours), Is.True);
        Assert.That(RpcBindAck.TryParse(Captures.Load("rpc-samba-bind-ack-multi.hex"), out var samba), Is.True);
        Assert.That(ours.ResultCount, Is.EqualTo(3));
        Assert.That(ours.Result(0), Is.EqualTo(samba.Result(0)));
        Assert.That(ours.Result(1), Is.EqualTo(samba.Result(1)));
        // Samba acks both features (3); without authenticated binds there is no security context to multiplex,
        // so this server acks only KeepConnectionOnOrphan.
        Assert.That(samba.Result(2).Reason, Is.EqualTo(3));
        Assert.That(ours.Result(2), Is.EqualTo(RpcContextResult.FeatureAck(RpcBindTimeFeatures.KeepConnectionOnOrphan)));
        // The client asked for 1024-byte fragments; Samba raised that to 2048, this server keeps to what was asked.
        Assert.That(ours.MaxXmitFrag, Is.EqualTo(1024));
        Assert.That(pipe.MaxXmitFrag, Is.EqualTo(1024));
    }

    [Test]
    public void Write_AlterContextAfterBind_MatchesSambaAndNewContextWorks()
    {
        var pipe = OpenSrvsvc();
        Exchange(pipe, Captures.Load("rpc-crafted-bind-multi.hex"));
        var answer = Exchange(pipe, Captures.Load("rpc-crafted-alter-context.hex"));
        Assert.That(RpcBindAck.TryParse(answer[0], out var ours), Is.True);
        Assert.That(RpcBindAck.TryParse(Captures.Load("rpc-samba-alter-context-resp.hex"), out var samba), Is.True);
        Assert.That(ours.Header.Type, Is.EqualTo(RpcPacketType.AlterContextResponse));
        Assert.That(ours.SecondaryAddress, Is.Empty);
        Assert.That(ours.Result(0), Is.EqualTo(samba.Result(0)));
        Assert.That(ours.Result(1), Is.EqualTo(samba.Result(1)));
        Assert.That(answer[0].Length, Is.EqualTo(Captures.Load("rpc-samba-alter-context-resp.hex").Length));
        var onContext3 = Call(pipe, Retarget(Captures.Load("rpc-crafted-request-badctx.hex"), 3));
        Assert.That(SrvsvcDecode.Enum(onContext3).Shares, Has.Count.EqualTo(2));
    }

    private static byte[] Retarget(byte[] request, ushort contextId)
    {
        request[20] = (byte)contextId;
        request[21] = (byte)(contextId >> 8);
        return request;
    }

    [Test]
    public void Write_SecondBind_BindNak()
    {
        var pipe = BoundSrvsvc();
        var answer = Exchange(pipe, Captures.Load("rpc-smbclient-bind.hex"));
        Assert.That(RpcBindNak.TryParse(answer[0], out _), Is.True);
    }

    [Test]
    public void Write_BindWithAuthVerifier_BindNakAuthenticationTypeNotRecognized()
    {
        var bind = Captures.Load("rpc-smbclient-bind.hex").ToList();
        bind.AddRange([0x0a, 0x02, 0, 0, 0, 0, 0, 0]); // sec_trailer: NTLMSSP, connect
        bind.AddRange(new byte[8]);
        var pdu = bind.ToArray();
        pdu[8] = (byte)pdu.Length;
        pdu[10] = 8;
        var answer = Exchange(OpenSrvsvc(), pdu);
        Assert.That(RpcBindNak.TryParse(answer[0], out var nak), Is.True);
        Assert.That(nak.Reason, Is.EqualTo(RpcRejectReason.AuthenticationTypeNotRecognized));
    }

    [Test]
    public void Write_RequestInThreeFragments_OneResponseEqualToSambas()
    {
        var pipe = BoundSrvsvc();
        Assert.That(pipe.Write(Captures.Load("rpc-crafted-request-frag1.hex")), Is.EqualTo(NtStatus.Success));
        Assert.That(pipe.HasOutput, Is.False);
        Assert.That(pipe.Write(Captures.Load("rpc-crafted-request-frag2.hex")), Is.EqualTo(NtStatus.Success));
        Assert.That(pipe.HasOutput, Is.False);
        var answer = Exchange(pipe, Captures.Load("rpc-crafted-request-frag3.hex"));
        Assert.That(answer, Has.Count.EqualTo(1));
        var samba = Captures.Load("rpc-samba-response-frag.hex");
        Assert.That(MaskReferents(answer[0]), Is.EqualTo(MaskReferents(samba)));
    }

    [Test]
    public void Write_PduSplitAcrossWritesAndTwoPdusInOneWrite_FramedByFragLength()
    {
        var pipe = OpenSrvsvc();
        var bind = Captures.Load("rpc-smbclient-bind.hex");
        pipe.Write(bind.AsSpan(0, 5));
        pipe.Write(bind.AsSpan(5, 20));
        Assert.That(pipe.HasOutput, Is.False);
        var req = Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex");
        pipe.Write([.. bind[25..], .. req]);
        var answer = Drain(pipe);
        Assert.That(answer, Has.Count.EqualTo(2));
        Assert.That(RpcBindAck.TryParse(answer[0], out _), Is.True);
        Assert.That(RpcResponse.TryParse(answer[1], out _), Is.True);
    }

    [TestCase("rpc-crafted-request-badop.hex", "rpc-samba-fault-badop.hex")]
    [TestCase("rpc-crafted-request-badctx.hex", "rpc-samba-fault-badctx.hex")]
    [TestCase("rpc-crafted-request-badstub.hex", "rpc-samba-fault-badstub.hex")]
    public void Write_BadOpnumContextOrStub_FaultLikeSambas(string request, string sambaFault)
    {
        var pipe = BoundSrvsvc();
        var answer = Exchange(pipe, Captures.Load(request));
        Assert.That(answer, Has.Count.EqualTo(1));
        Assert.That(RpcFault.TryParse(answer[0], out var ours), Is.True);
        Assert.That(RpcFault.TryParse(Captures.Load(sambaFault), out var samba), Is.True);
        Assert.That(ours.Status, Is.EqualTo(samba.Status));
        Assert.That(ours.Header.Flags, Is.EqualTo(samba.Header.Flags));
        Assert.That(ours.Header.CallId, Is.EqualTo(samba.Header.CallId));
        Assert.That(ours.ContextId, Is.EqualTo(samba.ContextId).Or.EqualTo(9)); // Samba reports context 0 for an unknown one
    }

    [Test]
    public void Write_RequestBeforeBind_ProtocolErrorFault()
    {
        var answer = Exchange(OpenSrvsvc(), Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex"));
        Assert.That(RpcFault.TryParse(answer[0], out var f) && f.Status == RpcFaultStatus.ProtocolError);
    }

    [Test]
    public void Write_MiddleFragmentWithoutFirst_ProtocolErrorFault()
    {
        var pipe = BoundSrvsvc();
        var answer = Exchange(pipe, Captures.Load("rpc-crafted-request-frag2.hex"));
        Assert.That(RpcFault.TryParse(answer[0], out var f) && f.Status == RpcFaultStatus.ProtocolError);
    }

    [Test]
    public void Write_FragLengthBelowHeaderSize_ProtocolErrorFaultAndPipeStillUsable()
    {
        var pipe = OpenSrvsvc();
        var junk = new byte[20];
        junk[0] = 5; junk[8] = 3;
        var answer = Exchange(pipe, junk);
        Assert.That(RpcFault.TryParse(answer[0], out var f) && f.Status == RpcFaultStatus.ProtocolError);
        Assert.That(RpcBindAck.TryParse(Exchange(pipe, Captures.Load("rpc-smbclient-bind.hex"))[0], out _), Is.True);
    }

    private static StaticShareRegistry ManyShares(int n) => new(Enumerable.Range(0, n)
        .Select(i => new ShareDefinition($"share{i:D3}", $"/srv/data/share{i:D3}", ShareType.Disk, $"comment number {i}"))
        .Append(StaticShareRegistry.Ipc()));

    [Test]
    public void Response_LargerThanMaxRecvFrag_SplitIntoFragmentsThatReassemble()
    {
        var pipe = OpenSrvsvc(ManyShares(60));
        var srvsvc = new RpcContextRequest(0, SrvsvcService.InterfaceId, [RpcSyntaxId.Ndr]);
        Assert.That(RpcBindAck.TryParse(Exchange(pipe, Bind(4280, 1024, srvsvc))[0], out var ack) && ack.MaxXmitFrag == 1024);
        var answer = Exchange(pipe, Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex"));
        Assert.That(answer.Count, Is.GreaterThan(3));
        var stub = new List<byte>();
        for (int i = 0; i < answer.Count; i++)
        {
            Assert.That(answer[i].Length, Is.LessThanOrEqualTo(1024));
            Assert.That(RpcResponse.TryParse(answer[i], out var r), Is.True);
            Assert.That(r.Header.IsFirstFragment, Is.EqualTo(i == 0));
            Assert.That(r.Header.IsLastFragment, Is.EqualTo(i == answer.Count - 1));
            if (i < answer.Count - 1) Assert.That(r.StubData.Length % 8, Is.Zero);
            Assert.That(r.AllocHint, Is.GreaterThanOrEqualTo((uint)r.StubData.Length));
            stub.AddRange(r.StubData.ToArray());
        }
        var whole = SrvsvcDecode.Enum(stub.ToArray());
        Assert.That(whole.Shares, Has.Count.EqualTo(61));
        Assert.That(whole.Shares[59].NetName, Is.EqualTo("share059"));
    }

    [Test]
    public void Read_BufferSmallerThanFragment_BufferOverflowThenRest()
    {
        var pipe = OpenSrvsvc();
        pipe.Write(Captures.Load("rpc-smbclient-bind.hex"));
        var whole = new List<byte>();
        var small = new byte[10];
        NtStatus status;
        int reads = 0;
        do
        {
            status = pipe.Read(small, out int n);
            whole.AddRange(small[..n]);
            reads++;
        }
        while (status == NtStatus.BufferOverflow);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(reads, Is.EqualTo(7)); // 68 bytes in 10-byte reads
        Assert.That(RpcBindAck.TryParse(whole.ToArray(), out _), Is.True);
        Assert.That(pipe.Read(small, out _), Is.EqualTo(NtStatus.InvalidPipeState));
    }

    [Test]
    public void Transceive_SmallOutputBuffer_BufferOverflowAndReadReturnsTheRest()
    {
        var pipe = BoundSrvsvc();
        var output = new byte[100];
        var status = pipe.Transceive(Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex"), output, out int n);
        Assert.That(status, Is.EqualTo(NtStatus.BufferOverflow));
        Assert.That(n, Is.EqualTo(100));
        var rest = new byte[4096];
        Assert.That(pipe.Read(rest, out int m), Is.EqualTo(NtStatus.Success));
        Assert.That(RpcResponse.TryParse([.. output, .. rest[..m]], out _), Is.True);
    }

    [Test]
    public void Transceive_BigEnoughBuffer_OneFragmentPerCall()
    {
        var pipe = OpenSrvsvc(ManyShares(60));
        var output = new byte[65536];
        Assert.That(pipe.Transceive(Captures.Load("rpc-smbclient-bind.hex"), output, out _), Is.EqualTo(NtStatus.Success));
        Assert.That(pipe.Transceive(Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex"), output, out int n), Is.EqualTo(NtStatus.Success));
        Assert.That(n, Is.EqualTo(4280 - (4280 - 24) % 8));
        Assert.That(RpcResponse.TryParse(output.AsSpan(0, n), out var r) && !r.Header.IsLastFragment);
        Assert.That(pipe.HasOutput, Is.True);
    }

    [Test]
    public void Write_RandomGarbage_NeverThrows()
    {
        var rng = new Random(42);
        var valid = Captures.Load("rpc-smbclient-netshareenumall-l1-req.hex");
        for (int i = 0; i < 2000; i++)
        {
            var pipe = BoundSrvsvc();
            var pdu = (byte[])valid.Clone();
            for (int f = rng.Next(1, 5); f > 0; f--) pdu[rng.Next(pdu.Length)] = (byte)rng.Next(256);
            Assert.DoesNotThrow(() => { pipe.Write(pdu); Drain(pipe); });
        }
    }
}
