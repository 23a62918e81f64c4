using FastSmb.SmbDirect.Rdma;
using FastSmb.Protocol;
using FastSmb.Protocol.SmbDirect;

namespace FastSmb.SmbDirect;

/// <summary>The negotiate exchange, run before the loop starts (nothing else is on the connection yet).</summary>
public sealed partial class SmbDirectConnection
{
    private readonly Queue<RdmaCompletion> _negotiationBacklog = new();

    /// <summary>Thrown when negotiation fails; the RDMA connection is closed by then.</summary>
    public sealed class NegotiationFailedException(string reason) : IOException($"SMB Direct negotiation failed: {reason}");

    private async Task NegotiateAsServerAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < _options.ReceiveCreditMax; i++)
            if (!PostReceive(i)) throw new NegotiationFailedException("could not post receives");
        var (slot, length) = await WaitForFirstReceiveAsync(cancellationToken).ConfigureAwait(false);
        var bytes = _receiveRegion.Memory.Span.Slice(slot * _receiveSlotSize, length);
        var verdict = SmbDirectNegotiation.JudgeRequest(bytes, _options, out var parameters, out var reason);
        if (verdict == SmbDirectNegotiation.RequestVerdict.NotSupported)
        {
            // 3.1.5.3: a failure response carries only the versions and the status; then a graceful termination.
            int n = SmbDirectNegotiateResponse.WriteFailure(_sendRegion.Memory.Span, NtStatus.NotSupported);
            await SendNegotiateMessageAsync(n, cancellationToken).ConfigureAwait(false);
        }
        if (verdict != SmbDirectNegotiation.RequestVerdict.Accept)
        {
            Fail(reason!);
            throw new NegotiationFailedException(reason!);
        }
        _p = parameters!;
        _receiveCreditTarget = _p.ReceiveCreditTarget;
        _sendCredits = _p.InitialSendCredits;
        if (!PostReceive(slot)) throw new NegotiationFailedException("could not post a receive");
        ushort granted = NewCredits();
        int size = SmbDirectNegotiateResponse.Write(_sendRegion.Memory.Span, (ushort)_options.SendCreditTarget, granted,
            (uint)_p.MaxReadWriteSize, (uint)_p.MaxSendSize, (uint)_p.MaxReceiveSize, (uint)_p.MaxFragmentedReceiveSize);
        await SendNegotiateMessageAsync(size, cancellationToken).ConfigureAwait(false);
        _receiveCredits = granted;
    }

    private async Task NegotiateAsClientAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < _options.ReceiveCreditMax; i++)
            if (!PostReceive(i)) throw new NegotiationFailedException("could not post receives");
        int size = SmbDirectNegotiateRequest.Write(_sendRegion.Memory.Span, (ushort)_options.SendCreditTarget,
            (uint)_options.MaxSendSize, (uint)_options.MaxReceiveSize, (uint)_options.MaxFragmentedSize);
        await SendNegotiateMessageAsync(size, cancellationToken).ConfigureAwait(false);
        var (slot, length) = await WaitForFirstReceiveAsync(cancellationToken).ConfigureAwait(false);
        var parameters = SmbDirectNegotiation.JudgeResponse(_receiveRegion.Memory.Span.Slice(slot * _receiveSlotSize, length), _options, out var reason);
        if (parameters is null)
        {
            Fail(reason!);
            throw new NegotiationFailedException(reason!);
        }
        _p = parameters;
        _receiveCreditTarget = _p.ReceiveCreditTarget;
        _sendCredits = _p.InitialSendCredits;
        // Nothing granted yet: the first data transfer grants the listener its credits.
        _receiveCredits = 0;
        if (!PostReceive(slot)) throw new NegotiationFailedException("could not post a receive");
    }

    /// <summary>Negotiate messages are outside the credit scheme: one send from slot 0, waited for here.</summary>
    private async Task SendNegotiateMessageAsync(int length, CancellationToken cancellationToken)
    {
        int slot = _freeSendSlots.Pop();
        if (!_qp.TryPostSend(KindSend | (uint)slot, _sendRegion, 0, length))
            throw new NegotiationFailedException("could not post the negotiate message");
        var c = await NextCompletionAsync(RdmaOpcode.Send, cancellationToken).ConfigureAwait(false);
        if (c.Opcode != RdmaOpcode.Send || c.Status != RdmaCompletionStatus.Success)
            throw new NegotiationFailedException($"negotiate send failed: {c.Opcode} {c.Status}");
        _freeSendSlots.Push(slot);
    }

    private async Task<(int Slot, int Length)> WaitForFirstReceiveAsync(CancellationToken cancellationToken)
    {
        var c = await NextCompletionAsync(RdmaOpcode.Receive, cancellationToken).ConfigureAwait(false);
        if (c.Opcode != RdmaOpcode.Receive || c.Status != RdmaCompletionStatus.Success)
        {
            Fail("no negotiate message");
            throw new NegotiationFailedException($"expected a negotiate message, got {c.Opcode} {c.Status}");
        }
        _receivesPosted--;
        return ((int)(c.WorkRequestId & 0xFFFFFFFF), c.ByteLength);
    }

    /// <summary>
    /// The next completion of <paramref name="opcode"/> (or a failure of any kind). RC orders each queue but not the
    /// two against each other, so the peer's response may complete before our own send: others wait in a backlog.
    /// </summary>
    private async Task<RdmaCompletion> NextCompletionAsync(RdmaOpcode opcode, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.NegotiateTimeout);
        var one = new RdmaCompletion[1];
        for (int i = 0; i < _negotiationBacklog.Count; i++)
        {
            var b = _negotiationBacklog.Dequeue();
            if (b.Opcode == opcode) return b;
            _negotiationBacklog.Enqueue(b);
        }
        while (true)
        {
            if (_qp.PollCompletions(one) == 1)
            {
                var c = one[0];
                if (c.Opcode == opcode || c.Status != RdmaCompletionStatus.Success || c.Opcode == RdmaOpcode.Disconnected) return c;
                _negotiationBacklog.Enqueue(c);
                continue;
            }
            _qp.RequestNotification(Wake);
            try
            {
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(200), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Fail("negotiate timed out");
                throw new NegotiationFailedException("timed out");
            }
        }
    }
}
