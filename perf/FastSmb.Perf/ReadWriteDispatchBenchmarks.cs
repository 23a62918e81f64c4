using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using FastSmb.Client.Smb2;
using FastSmb.Control;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Perf;

/// <summary>
/// READ and WRITE through the dispatcher without sockets, on a logged-on session (SMB 3.0.2, unsigned) and an open
/// file in a temporary directory: header, session/tree/open lookup, credit grant, the file call and the response.
/// The steady state must allocate nothing (MemoryDiagnoser's "Allocated" column).
/// </summary>
[MemoryDiagnoser]
public class ReadWriteDispatchBenchmarks
{
    [Params(4096, 65536)]
    public int Size;

    private Smb2Dispatcher _dispatcher = null!;
    private Smb2Connection _connection = null!;
    private readonly ResponseBuffer _response = new();
    private byte[] _read = [];
    private byte[] _write = [];
    private ulong _sessionId;
    private uint _treeId;
    private ulong _messageId;
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fastsmb-perf-").FullName;
        var config = new ServerConfig(new GlobalConfig(), [new ShareConfig("share", _dir)]);
        var limits = new DatapathOptions();
        var self = FastSmb.Datapath.Identity.ThreadCredentials.Server;
        var users = new InMemoryUserStore().Add("perf", "perfpass", uid: self.Uid, gid: self.Gid);
        _dispatcher = ServerHost.CreateDispatcher(config, users, new NullLog(), limits);
        _connection = new Smb2Connection(null, limits.MaxCredits);

        // Set up through the real client over a stream that calls the dispatcher, then drive raw requests.
        var client = new Smb2ClientConnection(new DispatcherStream(_dispatcher, _connection));
        client.NegotiateAsync([Smb2Dialect.Smb302]).GetAwaiter().GetResult();
        if (client.LogonAsync("perf", "perfpass").GetAwaiter().GetResult() != NtStatus.Success) throw new InvalidOperationException("logon");
        client.SignRequests = true;
        var (status, treeId, _) = client.TreeConnectAsync(@"\\perf\share").GetAwaiter().GetResult();
        if (status != NtStatus.Success) throw new InvalidOperationException($"TREE_CONNECT {status}");
        var created = client.SendAsync(Smb2Command.Create, body => CreateRequest.Write(body, 0, 2, 0x10000000, 0, 7, 3, 0x40,
            "perf.dat", default), treeId).GetAwaiter().GetResult();
        if (!CreateResponse.TryParse(created.Message, out var cr)) throw new InvalidOperationException($"CREATE {created.Status}");
        _sessionId = client.SessionId;
        _treeId = treeId;
        (_messageId, _) = client.TakeSequence();

        var payload = new byte[Size];
        new Random(1).NextBytes(payload);
        _write = new byte[Smb2Header.Size + 48 + Size];
        int w = WriteRequest.Write(_write.AsSpan(Smb2Header.Size), 0, cr.FileId, payload);
        _write = _write[..(Smb2Header.Size + w)];
        _read = new byte[Smb2Header.Size + 49];
        int r = ReadRequest.Write(_read.AsSpan(Smb2Header.Size), 0, 0, (uint)Size, 0, cr.FileId, 0, 0, 0);
        _read = _read[..(Smb2Header.Size + r)];
        Write(); // the file has Size bytes to read
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    private ushort Charge => (ushort)Math.Max(1, (Size + 65535) / 65536);

    [Benchmark]
    public int Read()
    {
        Smb2Header.WriteRequest(_read, Smb2Command.Read, Charge, Charge, Smb2HeaderFlags.None, _messageId, _treeId, _sessionId);
        _messageId += Charge;
        _dispatcher.Process(_connection, _read, _response);
        return Check();
    }

    [Benchmark]
    public int Write()
    {
        Smb2Header.WriteRequest(_write, Smb2Command.Write, Charge, Charge, Smb2HeaderFlags.None, _messageId, _treeId, _sessionId);
        _messageId += Charge;
        _dispatcher.Process(_connection, _write, _response);
        return Check();
    }

    private int Check()
    {
        var frame = _response.CompleteFrame().Span;
        uint status = BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + 8)..]);
        if (status != 0) throw new InvalidOperationException($"status 0x{status:x8}");
        return frame.Length;
    }

    private sealed class NullLog : IControlLog
    {
        public void LogonSucceeded(string client, string user, Smb2Dialect dialect) { }
        public void LogonFailed(string client, NtStatus status) { }
    }

    /// <summary>A client stream whose writes go straight to the dispatcher and whose reads return its responses.</summary>
    private sealed class DispatcherStream(Smb2Dispatcher dispatcher, Smb2Connection connection) : Stream
    {
        private readonly ResponseBuffer _response = new();
        private readonly MemoryStream _in = new();
        private byte[] _out = [];
        private int _outPos;

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _in.Write(buffer, offset, count);
            var bytes = _in.ToArray();
            if (bytes.Length < 4) return;
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes) & 0xFFFFFF;
            if (bytes.Length < 4 + length) return;
            _in.SetLength(0);
            _in.Write(bytes, 4 + length, bytes.Length - 4 - length);
            dispatcher.Process(connection, bytes.AsSpan(4, length), _response);
            var reply = new List<byte>(_out[_outPos..]);
            if (!_response.IsEmpty) reply.AddRange(_response.CompleteFrame().ToArray());
            while (connection.Outbox.TryDequeue(out var frame)) reply.AddRange(frame);
            _out = reply.ToArray();
            _outPos = 0;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, _out.Length - _outPos);
            Array.Copy(_out, _outPos, buffer, offset, n);
            _outPos += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            int n = Math.Min(buffer.Length, _out.Length - _outPos);
            _out.AsSpan(_outPos, n).CopyTo(buffer.Span);
            _outPos += n;
            return ValueTask.FromResult(n);
        }
    }
}
