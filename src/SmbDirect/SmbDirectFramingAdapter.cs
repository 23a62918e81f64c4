using FastSmb.Protocol.Smb2;

namespace FastSmb.SmbDirect;

/// <summary>
/// Presents an SMB Direct connection as the byte stream the TCP code paths expect. SMB Direct carries SMB2 messages
/// without the 4-byte Direct TCP header ([MS-SMB2] 2.1: the RDMA transport frames messages itself), so inbound
/// messages get a synthesised header and outbound frames lose theirs — which is what lets ConnectionOwner and
/// Smb2ClientConnection run over RDMA unchanged. One reader and one writer may use it concurrently.
/// </summary>
internal sealed class SmbDirectFramingAdapter(SmbDirectConnection connection)
{
    private byte[]? _current;
    private int _currentOffset;
    private readonly byte[] _header = new byte[DirectTcpFraming.HeaderSize];
    private byte[] _pending = new byte[64 * 1024];
    private int _pendingLength;

    public SmbDirectConnection Connection => connection;

    /// <summary>Copies the next bytes of (header + message) into <paramref name="buffer"/>; 0 once the connection is down.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty) return 0;
        if (_current is null)
        {
            var message = await connection.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
            if (message is null) return 0;
            _current = message;
            _currentOffset = -DirectTcpFraming.HeaderSize;
            DirectTcpFraming.WriteHeader(_header, message.Length);
        }
        int written = 0;
        if (_currentOffset < 0)
        {
            int h = Math.Min(-_currentOffset, buffer.Length);
            _header.AsSpan(DirectTcpFraming.HeaderSize + _currentOffset, h).CopyTo(buffer.Span);
            _currentOffset += h;
            written = h;
        }
        if (_currentOffset >= 0 && written < buffer.Length)
        {
            int n = Math.Min(_current.Length - _currentOffset, buffer.Length - written);
            _current.AsSpan(_currentOffset, n).CopyTo(buffer.Span[written..]);
            _currentOffset += n;
            written += n;
        }
        if (_currentOffset == _current.Length) _current = null;
        return written;
    }

    /// <summary>Accepts Direct TCP frames (whole or in pieces) and sends each message as one SMB Direct message.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_pendingLength == 0 && TryWholeFrames(data, out int consumedAll) && consumedAll == data.Length)
        {
            // Fast path: the caller wrote whole frames (ConnectionOwner and the client always do).
            int at = 0;
            while (at < data.Length)
            {
                DirectTcpFraming.TryReadFrame(data.Span[at..], DirectTcpFraming.MaxFrameLength, out int len);
                await connection.SendMessageAsync(data.Slice(at + DirectTcpFraming.HeaderSize, len), cancellationToken).ConfigureAwait(false);
                at += DirectTcpFraming.HeaderSize + len;
            }
            return;
        }
        if (_pendingLength + data.Length > _pending.Length)
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + data.Length));
        data.Span.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
        int consumed = 0;
        while (true)
        {
            var r = DirectTcpFraming.TryReadFrame(_pending.AsSpan(consumed, _pendingLength - consumed), DirectTcpFraming.MaxFrameLength, out int len);
            if (r == DirectTcpFraming.FrameResult.Invalid) throw new IOException("not a Direct TCP frame");
            if (r == DirectTcpFraming.FrameResult.NeedMore) break;
            var message = _pending.AsSpan(consumed + DirectTcpFraming.HeaderSize, len).ToArray();
            await connection.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
            consumed += DirectTcpFraming.HeaderSize + len;
        }
        _pending.AsSpan(consumed, _pendingLength - consumed).CopyTo(_pending);
        _pendingLength -= consumed;
    }

    private static bool TryWholeFrames(ReadOnlyMemory<byte> data, out int consumed)
    {
        consumed = 0;
        while (consumed < data.Length)
        {
            var r = DirectTcpFraming.TryReadFrame(data.Span[consumed..], DirectTcpFraming.MaxFrameLength, out int len);
            if (r != DirectTcpFraming.FrameResult.Complete) return false;
            consumed += DirectTcpFraming.HeaderSize + len;
        }
        return true;
    }
}
