using FastSmb.SmbDirect.Rdma;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.SmbDirect;

/// <summary>
/// RDMA read/write for SMB2 READ/WRITE over a validated <see cref="RdmaChannel.Plan"/> ([MS-SMBD] 3.1.4.5 RDMA Write
/// to Remote Buffer, 3.1.4.6 RDMA Read from Remote Buffer). The payload passes through one registered
/// staging region of MaxReadWriteSize owned by the connection; through <see cref="IRdmaDataPath"/> the handlers read
/// file data straight into it (and write from it), so the payload is not copied again. One transfer at a time;
/// descriptors are walked in order, one work request each. A failed transfer is an RC error: the connection is down
/// and the result is false.
/// </summary>
public sealed partial class SmbDirectConnection : IRdmaDataPath
{
    int IRdmaDataPath.MaxReadWriteSize => _p.MaxReadWriteSize;
    int IRdmaDataPath.MaxBufferDescriptors => _options.MaxBufferDescriptors;
    Memory<byte> IRdmaDataPath.Staging => _dataRegion.Memory[.._p.MaxReadWriteSize];

    Task<bool> IRdmaDataPath.WriteToPeerAsync(IReadOnlyList<BufferDescriptorV1> descriptors, int length)
    {
        var op = new RdmaOperation(RdmaOpcode.RdmaWrite, descriptors, default, default, length);
        Enqueue(new Command(null, op));
        return op.Done.Task;
    }

    Task<bool> IRdmaDataPath.ReadFromPeerAsync(IReadOnlyList<BufferDescriptorV1> descriptors, int length)
    {
        var op = new RdmaOperation(RdmaOpcode.RdmaRead, descriptors, default, default, length);
        Enqueue(new Command(null, op));
        return op.Done.Task;
    }

    /// <summary>RDMA-writes <paramref name="payload"/> into the peer's buffers (a READ's data). False when the connection failed.</summary>
    public Task<bool> RdmaWriteAsync(IReadOnlyList<BufferDescriptorV1> descriptors, ReadOnlyMemory<byte> payload)
    {
        var op = new RdmaOperation(RdmaOpcode.RdmaWrite, descriptors, payload, default);
        Enqueue(new Command(null, op));
        return op.Done.Task;
    }

    /// <summary>RDMA-reads <c>destination.Length</c> bytes from the peer's buffers (a WRITE's data). False when the connection failed.</summary>
    public Task<bool> RdmaReadAsync(IReadOnlyList<BufferDescriptorV1> descriptors, Memory<byte> destination)
    {
        var op = new RdmaOperation(RdmaOpcode.RdmaRead, descriptors, default, destination);
        Enqueue(new Command(null, op));
        return op.Done.Task;
    }

    /// <summary>One transfer; with <paramref name="inPlaceLength"/> &gt; 0 the bytes are already in (or stay in) the staging region.</summary>
    internal sealed class RdmaOperation(RdmaOpcode opcode, IReadOnlyList<BufferDescriptorV1> descriptors, ReadOnlyMemory<byte> source,
        Memory<byte> destination, int inPlaceLength = 0)
    {
        public bool InPlace => inPlaceLength > 0;
        public RdmaOpcode Opcode => opcode;
        public IReadOnlyList<BufferDescriptorV1> Descriptors => descriptors;
        public ReadOnlyMemory<byte> Source => source;
        public Memory<byte> Destination => destination;
        public int Length => inPlaceLength > 0 ? inPlaceLength : opcode == RdmaOpcode.RdmaWrite ? source.Length : destination.Length;
        public bool Started { get; set; }
        public int Outstanding { get; set; }
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void PumpRdma()
    {
        if (!_rdmaQueue.TryPeek(out var op) || op.Started) return;
        if (op.Length > _p.MaxReadWriteSize || op.Length == 0)
        {
            _rdmaQueue.Dequeue();
            op.Done.TrySetResult(op.Length == 0);
            return;
        }
        if (op.Opcode == RdmaOpcode.RdmaWrite && !op.InPlace) op.Source.Span.CopyTo(_dataRegion.Memory.Span);
        op.Started = true;
        int done = 0;
        foreach (var d in op.Descriptors)
        {
            if (done == op.Length) break;
            int chunk = (int)Math.Min(d.Length, (uint)(op.Length - done));
            if (chunk == 0) continue;
            ulong id = KindRdma | (uint)(++_rdmaSequence & 0xFFFFFFFF);
            bool posted = op.Opcode == RdmaOpcode.RdmaWrite
                ? _qp.TryPostRdmaWrite(id, _dataRegion, done, chunk, d.Offset, d.Token)
                : _qp.TryPostRdmaRead(id, _dataRegion, done, chunk, d.Offset, d.Token);
            if (!posted) { Fail("could not post an RDMA operation"); return; }
            op.Outstanding++;
            done += chunk;
        }
        if (done < op.Length)
        {
            // The plan was validated against the descriptors; a shortfall here is a caller bug, not a peer error.
            _rdmaQueue.Dequeue();
            op.Done.TrySetException(new ArgumentException("descriptors shorter than the transfer"));
        }
    }

    private void OnRdmaCompletion(in RdmaCompletion c)
    {
        if (c.Status != RdmaCompletionStatus.Success)
        {
            Fail($"{c.Opcode} failed: {c.Status}");
            return;
        }
        if (!_rdmaQueue.TryPeek(out var op)) return;
        if (--op.Outstanding > 0) return;
        _rdmaQueue.Dequeue();
        if (op.Opcode == RdmaOpcode.RdmaRead && !op.InPlace) _dataRegion.Memory.Span[..op.Length].CopyTo(op.Destination.Span);
        op.Done.TrySetResult(true);
    }
}
