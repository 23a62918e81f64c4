using FastSmb.Datapath.Pipes;
using FastSmb.Protocol;
using FastSmb.Protocol.Rpc.Ndr;
using FastSmb.Protocol.Rpc.Pdu;

namespace FastSmb.Control.Rpc;

/// <summary>
/// One open instance of a DCERPC named pipe (ncacn_np, [MS-RPCE] 2.1.1.2): an unauthenticated
/// connection-oriented association ([C706] 12) over a message-mode pipe. It frames PDUs out of WRITEs
/// (a PDU may arrive in several writes, or several PDUs in one), answers bind/alter_context, reassembles
/// request fragments, dispatches by presentation context and opnum, and queues the response fragments,
/// each at most the client's max_recv_frag, one fragment per pipe message for READ.
/// Owned by the connection that opened it; called by one thread at a time.
/// </summary>
public sealed class RpcPipe : INamedPipe
{
    /// <summary>The fragment size this server offers (Windows and Samba use 4280 on ncacn_np).</summary>
    public const ushort ServerMaxFrag = 4280;

    /// <summary>
    /// Smallest fragment a client may ask for that still carries stub data (a response header and 8 bytes).
    /// [C706] 12.6.3.1 says clients must accept 1432, but nothing is gained by overriding a smaller request.
    /// </summary>
    public const ushort MinFrag = RpcResponse.FixedSize + 8;

    /// <summary>Largest reassembled request stub accepted; srvsvc/wkssvc requests are a few hundred bytes.</summary>
    public const int MaxRequestStub = 1 << 20;

    private readonly string _endpoint;
    private readonly RpcInterfaceRegistry _interfaces;
    private readonly PipeCaller _caller;
    private readonly Func<uint> _newAssocGroup;
    private readonly Dictionary<ushort, IRpcInterface> _contexts = [];
    private readonly Queue<byte[]> _output = new();
    private byte[] _input = new byte[ServerMaxFrag];
    private int _inputLength;
    private int _outputOffset;
    private bool _bound;
    private uint _assocGroup;
    private ushort _maxXmitFrag = ServerMaxFrag;
    private ushort _maxRecvFrag = ServerMaxFrag;

    // The request being reassembled ([C706] 12.6.3.5: fragments of one call arrive in order, same call_id).
    private bool _inCall;
    private uint _callId;
    private ushort _callContext, _callOpnum;
    private readonly NdrWriter _callStub = new();
    private bool _disposed;

    /// <param name="endpoint">The pipe's name as sent in bind_ack's secondary address, e.g. "\PIPE\srvsvc".</param>
    /// <param name="newAssocGroup">Hands out association group ids for binds that ask for a new group.</param>
    public RpcPipe(string endpoint, RpcInterfaceRegistry interfaces, PipeCaller caller, Func<uint> newAssocGroup)
    {
        _endpoint = endpoint;
        _interfaces = interfaces;
        _caller = caller;
        _newAssocGroup = newAssocGroup;
    }

    /// <summary>The fragment size negotiated for responses (the client's max_recv_frag, at most 4280).</summary>
    public ushort MaxXmitFrag => _maxXmitFrag;

    public NtStatus Write(ReadOnlySpan<byte> data)
    {
        if (_disposed) return NtStatus.FileClosed;
        while (!data.IsEmpty)
        {
            // Frame by frag_length ([C706] 12.6.3.1): first the 16-byte header, then the rest of the fragment.
            int need = RpcPduHeader.Size;
            if (_inputLength >= RpcPduHeader.Size)
            {
                RpcPduHeader.TryPeekFragLength(_input.AsSpan(0, _inputLength), out ushort fragLength);
                if (fragLength < RpcPduHeader.Size)
                {
                    // Cannot be framed, so nothing after it can be either: drop this write and tell the client.
                    _inputLength = 0;
                    _inCall = false;
                    QueueFault(0, 0, RpcFaultStatus.ProtocolError, didNotExecute: true);
                    return NtStatus.Success;
                }
                need = fragLength;
                if (_input.Length < need) Array.Resize(ref _input, need);
            }
            int take = Math.Min(need - _inputLength, data.Length);
            data[..take].CopyTo(_input.AsSpan(_inputLength));
            _inputLength += take;
            data = data[take..];
            if (_inputLength < RpcPduHeader.Size) continue;
            RpcPduHeader.TryPeekFragLength(_input.AsSpan(0, _inputLength), out ushort fl);
            if (fl < RpcPduHeader.Size) continue; // reported at the top of the loop, or by the next write
            if (fl == _inputLength)
            {
                _inputLength = 0;
                OnFragment(_input.AsSpan(0, fl));
            }
        }
        return NtStatus.Success;
    }

