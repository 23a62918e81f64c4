using System.Buffers.Binary;
using System.Diagnostics;
using FastSmb.SmbDirect.Rdma;
using FastSmb.SmbDirect.Rdma.Soft;

namespace FastSmb.Server.Tests.Datapath.Rdma;

/// <summary>
/// Soft RDMA between two real processes: the child (tests/FastSmb.RdmaPeer) registers a region, the parent RDMA-reads
/// what the child wrote and RDMA-writes a new pattern into the child's memory; only the key, address and length travel
/// in messages, so the bytes can only have crossed through the memfd passed with SCM_RIGHTS.
/// </summary>
public class SoftRdmaCrossProcessTests
{
    [Test]
    public async Task ChildProcess_RdmaReadAndWriteItsMemory()
    {
        const int size = 64 * 1024;
        var address = RdmaTestKit.NewAddress();
        var provider = new SoftRdmaProvider();
        await using var listener = provider.Listen(address);
        var peerDll = Path.Combine(TestContext.CurrentContext.TestDirectory, "FastSmb.RdmaPeer.dll");
        Assert.That(File.Exists(peerDll), Is.True, peerDll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(peerDll);
        psi.ArgumentList.Add(address);
        using var child = Process.Start(psi)!;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var qp = await listener.AcceptAsync(cts.Token);
            using var msgs = qp.RegisterMemory(4096, RdmaAccess.LocalWrite);
            using var local = qp.RegisterMemory(size, RdmaAccess.LocalWrite);
            qp.TryPostReceive(1, msgs, 0, 2048);
            var got = await RdmaTestKit.WaitForAsync(qp, 1);
            Assert.That(got[0].Status, Is.EqualTo(RdmaCompletionStatus.Success));
            ulong remoteAddress = BinaryPrimitives.ReadUInt64LittleEndian(msgs.Memory.Span);
            uint key = BinaryPrimitives.ReadUInt32LittleEndian(msgs.Memory.Span[8..]);
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(msgs.Memory.Span[12..]), Is.EqualTo((uint)size));

            Assert.That(qp.TryPostRdmaRead(2, local, 0, size, remoteAddress, key), Is.True);
            got = await RdmaTestKit.WaitForAsync(qp, 1);
            Assert.That((got[0].Opcode, got[0].Status), Is.EqualTo((RdmaOpcode.RdmaRead, RdmaCompletionStatus.Success)));
            var span = local.Memory.Span;
            for (int i = 0; i < size; i++)
                if (span[i] != (byte)(i * 7)) Assert.Fail($"byte {i} read from the child is {span[i]}");

            for (int i = 0; i < size; i++) span[i] = (byte)(i * 13 + 1);
            qp.TryPostRdmaWrite(3, local, 0, size, remoteAddress, key);
            qp.TryPostReceive(4, msgs, 2048, 2048);
            qp.TryPostSend(5, msgs, 0, 4);
            got = await RdmaTestKit.WaitForAsync(qp, 3);
            var reply = got.Single(c => c.Opcode == RdmaOpcode.Receive);
            Assert.That(System.Text.Encoding.ASCII.GetString(msgs.Memory.Span.Slice(2048, reply.ByteLength)), Is.EqualTo("ok"));
            Assert.That(child.WaitForExit(20_000), Is.True, "child exits");
            Assert.That(child.ExitCode, Is.EqualTo(0), await child.StandardError.ReadToEndAsync());
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }
}
