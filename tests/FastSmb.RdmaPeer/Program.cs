using System.Buffers.Binary;
using FastSmb.SmbDirect.Rdma;
using FastSmb.SmbDirect.Rdma.Soft;

// The child side of SoftRdmaCrossProcessTests. Usage: FastSmb.RdmaPeer <socket path>
// 1. connects, registers a 64 KiB region with remote read+write and fills it with pattern A (i * 7);
// 2. sends (address, key, length) to the parent;
// 3. waits for the parent's "done" message (the parent has RDMA-read pattern A and RDMA-written pattern B, i * 13 + 1);
// 4. checks pattern B landed in its own memory without any message carrying it, and replies "ok" or "bad".
// Exit code 0 when it replied "ok".
const int Size = 64 * 1024;
var provider = new SoftRdmaProvider();
using var qp = await provider.ConnectAsync(args[0], CancellationToken.None);
using var shared = qp.RegisterMemory(Size, RdmaAccess.LocalWrite | RdmaAccess.RemoteRead | RdmaAccess.RemoteWrite);
using var msgs = qp.RegisterMemory(4096, RdmaAccess.LocalWrite);
for (int i = 0; i < Size; i++) shared.Memory.Span[i] = (byte)(i * 7);

qp.TryPostReceive(1, msgs, 2048, 2048);
BinaryPrimitives.WriteUInt64LittleEndian(msgs.Memory.Span, shared.RemoteAddress);
BinaryPrimitives.WriteUInt32LittleEndian(msgs.Memory.Span[8..], shared.RemoteKey);
BinaryPrimitives.WriteUInt32LittleEndian(msgs.Memory.Span[12..], Size);
qp.TryPostSend(2, msgs, 0, 16);

var completions = new RdmaCompletion[8];
var wake = new SemaphoreSlim(0);
var deadline = DateTime.UtcNow.AddSeconds(20);
bool done = false;
while (!done && DateTime.UtcNow < deadline)
{
    int n = qp.PollCompletions(completions);
    for (int i = 0; i < n; i++)
    {
        if (completions[i].Opcode == RdmaOpcode.Receive && completions[i].Status == RdmaCompletionStatus.Success) done = true;
        else if (completions[i].Status != RdmaCompletionStatus.Success || completions[i].Opcode == RdmaOpcode.Disconnected) return 2;
    }
    if (n == 0 && !done)
    {
        qp.RequestNotification(() => wake.Release());
        await wake.WaitAsync(TimeSpan.FromMilliseconds(200));
    }
}
if (!done) return 3;

bool ok = Check(shared.Memory.Span);
(ok ? "ok"u8 : "bad"u8).CopyTo(msgs.Memory.Span);
qp.TryPostSend(3, msgs, 0, ok ? 2 : 3);
// Let the send drain before the socket closes.
for (int k = 0; k < 50 && qp.PollCompletions(completions) == 0; k++) await Task.Delay(10);
await Task.Delay(200);
return ok ? 0 : 1;

static bool Check(Span<byte> span)
{
    for (int i = 0; i < span.Length; i++)
        if (span[i] != (byte)(i * 13 + 1)) return false;
    return true;
}