    public NtStatus Read(Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        if (_disposed) return NtStatus.FileClosed;
        if (!_output.TryPeek(out var message)) return NtStatus.InvalidPipeState;
        var rest = message.AsSpan(_outputOffset);
        if (rest.Length > destination.Length)
        {
            // [MS-FSCC] message-mode pipe: the part that fits, STATUS_BUFFER_OVERFLOW, the rest on the next read.
            rest[..destination.Length].CopyTo(destination);
            _outputOffset += destination.Length;
            bytesRead = destination.Length;
            return NtStatus.BufferOverflow;
        }
        rest.CopyTo(destination);
        bytesRead = rest.Length;
        _output.Dequeue();
        _outputOffset = 0;
        return NtStatus.Success;
    }

    public NtStatus Transceive(ReadOnlySpan<byte> input, Span<byte> output, out int bytesRead)
    {
        bytesRead = 0;
        var status = Write(input);
        return status != NtStatus.Success ? status : Read(output, out bytesRead);
    }

    /// <summary>Whether a READ would return data now.</summary>
    public bool HasOutput => _output.Count > 0;

    public void Dispose()
    {
        _disposed = true;
        _output.Clear();
        _contexts.Clear();
    }

    private void OnFragment(ReadOnlySpan<byte> fragment)
    {
        if (!RpcPduHeader.TryParse(fragment, out var header))
        {
            QueueFault(0, 0, RpcFaultStatus.ProtocolError, didNotExecute: true);
            return;
        }
        switch (header.Type)
        {
            case RpcPacketType.Bind:
            case RpcPacketType.AlterContext:
                OnBind(fragment, header);
                break;
            case RpcPacketType.Request:
                OnRequest(fragment, header);
                break;
            case RpcPacketType.Orphaned:
            case RpcPacketType.CoCancel:
                // [MS-RPCE] 3.3.3.5.4 / [C706] 12.4: the client abandoned the call; nothing to answer. Calls run to
                // completion synchronously here, so only a half-reassembled request can be dropped.
                if (_inCall && header.CallId == _callId) _inCall = false;
                break;
            case RpcPacketType.Auth3:
                break; // only meaningful after an authenticated bind, which is rejected
            default:
                QueueFault(header.CallId, 0, RpcFaultStatus.ProtocolError, didNotExecute: true);
                break;
        }
    }

    private void OnBind(ReadOnlySpan<byte> fragment, RpcPduHeader header)
    {
        bool isBind = header.Type == RpcPacketType.Bind;
        if (!RpcBind.TryParse(fragment, out var bind) || (isBind && _bound) || (!isBind && !_bound))
        {
            // [C706] 12.6.4.5: a malformed bind, a second bind, or alter_context before bind.
            if (isBind) QueueBindNak(header.CallId, RpcRejectReason.ReasonNotSpecified);
            else QueueFault(header.CallId, 0, RpcFaultStatus.ProtocolError, didNotExecute: true);
            return;
        }
        if (header.AuthLength != 0)
        {
            // Authenticated binds (sign/seal over the pipe) come with a later issue; say so rather than pretend.
            if (isBind) QueueBindNak(header.CallId, RpcRejectReason.AuthenticationTypeNotRecognized);
            else QueueFault(header.CallId, 0, RpcFaultStatus.AccessDenied, didNotExecute: true);
            return;
        }
        if (isBind)
        {
            _bound = true;
            _assocGroup = bind.AssocGroupId != 0 ? bind.AssocGroupId : _newAssocGroup();
            _maxXmitFrag = Math.Clamp(bind.MaxRecvFrag, MinFrag, ServerMaxFrag);
            _maxRecvFrag = Math.Clamp(bind.MaxXmitFrag, MinFrag, ServerMaxFrag);
        }
        Span<RpcContextResult> results = stackalloc RpcContextResult[bind.ContextCount];
        int i = 0;
        foreach (var ctx in bind.Contexts) results[i++] = NegotiateContext(ctx);
        var pdu = new byte[RpcBindAck.GetSize(isBind ? _endpoint : "", results.Length)];
        // alter_context_resp carries no secondary address ([C706] 12.6.4.2: sec_addr length 0).
        RpcBindAck.Write(pdu, isBind ? RpcPacketType.BindAck : RpcPacketType.AlterContextResponse, header.CallId,
            _maxXmitFrag, _maxRecvFrag, _assocGroup, isBind ? _endpoint : "", results);
        _output.Enqueue(pdu);
    }

