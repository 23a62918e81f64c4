using System.Buffers;
using FastSmb.Datapath.Transport;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Transform;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// The bytes of one transport frame being answered: a 4-byte Direct TCP header, then one SMB2 response or a
/// compound chain of them. Reused for every request of a connection (pooled array, grown on demand), so the
/// steady state allocates nothing. Room for an SMB2 TRANSFORM_HEADER is kept in front of the first message, so an
/// encrypted response is sealed in place (<see cref="GetTransformFrame"/>). Owned by one connection owner.
/// </summary>
public sealed class ResponseBuffer : IDisposable
{
    /// <summary>Where the first message starts: Direct TCP header, then the reserved TRANSFORM_HEADER.</summary>
    private const int Base = DirectTcpFraming.HeaderSize + TransformHeader.Size;

    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;
    private bool _sealed;

    public ResponseBuffer(int initialSize = 64 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
        Reset();
    }

    /// <summary>Offset of the current message's SMB2 header in the buffer.</summary>
    public int MessageStart => _messageStart;

    /// <summary>Bytes of the current message so far (header included).</summary>
    public int MessageLength => _length - _messageStart;

    /// <summary>Body bytes committed for the current message.</summary>
    public int BodyLength => _length - _messageStart - Smb2Header.Size;

    public bool IsEmpty => _length == Base;

    public void Reset()
    {
        _length = Base;
        _messageStart = -1;
        _sealed = false;
    }

    /// <summary>Starts a new response message, 8-byte aligned after a previous one in a compound
    /// ([MS-SMB2] 3.3.4.1.3), and reserves its header.</summary>
    public void BeginMessage()
    {
        if (_messageStart >= 0)
        {
            int aligned = Base + Align8(_length - Base);
            EnsureCapacity(aligned - _length);
            _buffer.AsSpan(_length, aligned - _length).Clear();
            _length = aligned;
        }
        _messageStart = _length;
        EnsureCapacity(Smb2Header.Size);
        _length += Smb2Header.Size;
    }

    /// <summary>Pads the current message to 8 bytes; done before signing when another response follows.</summary>
    public void PadMessageTo8()
    {
        int pad = Align8(MessageLength) - MessageLength;
        EnsureCapacity(pad);
        _buffer.AsSpan(_length, pad).Clear();
        _length += pad;
    }

    /// <summary>Drops the current message's body (a handler failed after writing part of one).</summary>
    public void DiscardBody() => _length = _messageStart + Smb2Header.Size;

    /// <summary>Space for at least <paramref name="sizeHint"/> body bytes at the current position.</summary>
    public Span<byte> GetBodySpan(int sizeHint)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsSpan(_length, _buffer.Length - _length);
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length)) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    /// <summary>The current message, header first.</summary>
    public Span<byte> CurrentMessage => _buffer.AsSpan(_messageStart, _length - _messageStart);

    /// <summary>
    /// The reserved TRANSFORM_HEADER space followed by every message written, for the encryptor to seal in place;
    /// from then on <see cref="CompleteFrame"/> sends it as one transform message.
    /// </summary>
    public Span<byte> GetTransformFrame()
    {
        _sealed = true;
        return _buffer.AsSpan(DirectTcpFraming.HeaderSize, _length - DirectTcpFraming.HeaderSize);
    }

    /// <summary>The whole frame, Direct TCP header filled in, ready to send.</summary>
    public ReadOnlyMemory<byte> CompleteFrame()
    {
        int start = _sealed ? 0 : TransformHeader.Size;
        DirectTcpFraming.WriteHeader(_buffer.AsSpan(start), _length - start - DirectTcpFraming.HeaderSize);
        return _buffer.AsMemory(start, _length - start);
    }

    private static int Align8(int n) => (n + 7) & ~7;

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
