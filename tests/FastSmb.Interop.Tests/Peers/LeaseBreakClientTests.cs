using System.Net.Sockets;
using System.Text;
using FastSmb.Client.Smb2;
using FastSmb.Interop.Tests.Support;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// Lease coherency between two clients over real loopback TCP, with FastSmb's client library: the first holds an
/// RWH lease and caches the file's data, the second opens and writes; the first receives each break (also while a
/// request of its own is outstanding), acknowledges it, drops its cache and reads the new data, never a stale one.
/// Runs against whatever server the fixture targets.
/// </summary>
[CancelAfter(120_000)]
public class LeaseBreakClientTests
{
    private const uint ReadWrite = 0x00120089 | 0x00120116, ShareAll = 7, Open = 1, OverwriteIf = 5;
    private const uint LeaseR = 1, LeaseH = 2, LeaseW = 4;
    private const byte LeaseOplockLevel = 0xFF;

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

    private static async Task<Client> ConnectAsync(ServerTarget target)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(target.Host, target.Port);
        var smb = new Smb2ClientConnection(tcp.GetStream());
        Assert.That((await smb.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: Guid.NewGuid())).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await smb.LogonAsync(target.User, target.Password), Is.EqualTo(NtStatus.Success));
        smb.SignRequests = true;
        var (status, tree, _) = await smb.TreeConnectAsync($@"\\{target.Host}\{ServerTarget.ShareName}");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return new Client(tcp, smb, tree);
    }

    /// <summary>CREATE, with a v2 lease request when <paramref name="leaseKey"/> is given; waits past an interim
    /// STATUS_PENDING (the open waits for a break acknowledgment).</summary>
    private static async Task<(FileId File, uint LeaseState)> CreateAsync(Client c, string name, uint disposition,
        Guid? leaseKey = null, uint leaseState = 0)
    {
        var contexts = new byte[128];
        int contextsLength = 0;
        if (leaseKey is { } key)
        {
            var w = new CreateContextWriter(contexts);
            LeaseContext.Write(w.Add("RqLs"u8, LeaseContext.SizeV2), 2, key, leaseState, 0, Guid.Empty, 0);
            contextsLength = w.Length;
        }
        var response = await c.Smb.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b,
            leaseKey is null ? (byte)0 : LeaseOplockLevel, 2, ReadWrite, 0, ShareAll, disposition, 0, name,
            contexts.AsSpan(0, contextsLength)), c.Tree);
        while (response.Status == NtStatus.Pending) response = await c.Smb.ReceiveAsync();
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success), $"create {name}");
        Assert.That(CreateResponse.TryParse(response.Message, out var cr), Is.True);
        uint granted = 0;
        if (cr.OplockLevel == LeaseOplockLevel && cr.GetCreateContexts().TryFind("RqLs"u8, out var data)
            && LeaseContext.TryParse(data, true, out var lease))
            granted = lease.LeaseState;
        return (cr.FileId, granted);
    }

    private static async Task WriteAsync(Client c, FileId file, string text)
    {
        var data = Encoding.ASCII.GetBytes(text);
        var response = await c.Smb.SendAsync(Smb2Command.Write, b => WriteRequest.Write(b, 0, file, data), c.Tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
    }

    private static async Task<string> ReadAsync(Client c, FileId file)
    {
        var response = await c.Smb.SendAsync(Smb2Command.Read, b => ReadRequest.Write(b, 0, 0, 4096, 0, file, 0, 0, 0), c.Tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(ReadResponse.TryParse(response.Message, out var rr), Is.True);
        return Encoding.ASCII.GetString(rr.Data);
    }

    /// <summary>[MS-SMB2] 2.2.28 SMB2 ECHO Request: StructureSize 4, Reserved.</summary>
    private static int EchoBody(Span<byte> body)
    {
        body[..4].Clear();
        body[0] = 4;
        return 4;
    }

    [Test]
    public async Task SecondClientWrites_FirstGetsBreaksAcknowledgesAndRereads_NeverStale()
    {
        var target = FastSmbServerFixture.Target;
        string name = $"lease-break-{Guid.NewGuid():N}.txt";
        await using var first = await ConnectAsync(target);
        await using var second = await ConnectAsync(target);
        first.Smb.CollectBreaks = true;
        var received = new List<Smb2BreakNotification>();
        first.Smb.BreakReceived += received.Add;

        // The first client creates the file under an RWH lease, writes and caches what it wrote.
        var leaseKey = Guid.NewGuid();
        var (file1, state) = await CreateAsync(first, name, OverwriteIf, leaseKey, LeaseR | LeaseH | LeaseW);
        Assert.That(state, Is.EqualTo(LeaseR | LeaseH | LeaseW));
        await WriteAsync(first, file1, "version-1");
        string cache = await ReadAsync(first, file1);
        Assert.That(cache, Is.EqualTo("version-1"));

        // The second client's open takes Write caching away: its CREATE waits for the first's acknowledgment.
        var secondOpen = CreateAsync(second, name, Open);
        var toReadHandle = await first.Smb.WaitForBreakAsync();
        Assert.That(toReadHandle.IsLease && toReadHandle.LeaseKey == leaseKey, Is.True);
        Assert.That((toReadHandle.CurrentLeaseState, toReadHandle.NewLeaseState, toReadHandle.AckRequired),
            Is.EqualTo((LeaseR | LeaseH | LeaseW, LeaseR | LeaseH, true)));
        Assert.That(secondOpen.IsCompleted, Is.False, "the open waits for the acknowledgment");
        // Nothing dirty to flush (written through): acknowledge, and the second open goes on.
        var ack = await first.Smb.AcknowledgeLeaseBreakAsync(first.Tree, leaseKey, toReadHandle.NewLeaseState);
        Assert.That(ack.Status, Is.EqualTo(NtStatus.Success));
        var (file2, _) = await secondOpen;

        // The second client writes: the first loses Read and Handle caching. It learns of it while a request of its
        // own is outstanding, or right after it.
        await WriteAsync(second, file2, "version-2");
        var echo = await first.Smb.SendAsync(Smb2Command.Echo, EchoBody);
        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success), "the break did not take the place of the response");
        var toNone = await first.Smb.WaitForBreakAsync();
        Assert.That((toNone.LeaseKey, toNone.NewLeaseState), Is.EqualTo((leaseKey, 0u)));
        if (toNone.AckRequired)
            Assert.That((await first.Smb.AcknowledgeLeaseBreakAsync(first.Tree, leaseKey, 0)).Status, Is.EqualTo(NtStatus.Success));

        // Without Read caching the first client drops its cache and reads from the server.
        cache = await ReadAsync(first, file1);
        Assert.That(cache, Is.EqualTo("version-2"), "never the stale cached data");
        Assert.That(received.Select(b => b.NewLeaseState), Is.EqualTo(new[] { LeaseR | LeaseH, 0u }));

        await second.Smb.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, file2), second.Tree);
        await first.Smb.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, file1), first.Tree);
    }
}
