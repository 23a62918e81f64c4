using System.Buffers.Binary;
using FastSmb.Control.Rpc;
using FastSmb.Control.Shares;
using FastSmb.Datapath.Pipes;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Pdu;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Server.Tests.Rpc;

/// <summary>Shares and pipes shaped like the Samba instance the captures came from.</summary>
internal static class RpcTestKit
{
    public const string SambaIpcComment = "IPC Service (Samba 4.17.12-Debian)";

    public static readonly PipeCaller Caller = new("bench", "WORKGROUP", false, new byte[16], "127.0.0.1");

    public static StaticShareRegistry SambaLikeShares() => new([
        new ShareDefinition("share", "/tmp/ref-samba-rpc/share", ShareType.Disk, ""),
        StaticShareRegistry.Ipc(SambaIpcComment),
    ]);

    public static NamedPipeHost Host(IShareRegistry? shares = null) =>
        new(shares ?? SambaLikeShares(), new ServerInfo("FASTSMB"));

    public static RpcPipe OpenSrvsvc(IShareRegistry? shares = null)
    {
        Assert.That(Host(shares).Open("srvsvc", Caller, out var pipe), Is.EqualTo(NtStatus.Success));
        return (RpcPipe)pipe!;
    }

    /// <summary>Writes one PDU and reads every message the pipe then has.</summary>
    public static List<byte[]> Exchange(RpcPipe pipe, byte[] pdu)
    {
        Assert.That(pipe.Write(pdu), Is.EqualTo(NtStatus.Success));
        return Drain(pipe);
    }

    public static List<byte[]> Drain(RpcPipe pipe)
    {
        var messages = new List<byte[]>();
        var buf = new byte[65536];
        while (pipe.HasOutput)
        {
            Assert.That(pipe.Read(buf, out int n), Is.EqualTo(NtStatus.Success));
            messages.Add(buf[..n]);
        }
        return messages;
    }

    public static RpcPipe BoundSrvsvc(IShareRegistry? shares = null)
    {
        var pipe = OpenSrvsvc(shares);
        var ack = Exchange(pipe, Captures.Load("rpc-smbclient-bind.hex"));
        Assert.That(ack, Has.Count.EqualTo(1));
        Assert.That(RpcBindAck.TryParse(ack[0], out var a) && a.Result(0).Result == RpcContextResultCode.Acceptance);
        return pipe;
    }

    /// <summary>The request's stub run through the pipe; the response's stub (reassembled) back.</summary>
    public static byte[] Call(RpcPipe pipe, byte[] requestPdu)
    {
        var stub = new List<byte>();
        foreach (var m in Exchange(pipe, requestPdu))
        {
            Assert.That(RpcResponse.TryParse(m, out var r), Is.True, "expected a response PDU, got " + Convert.ToHexString(m));
            stub.AddRange(r.StubData.ToArray());
        }
        return [.. stub];
    }

    public static byte[] StubOf(string responseCapture)
    {
        Assert.That(RpcResponse.TryParse(Captures.Load(responseCapture), out var r), Is.True);
        return r.StubData.ToArray();
    }

    /// <summary>
    /// Replaces referent ids (0x0002xxxx at 4-byte offsets) with 0x00020000: Samba numbers them on from the
    /// request's pointers, this server from 0; clients treat them as opaque, so stubs compare equal without them.
    /// </summary>
    public static byte[] MaskReferents(byte[] stub)
    {
        var copy = (byte[])stub.Clone();
        for (int i = 0; i + 4 <= copy.Length; i += 4)
        {
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(i));
            if ((v & 0xFFFF0000) == 0x00020000 && (v & 3) == 0) BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(i), 0x00020000);
        }
        return copy;
    }

    public static byte[] Request(uint callId, ushort contextId, ushort opnum, byte[] stub, RpcPfcFlags flags = RpcPfcFlags.FirstFrag | RpcPfcFlags.LastFrag)
    {
        var pdu = new byte[RpcRequest.FixedSize + stub.Length];
        RpcRequest.Write(pdu, flags, callId, (uint)stub.Length, contextId, opnum, stub);
        return pdu;
    }

    public static byte[] Bind(ushort maxXmit, ushort maxRecv, params RpcContextRequest[] contexts)
    {
        var pdu = new byte[RpcBind.GetSize(contexts)];
        RpcBind.Write(pdu, RpcPacketType.Bind, 1, maxXmit, maxRecv, 0, contexts);
        return pdu;
    }
}
