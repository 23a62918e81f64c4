using System.Collections.Concurrent;
using FastSmb.Client.Smb2;
using FastSmb.Control;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Datapath.Dispatch;
using FastSmb.Datapath.Identity;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Server.Tests.Support;

namespace FastSmb.Server.Tests.Functional.Support;

/// <summary>
/// A real server (ServerHost.CreateServer: control plane, dispatcher, connection owners) behind an
/// <see cref="InMemoryListener"/>, with share "share" over a temporary directory and the user "tester"/"secret".
/// Every client read is bounded by <see cref="ReadTimeout"/>, so a server that neither answers nor disconnects
/// fails the test instead of hanging it. Owned by one test.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string User = "tester";
    public const string Password = "secret";
    public const string ShareName = "share";
    public const string Host = "fastsmb-test";
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    public static readonly Smb2Dialect[] AllDialects =
        [Smb2Dialect.Smb202, Smb2Dialect.Smb210, Smb2Dialect.Smb300, Smb2Dialect.Smb302];

    private readonly SmbServer _server;
    private readonly InMemoryListener _listener = new();
    // Set when the server runs on io_uring core loops: clients then connect over loopback TCP.
    private readonly System.Net.IPEndPoint? _tcpEndPoint;
    private readonly List<IAsyncDisposable> _clients = new();
    private readonly string _shareDir;

    private TestServer(GlobalConfig global, DatapathOptions? limits, ShareConfig[] extraShares,
        Action<InMemoryUserStore>? addUsers = null)
    {
        _shareDir = Directory.CreateTempSubdirectory("fastsmb-ftest-").FullName;
        var config = new ServerConfig(global with { NetbiosName = "FASTSMBTEST" },
            [new ShareConfig(ShareName, _shareDir), .. extraShares]);
        // tester acts as the test process itself (root in CI), so its files are what the test can always read.
        var self = ThreadCredentials.Server;
        var users = new InMemoryUserStore().Add(User, Password, uid: self.Uid, gid: self.Gid);
        addUsers?.Invoke(users);
        // Blocking calls (FLUSH) go async as in the real server whenever they take long: the client library waits past
        // the interim response ([MS-SMB2] 3.2.5.1.5), so the tests see the final one.
        limits ??= new DatapathOptions();
        // FASTSMB_IO=uring runs every functional test over loopback TCP on the pinned io_uring core loops.
        if (Environment.GetEnvironmentVariable("FASTSMB_IO") == "uring")
            limits = limits with { Io = IoEngine.Uring };
        _server = ServerHost.CreateServer(config, users, Log, Log, limits);
        if (limits?.Io == IoEngine.Uring)
        {
            var tcp = FastSmb.Datapath.Transport.Tcp.TcpTransportListener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            _tcpEndPoint = (System.Net.IPEndPoint)tcp.LocalEndPoint;
            _server.Start(tcp);
        }
        else
        {
            _server.Start(_listener);
        }
    }

    /// <summary>The server under test (its core loops, connection count).</summary>
    public SmbServer Server => _server;

    public RecordingLog Log { get; } = new();

    public static TestServer Start(GlobalConfig? global = null, DatapathOptions? limits = null,
        params ShareConfig[] extraShares) => new(global ?? new GlobalConfig(), limits, extraShares);

    /// <summary>A server with more users than tester (e.g. ones mapped to Unix accounts).</summary>
    public static TestServer StartWithUsers(Action<InMemoryUserStore> addUsers, params ShareConfig[] extraShares) =>
        new(new GlobalConfig(), null, extraShares, addUsers);

    /// <summary>The directory behind share "share".</summary>
    public string ShareDir => _shareDir;

    public static string Unc(string share) => $@"\\{Host}\{share}";

    /// <summary>A raw client stream: bytes in, bytes out, reads bounded by <see cref="ReadTimeout"/>.</summary>
    public Stream OpenStream()
    {
        var stream = new TimeoutStream(_tcpEndPoint is null ? _listener.Connect() : ConnectTcp(_tcpEndPoint), ReadTimeout);
        _clients.Add(stream);
        return stream;
    }

    private static Stream ConnectTcp(System.Net.IPEndPoint endPoint)
    {
        var socket = new System.Net.Sockets.Socket(endPoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
        {
            NoDelay = true,
        };
        socket.Connect(endPoint);
        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
    }

    public Smb2ClientConnection Connect()
    {
        var client = new Smb2ClientConnection(OpenStream());
        _clients.Add(client);
        return client;
    }

    /// <summary>NEGOTIATE with <paramref name="dialects"/> (all by default), asserting success.</summary>
    public async Task<Smb2ClientConnection> NegotiateAsync(params Smb2Dialect[] dialects)
    {
        var c = Connect();
        var response = await c.NegotiateAsync(dialects.Length == 0 ? AllDialects : dialects);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success), "NEGOTIATE");
        return c;
    }

    /// <summary>NEGOTIATE and SESSION_SETUP as tester, asserting success.</summary>
    public async Task<Smb2ClientConnection> LogonAsync(Smb2Dialect dialect = Smb2Dialect.Smb302, byte securityMode = 1)
    {
        var c = await NegotiateAsync(dialect);
        Assert.That(await c.LogonAsync(User, Password, securityMode: securityMode), Is.EqualTo(NtStatus.Success), "logon");
        return c;
    }

    /// <summary>NEGOTIATE and SESSION_SETUP as <paramref name="user"/>, asserting success.</summary>
    public async Task<Smb2ClientConnection> LogonAsAsync(string user, string password, Smb2Dialect dialect = Smb2Dialect.Smb302)
    {
        var c = await NegotiateAsync(dialect);
        Assert.That(await c.LogonAsync(user, password), Is.EqualTo(NtStatus.Success), "logon " + user);
        return c;
    }

    /// <summary>Logs on and connects to <paramref name="share"/>, returning the tree id.</summary>
    public async Task<(Smb2ClientConnection Client, uint TreeId)> TreeConnectAsync(string share,
        Smb2Dialect dialect = Smb2Dialect.Smb302)
    {
        var c = await LogonAsync(dialect);
        var (status, treeId, _) = await c.TreeConnectAsync(Unc(share));
        Assert.That(status, Is.EqualTo(NtStatus.Success), "TREE_CONNECT " + share);
        return (c, treeId);
    }

    /// <summary>The server is still up: a fresh connection negotiates, logs on and reaches IPC$.</summary>
    public async Task AssertStillServingAsync()
    {
        var (c, _) = await TreeConnectAsync("IPC$");
        await c.DisposeAsync();
        Assert.That(Log.Failures, Is.Empty, "a connection failed with an exception (a server bug)");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        await _server.DisposeAsync();
        try { Directory.Delete(_shareDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Records what the server logged; tests assert that no connection died of an exception.</summary>
internal sealed class RecordingLog : IServerLog, IControlLog
{
    public ConcurrentQueue<string> Dropped { get; } = new();
    public ConcurrentQueue<Exception> Failures { get; } = new();
    public ConcurrentQueue<string> Logons { get; } = new();
    public ConcurrentQueue<NtStatus> LogonFailures { get; } = new();
    public ConcurrentQueue<string> IdentityRefusals { get; } = new();

    public void ConnectionAccepted(string client) { }
    public ConcurrentQueue<string> Closed { get; } = new();
    public void ConnectionClosed(string client) => Closed.Enqueue(client);
    public void ConnectionDropped(string client, string reason) => Dropped.Enqueue(reason);
    public void ConnectionFailed(string client, Exception error) => Failures.Enqueue(error);
    public void LogonSucceeded(string client, string user, Smb2Dialect dialect) => Logons.Enqueue($"{user} {dialect}");
    public void LogonFailed(string client, NtStatus status) => LogonFailures.Enqueue(status);
    public void IdentityRefused(string user, string share, string reason) => IdentityRefusals.Enqueue($"{user} {share}: {reason}");
}

/// <summary>Bounds every read of the inner stream, so a test waiting for a response that never comes fails.</summary>
internal sealed class TimeoutStream(Stream inner, TimeSpan timeout) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            return await inner.ReadAsync(buffer, cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the server sent nothing for {timeout.TotalSeconds} s (neither a response nor a disconnect)");
        }
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => inner.WriteAsync(buffer, ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}
