using FastSmb.Client.Bench;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// The load generator (`fastsmb bench`) against the in-memory server: each workload runs briefly and reports the
/// operations it did; the server sees their effects. No timing is asserted.
/// </summary>
public class BenchRunnerTests
{
    private static BenchOptions Options(BenchWorkload workload) => new()
    {
        Workload = workload,
        FileSize = 256 * 1024,
        BlockSize = 64 * 1024,
        Connections = 2,
        Depth = 3,
        Duration = TimeSpan.FromMilliseconds(300),
        Server = TestServer.Host,
        Share = TestServer.ShareName,
        User = TestServer.User,
        Password = TestServer.Password,
    };

    private static async Task<BenchResult> RunAsync(TestServer server, BenchOptions options)
    {
        var runner = new BenchRunner(options, _ => Task.FromResult(server.OpenStream()));
        var result = await runner.RunAsync();
        Assert.That(runner.CompletedOperations, Is.EqualTo(result.Operations), "live counter = final count");
        Assert.That(server.Log.Failures, Is.Empty, "no connection failed with an exception");
        return result;
    }

    [TestCase(BenchWorkload.Read)]
    [TestCase(BenchWorkload.RandRead)]
    public async Task Read_workloads_fill_the_file_and_move_whole_blocks(BenchWorkload workload)
    {
        await using var server = TestServer.Start();
        var result = await RunAsync(server, Options(workload));

        Assert.That(result.Operations, Is.GreaterThan(0));
        Assert.That(result.Errors, Is.Zero);
        Assert.That(result.Bytes, Is.EqualTo(result.Operations * 64 * 1024));
        Assert.That(result.Dialect, Is.EqualTo("SMB 3.1.1"));
        // the test files were created and filled to --size before the reads
        for (int i = 0; i < 2; i++)
            Assert.That(new FileInfo(Path.Combine(server.ShareDir, $"fastsmb-bench-{i}.dat")).Length, Is.EqualTo(256 * 1024));
    }

    [TestCase(BenchWorkload.Write)]
    [TestCase(BenchWorkload.RandWrite)]
    public async Task Write_workloads_write_into_the_test_files(BenchWorkload workload)
    {
        await using var server = TestServer.Start();
        var result = await RunAsync(server, Options(workload) with { Sign = true });

        Assert.That(result.Operations, Is.GreaterThan(0));
        Assert.That(result.Errors, Is.Zero);
        Assert.That(result.Bytes, Is.EqualTo(result.Operations * 64 * 1024));
        long written = Enumerable.Range(0, 2).Sum(i => new FileInfo(Path.Combine(server.ShareDir, $"fastsmb-bench-{i}.dat")).Length);
        Assert.That(written, Is.GreaterThan(0).And.LessThanOrEqualTo(2 * 256 * 1024), "writes stay within --size");
    }

    [TestCase(BenchWorkload.Echo)]
    [TestCase(BenchWorkload.OpenClose)]
    [TestCase(BenchWorkload.SessionSetup)]
    public async Task Metadata_workloads_report_operations_and_no_bytes(BenchWorkload workload)
    {
        await using var server = TestServer.Start();
        var result = await RunAsync(server, Options(workload));

        Assert.That(result.Operations, Is.GreaterThan(0));
        Assert.That(result.Errors, Is.Zero);
        Assert.That(result.Bytes, Is.Zero);
        Assert.That(result.LatencyP99Microseconds, Is.GreaterThanOrEqualTo(result.LatencyP50Microseconds));
        if (workload == BenchWorkload.SessionSetup)
            Assert.That(server.Log.Logons, Has.Count.EqualTo(2 + result.Operations), "one logon per connection, then one per operation");
    }

    [Test]
    public async Task Encrypted_reads_arrive_encrypted_and_count()
    {
        await using var server = TestServer.Start();
        var result = await RunAsync(server, Options(BenchWorkload.Read) with { Encrypt = true, Connections = 1 });

        Assert.That(result.Operations, Is.GreaterThan(0));
        Assert.That(result.Errors, Is.Zero);
        Assert.That(result.Encrypted, Is.True);
    }

