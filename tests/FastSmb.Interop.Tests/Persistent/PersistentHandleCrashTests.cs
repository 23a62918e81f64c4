using System.Collections.Concurrent;
using System.Net.Sockets;
using FastSmb.Client.Smb2;
using FastSmb.Interop.Tests.Support;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Interop.Tests.Persistent;

/// <summary>
/// Persistent handles on a continuously available share across a server crash (issue 8): a real `fastsmb serve` with
/// the FASTER state store, opens made persistent by FastSmb's client library, byte-range locks and write-through
/// WRITEs, then `kill -9`, a restart on the same data directory, and DH2C reconnects from new connections: every open
/// comes back, its locks still hold against another client, and every acknowledged byte is on disk.
/// </summary>
[NonParallelizable]
[CancelAfter(120_000)]
public class PersistentHandleCrashTests
{
    private const string CaShare = "ca";
    private const uint GenericAll = 0x10000000, ShareAll = 7, OpenIf = 3;
    private static readonly TimeSpan s_ready = TimeSpan.FromSeconds(60);

    private FastSmbServerProcess? _server;

    [SetUp]
    public void SkipOnForeignTarget()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ServerTarget.EnvironmentVariable)))
            Assert.Ignore($"kills and restarts its own fastsmb serve ({ServerTarget.EnvironmentVariable} is set)");
    }

    [TearDown]
    public void StopServer()
    {
        if (_server is null) return;
        File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, "fastsmb-serve-persistent.log"), _server.Output);
        _server.Dispose();
        _server = null;
    }

    private static string Config(string dataDir)
    {
        Directory.CreateDirectory(Path.Combine(dataDir, CaShare));
        return $"""
            [global]
               workgroup = WORKGROUP
            [{CaShare}]
               path = {Path.Combine(dataDir, CaShare)}
               continuously available = yes
            """;
    }

    /// <summary>Crashes the server and starts it again on the same data directory and account.</summary>
    private void CrashAndRestart()
    {
        var killed = _server!;
        killed.KillHard();
        string dataDir = killed.DataDir, password = killed.Target.Password, output = killed.Output;
        killed.Dispose();
        _server = FastSmbServerProcess.Start(FastSmbPaths.FastSmbDll, s_ready, dataDir: dataDir, password: password);
        TestContext.Out.WriteLine("before the crash:\n" + output);
    }

    private sealed class Client(TcpClient tcp, Smb2ClientConnection smb, uint tree) : IAsyncDisposable
    {
        public Smb2ClientConnection Smb { get; } = smb;
        public uint Tree { get; } = tree;

        public async ValueTask DisposeAsync()
        {
            await Smb.DisposeAsync();
            tcp.Dispose();
        }
    }

    private static async Task<Client> ConnectAsync(ServerTarget target, Guid clientGuid)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(target.Host, target.Port);
        var smb = new Smb2ClientConnection(tcp.GetStream());
        var negotiate = await smb.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: clientGuid);
        Assert.That(negotiate.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(NegotiateResponse.TryParse(negotiate.Message, out var n)
            && (n.Capabilities & Smb2GlobalCapabilities.PersistentHandles) != 0, Is.True, "SMB2_GLOBAL_CAP_PERSISTENT_HANDLES");
        Assert.That(await smb.LogonAsync(target.User, target.Password), Is.EqualTo(NtStatus.Success));
        var (status, tree, _) = await smb.TreeConnectAsync($@"\\{target.Host}\{CaShare}");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return new Client(tcp, smb, tree);
    }

    /// <summary>A request's final response (a persistent open's LOCK may answer after an interim STATUS_PENDING).</summary>
    private static async Task<Smb2Response> FinalAsync(Task<Smb2Response> sent, Smb2ClientConnection c)
    {
        var response = await sent;
        while (response.Status == NtStatus.Pending) response = await c.ReceiveAsync();
        return response;
    }

    private static Task<Smb2Response> WriteAsync(Client c, FileId file, ulong offset, byte[] data) =>
        FinalAsync(c.Smb.SendAsync(Smb2Command.Write, b => WriteRequest.Write(b, offset, file, data), c.Tree), c.Smb);

    private static async Task<byte[]> ReadAsync(Client c, FileId file, ulong offset, uint length)
    {
        var response = await c.Smb.SendAsync(Smb2Command.Read, b => ReadRequest.Write(b, 0, 0, length, offset, file, 0, 0, 0), c.Tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(ReadResponse.TryParse(response.Message, out var read), Is.True);
        return read.Data.ToArray();
    }

    private static byte[] Pattern(int file, int chunk, int size)
    {
        var data = new byte[size];
        new Random(file * 100_003 + chunk).NextBytes(data);
        return data;
    }

    [Test]
    public async Task KillDashNine_PersistentOpensLocksAndWrites_AllReclaimed()
    {
        _server = FastSmbServerProcess.Start(FastSmbPaths.FastSmbDll, s_ready, Config);
        var clientGuid = Guid.NewGuid();
        const int Files = 4, Size = 64 * 1024;
        var opens = new (string Name, Guid CreateGuid, FileId FileId)[Files];
        await using (var before = await ConnectAsync(_server.Target, clientGuid))
        {
            for (int i = 0; i < Files; i++)
            {
                string name = $"persistent-{i}.bin";
                var createGuid = Guid.NewGuid();
                var created = await before.Smb.CreateDurableAsync(before.Tree, name, createGuid, timeoutMs: 60_000,
                    oplockLevel: OplockLevel.None, persistent: true);
                Assert.That(created.Status, Is.EqualTo(NtStatus.Success), name);
                Assert.That(created.DurableV2 && created.Persistent, Is.True, $"{name}: DH2Q answered with SMB2_DHANDLE_FLAG_PERSISTENT");
                opens[i] = (name, createGuid, created.FileId);
                var written = await WriteAsync(before, created.FileId, 0, Pattern(i, 0, Size));
                Assert.That(written.Status, Is.EqualTo(NtStatus.Success));
                var locked = await FinalAsync(before.Smb.LockAsync(before.Tree, created.FileId, 0,
                    new LockElement(0, 100, LockElement.FlagExclusiveLock | LockElement.FlagFailImmediately)), before.Smb);
                Assert.That(locked.Status, Is.EqualTo(NtStatus.Success));
            }
            CrashAndRestart();
        }

        await using var after = await ConnectAsync(_server!.Target, clientGuid);
        await using var other = await ConnectAsync(_server.Target, Guid.NewGuid());
        for (int i = 0; i < Files; i++)
        {
            var (name, createGuid, fileId) = opens[i];
            var reclaimed = await after.Smb.ReconnectDurableAsync(after.Tree, name, fileId, createGuid);
            Assert.That(reclaimed.Status, Is.EqualTo(NtStatus.Success), $"DH2C of {name} after the restart");
            Assert.That(await ReadAsync(after, reclaimed.FileId, 0, Size), Is.EqualTo(Pattern(i, 0, Size)), $"{name}'s acknowledged bytes");

            var opened = await other.Smb.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, 0, 2, GenericAll, 0,
                ShareAll, OpenIf, 0, name, default), other.Tree);
            Assert.That(opened.Status, Is.EqualTo(NtStatus.Success));
            Assert.That(CreateResponse.TryParse(opened.Message, out var cr), Is.True);
            var conflicting = await FinalAsync(other.Smb.LockAsync(other.Tree, cr.FileId, 0,
                new LockElement(10, 10, LockElement.FlagExclusiveLock | LockElement.FlagFailImmediately)), other.Smb);
            Assert.That(conflicting.Status, Is.EqualTo(NtStatus.LockNotGranted), $"{name}: the reclaimed open's lock still holds");
        }
    }

    [Test]
    public async Task KillDashNine_ThousandOpensOnEightConnectionsWritesInFlight_AcknowledgedWritesKept()
    {
        _server = FastSmbServerProcess.Start(FastSmbPaths.FastSmbDll, s_ready, Config);
        const int Connections = 8, PerConnection = 125, Chunk = 4096;
        var target = _server.Target;
        var guids = Enumerable.Range(0, Connections).Select(_ => Guid.NewGuid()).ToArray();
        var opens = new (string Name, Guid CreateGuid, FileId FileId)[Connections * PerConnection];
        // file -> chunks whose WRITE was acknowledged
        var acknowledged = new ConcurrentDictionary<int, ConcurrentBag<int>>();
        var clients = new Client[Connections];
        for (int k = 0; k < Connections; k++) clients[k] = await ConnectAsync(target, guids[k]);
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async k =>
        {
            for (int j = 0; j < PerConnection; j++)
            {
                int f = k * PerConnection + j;
                var createGuid = Guid.NewGuid();
                var created = await clients[k].Smb.CreateDurableAsync(clients[k].Tree, $"many-{f}.bin", createGuid,
                    timeoutMs: 60_000, oplockLevel: OplockLevel.None, persistent: true);
                Assert.That(created.Status == NtStatus.Success && created.Persistent, Is.True, $"open {f}");
                opens[f] = ($"many-{f}.bin", createGuid, created.FileId);
            }
        }));

        // Every connection writes chunk after chunk round the files; the crash comes while they do.
        using var crashed = new CancellationTokenSource();
        int acks = 0;
        var writers = Enumerable.Range(0, Connections).Select(k => Task.Run(async () =>
        {
            try
            {
                for (int round = 0; !crashed.IsCancellationRequested; round++)
                    for (int j = 0; j < PerConnection && !crashed.IsCancellationRequested; j++)
                    {
                        int f = k * PerConnection + j;
                        var response = await WriteAsync(clients[k], opens[f].FileId, (ulong)(round * Chunk), Pattern(f, round, Chunk));
                        if (response.Status != NtStatus.Success) return;
                        acknowledged.GetOrAdd(f, _ => new ConcurrentBag<int>()).Add(round);
                        Interlocked.Increment(ref acks);
                    }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or Smb2ClientException or EndOfStreamException)
            {
                // the server died under the write
            }
        })).ToArray();
        while (Volatile.Read(ref acks) < 1500) await Task.Delay(20);
        crashed.Cancel();
        CrashAndRestart();
        await Task.WhenAll(writers);
        foreach (var c in clients) await c.DisposeAsync();
        Assert.That(acks, Is.GreaterThanOrEqualTo(1500));

        target = _server!.Target;
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async k =>
        {
            await using var c = await ConnectAsync(target, guids[k]);
            for (int j = 0; j < PerConnection; j++)
            {
                int f = k * PerConnection + j;
                var reclaimed = await c.Smb.ReconnectDurableAsync(c.Tree, opens[f].Name, opens[f].FileId, opens[f].CreateGuid);
                Assert.That(reclaimed.Status, Is.EqualTo(NtStatus.Success), $"DH2C of open {f} after the restart");
                if (!acknowledged.TryGetValue(f, out var chunks)) continue;
                foreach (int round in chunks)
                    Assert.That(await ReadAsync(c, reclaimed.FileId, (ulong)(round * Chunk), Chunk), Is.EqualTo(Pattern(f, round, Chunk)),
                        $"open {f}, acknowledged chunk {round}");
            }
        }));
    }
}
