using System.Diagnostics;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Client.Bench;

/// <summary>
/// The load generator behind <c>fastsmb bench</c>: opens the connections (NEGOTIATE 2.0.2–3.1.1, NTLMv2 logon,
/// TREE_CONNECT), prepares one test file per connection, then keeps <see cref="BenchOptions.Depth"/> operations in
/// flight on each for <see cref="BenchOptions.Duration"/> and reports what completed. Works against any SMB2/3 server.
/// </summary>
public sealed class BenchRunner(BenchOptions options, Func<CancellationToken, Task<Stream>> connect)
{
    private const uint FileGenericReadWrite = 0x0012019F, FileReadAttributes = 0x80;
    private const uint FileOpen = 1, FileOpenIf = 3;
    private static readonly Smb2Dialect[] Dialects =
        [Smb2Dialect.Smb202, Smb2Dialect.Smb210, Smb2Dialect.Smb300, Smb2Dialect.Smb302, Smb2Dialect.Smb311];

    private readonly BenchOptions _options = options;
    private readonly Func<CancellationToken, Task<Stream>> _connect = connect;
    private long _completed;

    /// <summary>Operations completed so far over all connections (for a live display).</summary>
    public long CompletedOperations => Interlocked.Read(ref _completed);

    /// <summary>Set once every connection is ready and the measured interval starts.</summary>
    public event Action? Started;