    [Test]
    public async Task A_wrong_password_fails_the_run_with_the_logon_status()
    {
        await using var server = TestServer.Start();
        var runner = new BenchRunner(Options(BenchWorkload.Echo) with { Password = "wrong" },
            _ => Task.FromResult(server.OpenStream()));
        var e = Assert.ThrowsAsync<FastSmb.Client.Smb2.Smb2ClientException>(() => runner.RunAsync());
        Assert.That(e!.Status, Is.EqualTo(FastSmb.Protocol.NtStatus.LogonFailure));
    }

    /// <summary>Counts the writes (requests) that go through a connection's stream.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _writes;
        public long Writes => Interlocked.Read(ref _writes);
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref _writes);
            inner.Write(buffer, offset, count);
        }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writes);
            return inner.WriteAsync(buffer, cancellationToken);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    [Test]
    public async Task Channels_bind_to_one_session_and_each_carries_requests()
    {
        await using var server = TestServer.Start();
        var streams = new System.Collections.Concurrent.ConcurrentQueue<CountingStream>();
        var runner = new BenchRunner(Options(BenchWorkload.Write) with { Channels = 3 }, _ =>
        {
            var s = new CountingStream(server.OpenStream());
            streams.Enqueue(s);
            return Task.FromResult<Stream>(s);
        });
        long[] atStart = [];
        runner.Started += () => atStart = streams.Select(s => s.Writes).ToArray();
        var result = await runner.RunAsync();

        // the bound channels use the first connection's tree and open: without the binding every WRITE on them would fail
        Assert.That(result.Errors, Is.Zero);
        Assert.That(result.Channels, Is.EqualTo(3));
        Assert.That(result.Bytes, Is.EqualTo(result.Operations * 64 * 1024));
        Assert.That(streams, Has.Count.EqualTo(2 * 3), "two sessions of three connections each");
        var during = streams.Select((s, i) => s.Writes - atStart[i]).ToArray();
        Assert.That(during, Has.All.GreaterThan(0), "every channel carried requests in the measured interval");
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task Cpu_time_is_reported_per_gigabyte()
    {
        await using var server = TestServer.Start();
        var plain = await RunAsync(server, Options(BenchWorkload.Read) with { Connections = 1 });
        Assert.That(plain.ClientCpuSeconds, Is.GreaterThan(0));
        Assert.That(plain.ServerCpuSeconds, Is.Null, "no --cpu-pid, no server figure");
        Assert.That(plain.ToTable(), Does.Contain("client CPU s (per GB)").And.Not.Contain("server CPU"));

        // the in-memory server runs in this process: name it as the server
        var withServer = await RunAsync(server, Options(BenchWorkload.Read) with { Connections = 1, CpuPids = [Environment.ProcessId] });
        Assert.That(withServer.ServerCpuSeconds, Is.GreaterThan(0));
        Assert.That(withServer.ServerCpuSecondsPerGB, Is.EqualTo(withServer.ServerCpuSeconds!.Value / (withServer.Bytes / 1e9)).Within(1e-9));
        Assert.That(withServer.ToTable(), Does.Contain("server CPU s (per GB)"));
    }

    [Test]
    public void Options_out_of_range_are_refused()
    {
        Assert.That((Options(BenchWorkload.Read) with { Channels = 0 }).Validate(), Does.Contain("--channels"));
        Assert.That((Options(BenchWorkload.SessionSetup) with { Channels = 2 }).Validate(), Does.Contain("--channels"));
        Assert.That((Options(BenchWorkload.Read) with { RdmaInlineThreshold = -1 }).Validate(), Does.Contain("--rdma-inline"));
        Assert.That(Options(BenchWorkload.Read).Validate(), Is.Null);
        Assert.That((Options(BenchWorkload.Read) with { Depth = 0 }).Validate(), Does.Contain("--depth"));
        Assert.That((Options(BenchWorkload.Read) with { Connections = 0 }).Validate(), Does.Contain("--connections"));
        Assert.That((Options(BenchWorkload.Read) with { FileSize = 1024 }).Validate(), Does.Contain("--size"));
        Assert.That((Options(BenchWorkload.Echo) with { FileSize = 1024 }).Validate(), Is.Null, "echo needs no file");
    }
}
