using System.Net;
using System.Threading.Channels;
using FastSmb.Datapath.Transport;

namespace FastSmb.Server.Tests.Support;

/// <summary>
/// One direction of an in-memory byte stream: chunks written on one side are read on the other, in order.
/// Completing the writer is end-of-stream for the reader.
/// </summary>
internal sealed class ByteQueue
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private byte[] _current = [];
    private int _offset;

    public void Write(ReadOnlySpan<byte> data) => _chunks.Writer.TryWrite(data.ToArray());
    public void Complete() => _chunks.Writer.TryComplete();

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel)
    {
        while (_offset == _current.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancel).ConfigureAwait(false)) return 0;
            if (_chunks.Reader.TryRead(out var next)) { _current = next; _offset = 0; }
        }
        int n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer.Span);
        _offset += n;
        return n;
    }
}

/// <summary>The server's end of an in-memory connection.</summary>
internal sealed class InMemoryServerConnection(ByteQueue fromClient, ByteQueue toClient) : ITransportConnection
{
    public EndPoint? RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 50000);
    public EndPoint? LocalEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 445);
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct) => fromClient.ReadAsync(buffer, ct);
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken ct) { toClient.Write(data.Span); return ValueTask.CompletedTask; }
    public ValueTask DisposeAsync() { toClient.Complete(); return ValueTask.CompletedTask; }
}

/// <summary>The client's end, as a Stream for <see cref="FastSmb.Client.Smb2.Smb2ClientConnection"/>.</summary>
internal sealed class InMemoryClientStream(ByteQueue toServer, ByteQueue fromServer) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) =>
        fromServer.ReadAsync(buffer.AsMemory(offset, count), default).AsTask().GetAwaiter().GetResult();
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => fromServer.ReadAsync(buffer, ct);
    public override void Write(byte[] buffer, int offset, int count) => toServer.Write(buffer.AsSpan(offset, count));
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) { toServer.Write(buffer.Span); return ValueTask.CompletedTask; }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { toServer.Complete(); base.Dispose(disposing); }
}

/// <summary>A listener whose connections are made by <see cref="Connect"/>: the real server loop, no sockets.</summary>
internal sealed class InMemoryListener : ITransportListener
{
    private readonly Channel<ITransportConnection> _pending = Channel.CreateUnbounded<ITransportConnection>();

    public EndPoint LocalEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 445);

    public Stream Connect()
    {
        var up = new ByteQueue();
        var down = new ByteQueue();
        _pending.Writer.TryWrite(new InMemoryServerConnection(up, down));
        return new InMemoryClientStream(up, down);
    }

    public async ValueTask<ITransportConnection> AcceptAsync(CancellationToken ct) =>
        await _pending.Reader.ReadAsync(ct).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