    public async Task<BenchResult> RunAsync(CancellationToken ct = default)
    {
        if (_options.Validate() is { } problem) throw new ArgumentException(problem);
        var workers = new Worker[_options.Connections];
        try
        {
            for (int i = 0; i < workers.Length; i++)
                workers[i] = await Worker.OpenAsync(this, i, ct).ConfigureAwait(false);
            Started?.Invoke();
            var cpu = BenchCpu.Start(_options.CpuPids);
            var clock = Stopwatch.StartNew();
            long deadline = Stopwatch.GetTimestamp() + (long)(_options.Duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(deadline, ct), ct))).ConfigureAwait(false);
            double seconds = clock.Elapsed.TotalSeconds;
            var (clientCpu, otherCpu) = cpu.Stop();
            var latencies = workers.SelectMany(w => w.Latencies).ToArray();
            Array.Sort(latencies);
            double Percentile(double p) => latencies.Length == 0 ? 0
                : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))] * 1e6 / Stopwatch.Frequency;
            var first = workers[0].Connection;
            return new BenchResult
            {
                Workload = _options.Workload.ToString(),
                Server = _options.Server,
                Dialect = DialectName(first.Dialect),
                Connections = _options.Connections,
                Depth = _options.Workload == BenchWorkload.SessionSetup ? 1 : _options.Depth,
                BlockSize = _options.IsReadWrite ? _options.BlockSize : 0,
                FileSize = _options.IsReadWrite ? _options.FileSize : 0,
                Signed = _options.Sign,
                Encrypted = _options.Encrypt,
                Seconds = seconds,
                Operations = workers.Sum(w => w.Operations),
                Errors = workers.Sum(w => w.Errors),
                Bytes = workers.Sum(w => w.Bytes),
                LatencyP50Microseconds = Percentile(0.50),
                LatencyP99Microseconds = Percentile(0.99),
                LatencyMaxMicroseconds = Percentile(1.0),
                Channels = _options.Channels,
                ClientCpuSeconds = clientCpu,
                ServerCpuSeconds = otherCpu,
            };
        }
        finally
        {
            foreach (var w in workers)
                if (w is not null) await w.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string DialectName(Smb2Dialect d) => d switch
    {
        Smb2Dialect.Smb202 => "SMB 2.0.2",
        Smb2Dialect.Smb210 => "SMB 2.1",
        Smb2Dialect.Smb300 => "SMB 3.0",
        Smb2Dialect.Smb302 => "SMB 3.0.2",
        Smb2Dialect.Smb311 => "SMB 3.1.1",
        _ => d.ToString(),
    };

    /// <summary>One connection: its session, tree, test file and the operations in flight on it.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly BenchRunner _runner;
        private readonly BenchOptions _o;
        private readonly int _index;
        private readonly Stream _stream;
        private readonly Random _random;
        private uint _treeId;
        private FileId _fileId;
        private bool _fileOpen;
        private BenchChannel? _channel;
        // --channels: the other connections bound to this worker's session, and their channels once set up.
        private readonly List<(Smb2ClientConnection Connection, Stream Stream)> _bound = [];
        private readonly List<BenchChannel> _boundChannels = [];
        private readonly Guid _clientGuid = Guid.NewGuid();
        private readonly object _sync = new();
        private long _operations, _errors, _bytes;
        private byte[] _payload = [];
        private long _nextOffset;

        public Smb2ClientConnection Connection { get; }
        public List<long> Latencies { get; } = new(1 << 16);
        public long Operations => Interlocked.Read(ref _operations);
        public long Errors => Interlocked.Read(ref _errors);
        public long Bytes => Interlocked.Read(ref _bytes);

        private Worker(BenchRunner runner, int index, Stream stream)
        {
            _runner = runner;
            _o = runner._options;
            _index = index;
            _stream = stream;
            _random = new Random(index * 7919 + 17);
            Connection = new Smb2ClientConnection(stream) { SignRequests = _o.Sign };
        }

        private string FileName => $"{_o.FilePrefix}-{_index}.dat";

        public static async Task<Worker> OpenAsync(BenchRunner runner, int index, CancellationToken ct)
        {
            var w = new Worker(runner, index, await runner._connect(ct).ConfigureAwait(false));
            try
            {
                await w.SetUpAsync().ConfigureAwait(false);
                return w;
            }
            catch
            {
                await w.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        private async Task SetUpAsync()
        {
            var c = Connection;
            var negotiate = await c.NegotiateAsync(Dialects, securityMode: (ushort)(_o.Sign ? 3 : 1), clientGuid: _clientGuid,
                capabilities: Capabilities).ConfigureAwait(false);
            Check("NEGOTIATE", negotiate.Status);
            await LogonAsync().ConfigureAwait(false);
            if (_o.Workload == BenchWorkload.SessionSetup) return;
            // [MS-SMB2] 3.2.4.1.1: with 3.1.1 a TREE_CONNECT is signed whatever the client's signing policy (Samba
            // refuses an unsigned one with STATUS_ACCESS_DENIED)
            bool signAll = c.SignRequests;
            c.SignRequests = true;
            var (status, treeId, _) = await c.TreeConnectAsync($@"\\{_o.Server}\{_o.Share}").ConfigureAwait(false);
            c.SignRequests = signAll;
            Check("TREE_CONNECT", status);
            _treeId = treeId;
            await BindChannelsAsync().ConfigureAwait(false);
            if (_o.Workload == BenchWorkload.Echo) return;

            int block = _o.IsReadWrite ? _o.BlockSize : 0;
            uint max = _o.IsRead ? c.MaxReadSize : c.MaxWriteSize;
            if (block > 0 && (uint)block > max)
                throw new InvalidOperationException($"--block {block} is larger than the server's maximum of {max} bytes");
            int fill = Math.Min(Math.Max(block, 64 * 1024), (int)Math.Min(max == 0 ? 65536 : max, 1 << 20));
            if (!c.Dialect.SupportsMultiCredit()) fill = Math.Min(fill, 65536);
            _payload = new byte[Math.Max(block, fill)];
            _random.NextBytes(_payload);
            // SMB Direct: payloads above --rdma-inline bytes by RDMA through registered buffers, as Windows and Linux clients do
            // (not when encrypting: RDMA payloads would bypass the encryption without SMB2_CHANNEL_RDMA_TRANSFORM).
            _channel = NewChannel(c, _stream);
            foreach (var (bound, stream) in _bound) _boundChannels.Add(NewChannel(bound, stream));

            var created = await CallAsync(_channel.PostCreateAsync(FileName, FileGenericReadWrite, FileOpenIf)).ConfigureAwait(false);
            Check("CREATE " + FileName, Status(created.Span));
            if (!CreateResponse.TryParse(created.Span, out var cr)) throw new InvalidDataException("malformed CREATE response");
            _fileId = cr.FileId;
            _fileOpen = true;
            long size = cr.EndOfFile;
            // the read workloads read what is there: fill the file up to --size first
            if (_o.IsRead && size < _o.FileSize)
            {
                for (long offset = size / fill * fill; offset < _o.FileSize; offset += fill)
                {
                    int n = (int)Math.Min(fill, _o.FileSize - offset);
                    var written = await CallAsync(_channel.PostWriteAsync(_fileId, offset, _payload.AsSpan(0, n))).ConfigureAwait(false);
                    Check("WRITE (filling the test file)", Status(written.Span));
                }
            }
            if (_o.Workload == BenchWorkload.OpenClose)
            {
                var closed = await CallAsync(_channel.PostCloseAsync(_fileId)).ConfigureAwait(false);
                Check("CLOSE", Status(closed.Span));
                _fileOpen = false;
            }
        }

        private uint Capabilities => (uint)(Smb2GlobalCapabilities.LargeMtu | Smb2GlobalCapabilities.Encryption
            | (_o.Channels > 1 ? Smb2GlobalCapabilities.MultiChannel : 0));

        private BenchChannel NewChannel(Smb2ClientConnection connection, Stream stream)
        {
            var channel = new BenchChannel(connection, stream, _treeId, _payload.Length);
            if (stream is SmbDirect.SmbDirectStream direct && !_o.Encrypt)
                channel.UseRdma(direct.Connection, _o.Depth + 1, _payload, _o.RdmaInlineThreshold);
            return channel;
        }

        /// <summary>
        /// --channels: connects Channels - 1 more connections with the same ClientGuid and dialect and binds each to this
        /// worker's session ([MS-SMB2] 3.2.4.1.7), as a multichannel client does with the server's interfaces.
        /// </summary>
        private async Task BindChannelsAsync()
        {
            var primary = Connection;
            if (_o.Channels > 1 && !primary.Dialect.IsSmb3())
                throw new InvalidOperationException("--channels needs SMB 3.x (the server negotiated " + DialectName(primary.Dialect) + ")");
            for (int k = 1; k < _o.Channels; k++)
            {
                var stream = await _runner._connect(CancellationToken.None).ConfigureAwait(false);
                var c = new Smb2ClientConnection(stream) { SignRequests = _o.Sign };
                _bound.Add((c, stream));
                var negotiate = await c.NegotiateAsync([primary.Dialect], securityMode: (ushort)(_o.Sign ? 3 : 1),
                    clientGuid: _clientGuid, capabilities: Capabilities).ConfigureAwait(false);
                Check($"NEGOTIATE (channel {k})", negotiate.Status);
                var status = await c.BindAsync(primary, _o.User, _o.Password, _o.Domain, securityMode: (byte)(_o.Sign ? 3 : 1))
                    .ConfigureAwait(false);
                Check($"SESSION_SETUP binding channel {k}", status);
            }
        }

        private async Task LogonAsync()
        {
            var status = await Connection.LogonAsync(_o.User.Length == 0 ? null : _o.User, _o.Password, _o.Domain,
                securityMode: (byte)(_o.Sign ? 3 : 1)).ConfigureAwait(false);
            Check("SESSION_SETUP as " + _o.User, status);
            if (_o.Encrypt)
            {
                if (!Connection.CanEncrypt) throw new InvalidOperationException("the server negotiated no encryption (SMB 3.x needed)");
                Connection.EncryptRequests = true;
            }
        }

        private async Task<ReadOnlyMemory<byte>> CallAsync(ValueTask<ulong> post)
        {
            ulong id = await post.ConfigureAwait(false);
            while (true)
            {
                var message = await _channel!.ReceiveAsync().ConfigureAwait(false);
                Smb2Header.TryParse(message.Span, out var h);
                if (h.MessageId == id && !(h.Status == NtStatus.Pending && h.IsAsync)) return message;
            }
        }

        private static NtStatus Status(ReadOnlySpan<byte> message) =>
            Smb2Header.TryParse(message, out var h) ? h.Status : NtStatus.InvalidNetworkResponse;

        private static void Check(string what, NtStatus status)
        {
            if (status != NtStatus.Success) throw new Smb2ClientException(what, status);
        }

        public async Task RunAsync(long deadline, CancellationToken ct)
        {
            if (_o.Workload == BenchWorkload.SessionSetup)
            {
                await RunSessionSetupAsync(deadline, ct).ConfigureAwait(false);
                return;
            }
            _channel ??= new BenchChannel(Connection, _stream, _treeId, 0);
            for (int k = _boundChannels.Count; k < _bound.Count; k++)
                _boundChannels.Add(new BenchChannel(_bound[k].Connection, _bound[k].Stream, _treeId, 0));
            if (_boundChannels.Count == 0)
            {
                await RunChannelAsync(_channel, deadline, ct).ConfigureAwait(false);
                return;
            }
            // every channel keeps Depth requests in flight on its own connection
            await Task.WhenAll(_boundChannels.Prepend(_channel).Select(ch => Task.Run(() => RunChannelAsync(ch, deadline, ct), ct)))
                .ConfigureAwait(false);
        }

        private async Task RunChannelAsync(BenchChannel channel, long deadline, CancellationToken ct)
        {
            var latencies = new List<long>(1 << 14);
            int depth = _o.Depth;
            var started = new long[depth];
            var openIds = new FileId[depth]; // open-close: the slot's open between its CREATE and CLOSE
            var bySlot = new Dictionary<ulong, int>(depth * 2);
            var waiting = new Queue<int>();
            int inFlight = 0;
            for (int slot = 0; slot < depth; slot++) waiting.Enqueue(slot);
            while (true)
            {
                // post what the credits allow while the run lasts
                while (waiting.Count > 0 && Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested
                       && channel.Credits >= channel.ChargeFor(_o.IsReadWrite ? _o.BlockSize : 0))
                {
                    int slot = waiting.Dequeue();
                    started[slot] = Stopwatch.GetTimestamp();
                    bySlot[await PostFirstAsync(channel).ConfigureAwait(false)] = slot;
                    inFlight++;
                }
                if (inFlight == 0)
                {
                    if (waiting.Count > 0 && Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested)
                        throw new InvalidOperationException("the server granted no credits for the next request");
                    break;
                }
                var message = await channel.ReceiveAsync().ConfigureAwait(false);
                Smb2Header.TryParse(message.Span, out var h);
                if (h.Status == NtStatus.Pending && h.IsAsync) continue; // interim; the final response follows
                if (!bySlot.Remove(h.MessageId, out int done)) continue;
                inFlight--;
                if (_o.Workload == BenchWorkload.OpenClose && h.Command == Smb2Command.Create && h.Status == NtStatus.Success
                    && CreateResponse.TryParse(message.Span, out var cr))
                {
                    // second half of the operation: CLOSE the handle just opened
                    openIds[done] = cr.FileId;
                    bySlot[await channel.PostCloseAsync(cr.FileId).ConfigureAwait(false)] = done;
                    inFlight++;
                    continue;
                }
                if (h.Status == NtStatus.Success)
                {
                    Interlocked.Increment(ref _operations);
                    if (_o.IsReadWrite) Interlocked.Add(ref _bytes, _o.BlockSize);
                    latencies.Add(Stopwatch.GetTimestamp() - started[done]);
                    Interlocked.Increment(ref _runner._completed);
                }
                else
                {
                    Interlocked.Increment(ref _errors);
                }
                waiting.Enqueue(done);
            }
            channel.Release();
            lock (_sync) Latencies.AddRange(latencies);
        }

        private ValueTask<ulong> PostFirstAsync(BenchChannel channel)
        {
            switch (_o.Workload)
            {
                case BenchWorkload.Echo: return channel.PostEchoAsync();
                case BenchWorkload.OpenClose: return channel.PostCreateAsync(FileName, FileReadAttributes, FileOpen, _o.Persistent);
            }
            int block = _o.BlockSize;
            long blocks = _o.FileSize / block;
            long offset;
            lock (_sync)
            {
                if (_o.Workload is BenchWorkload.RandRead or BenchWorkload.RandWrite)
                {
                    offset = _random.NextInt64(blocks) * block;
                }
                else
                {
                    if (_nextOffset + block > _o.FileSize) _nextOffset = 0;
                    offset = _nextOffset;
                    _nextOffset += block;
                }
            }
            return _o.IsRead ? channel.PostReadAsync(_fileId, offset, block)
                : channel.PostWriteAsync(_fileId, offset, _payload.AsSpan(0, block));
        }

        /// <summary>SESSION_SETUP to completion, then LOGOFF, one after the other.</summary>
        private async Task RunSessionSetupAsync(long deadline, CancellationToken ct)
        {
            var c = Connection;
            await LogoffAsync().ConfigureAwait(false); // the session from set-up
            while (Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested)
            {
                long t0 = Stopwatch.GetTimestamp();
                var status = await c.LogonAsync(_o.User.Length == 0 ? null : _o.User, _o.Password, _o.Domain, securityMode: (byte)(_o.Sign ? 3 : 1))
                    .ConfigureAwait(false);
                if (status != NtStatus.Success)
                {
                    Interlocked.Increment(ref _errors);
                    c.ResetSession();
                    continue;
                }
                var logoff = await LogoffAsync().ConfigureAwait(false);
                if (logoff != NtStatus.Success) { Interlocked.Increment(ref _errors); continue; }
                Interlocked.Increment(ref _operations);
                Latencies.Add(Stopwatch.GetTimestamp() - t0);
                Interlocked.Increment(ref _runner._completed);
            }
        }

        private async Task<NtStatus> LogoffAsync()
        {
            var response = await Connection.SendAsync(Smb2Command.Logoff, LogoffRequest.Write).ConfigureAwait(false);
            Connection.ResetSession();
            return response.Status;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                // the channel still holds the connection's message ids and credits
                if (_fileOpen && _channel is not null)
                {
                    await CallAsync(_channel.PostCloseAsync(_fileId)).ConfigureAwait(false);
                    _fileOpen = false;
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException or InvalidOperationException)
            {
                // the connection is going away anyway
            }
            foreach (var (bound, _) in _bound) await bound.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