    /// <summary>
    /// [C706] 12.6.4.3 and [MS-RPCE] 3.3.1.5.3: accept NDR for a registered interface, reject NDR64 and
    /// unknown transfer syntaxes with reason 2, unknown interfaces with reason 1, and answer bind time feature
    /// negotiation with negotiate_ack.
    /// </summary>
    private RpcContextResult NegotiateContext(RpcContextElement ctx)
    {
        for (int t = 0; t < ctx.TransferSyntaxCount; t++)
        {
            if (ctx.TransferSyntax(t).IsBindTimeFeatureNegotiation(out var offered))
            {
                // KeepConnectionOnOrphan costs nothing: an orphaned call never tears the pipe down here.
                // SecurityContextMultiplexing is not acknowledged: there are no security contexts until
                // authenticated binds exist (Samba acknowledges both; clients accept either answer).
                return RpcContextResult.FeatureAck(offered & RpcBindTimeFeatures.KeepConnectionOnOrphan);
            }
        }
        if (!_interfaces.TryFind(ctx.AbstractSyntax, out var rpcInterface))
            return RpcContextResult.Reject(RpcProviderReason.AbstractSyntaxNotSupported);
        for (int t = 0; t < ctx.TransferSyntaxCount; t++)
        {
            if (ctx.TransferSyntax(t) != RpcSyntaxId.Ndr) continue;
            if (_contexts.TryGetValue(ctx.ContextId, out var existing) && existing != rpcInterface)
                return RpcContextResult.Reject(RpcProviderReason.ReasonNotSpecified); // a context id cannot change interface
            _contexts[ctx.ContextId] = rpcInterface;
            return RpcContextResult.Accept(RpcSyntaxId.Ndr);
        }
        return RpcContextResult.Reject(RpcProviderReason.ProposedTransferSyntaxesNotSupported);
    }

    private void OnRequest(ReadOnlySpan<byte> fragment, RpcPduHeader header)
    {
        if (!RpcRequest.TryParse(fragment, out var request) || !_bound || header.AuthLength != 0
            || header.FragLength > _maxRecvFrag)
        {
            _inCall = false;
            QueueFault(header.CallId, 0, RpcFaultStatus.ProtocolError, didNotExecute: true);
            return;
        }
        if (header.IsFirstFragment)
        {
            _inCall = true;
            _callId = header.CallId;
            _callContext = request.ContextId;
            _callOpnum = request.Opnum;
            _callStub.Reset();
        }
        else if (!_inCall || header.CallId != _callId)
        {
            // A middle or last fragment of a call that never started.
            _inCall = false;
            QueueFault(header.CallId, request.ContextId, RpcFaultStatus.ProtocolError, didNotExecute: true);
            return;
        }
        if (_callStub.Length + request.StubData.Length > MaxRequestStub)
        {
            _inCall = false;
            QueueFault(header.CallId, _callContext, RpcFaultStatus.ProtocolError, didNotExecute: true);
            return;
        }
        _callStub.WriteBytes(request.StubData);
        if (!header.IsLastFragment) return;
        _inCall = false;
        Dispatch(_callId, _callContext, _callOpnum, _callStub.Written);
    }

    private void Dispatch(uint callId, ushort contextId, ushort opnum, ReadOnlySpan<byte> stub)
    {
        if (!_contexts.TryGetValue(contextId, out var rpcInterface))
        {
            QueueFault(callId, contextId, RpcFaultStatus.UnknownInterface, didNotExecute: true);
            return;
        }
        if (!rpcInterface.TryGetOperation(opnum, out var operation))
        {
            QueueFault(callId, contextId, RpcFaultStatus.OpRangeError, didNotExecute: true);
            return;
        }
        var response = new NdrWriter();
        uint fault = operation(stub, new RpcCallContext(_caller, _endpoint, callId, contextId, opnum), response);
        if (fault != 0)
        {
            QueueFault(callId, contextId, fault, didNotExecute: false);
            return;
        }
        QueueResponse(callId, contextId, response.Written);
    }

    /// <summary>
    /// Splits the stub into response fragments of at most max_xmit_frag bytes. Every fragment but the last
    /// carries a multiple of 8 stub bytes, so NDR alignment in the reassembled stub is unchanged. alloc_hint is
    /// what is left of the stub from that fragment on ([C706] 12.6.3.1).
    /// </summary>
    private void QueueResponse(uint callId, ushort contextId, ReadOnlySpan<byte> stub)
    {
        int perFragment = (_maxXmitFrag - RpcResponse.FixedSize) & ~7;
        int offset = 0;
        do
        {
            int n = Math.Min(perFragment, stub.Length - offset);
            var flags = (offset == 0 ? RpcPfcFlags.FirstFrag : 0) | (offset + n == stub.Length ? RpcPfcFlags.LastFrag : 0);
            var pdu = new byte[RpcResponse.FixedSize + n];
            RpcResponse.Write(pdu, flags, callId, (uint)(stub.Length - offset), contextId, stub.Slice(offset, n));
            _output.Enqueue(pdu);
            offset += n;
        }
        while (offset < stub.Length);
    }

    private void QueueFault(uint callId, ushort contextId, uint status, bool didNotExecute)
    {
        var pdu = new byte[RpcFault.Size];
        RpcFault.Write(pdu, callId, contextId, status, didNotExecute);
        _output.Enqueue(pdu);
    }

    private void QueueBindNak(uint callId, RpcRejectReason reason)
    {
        var pdu = new byte[RpcBindNak.Size];
        RpcBindNak.Write(pdu, callId, reason);
        _output.Enqueue(pdu);
    }
}
