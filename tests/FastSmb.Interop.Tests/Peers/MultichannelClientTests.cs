using System.Net.Sockets;
using FastSmb.Client.Smb2;
using FastSmb.Interop.Tests.Support;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// Multichannel over real loopback TCP with FastSmb's client library: one session bound to several connections,
/// a file opened on one and written through all of them, channels killed half-way, and every byte read back on a
/// channel that survived. Runs against whatever server the fixture targets (Samba passes it too).
/// </summary>
[CancelAfter(120_000)]
public class MultichannelClientTests
{
    /// <summary>SMB2_GLOBAL_CAP_MULTI_CHANNEL: a client that wants to bind channels says so in NEGOTIATE.</summary>
    private const uint MultiChannelCapability = (uint)Smb2GlobalCapabilities.MultiChannel;

    // DELETE spelled out next to GENERIC_ALL: Samba checks a DELETE_ON_CLOSE create against the unmapped access mask.
    private const uint GenericAll = 0x10000000 | 0x00010000, ShareAll = 7, OverwriteIf = 5, DeleteOnClose = 0x1000;

    private sealed class Channel(TcpClient tcp, Smb2ClientConnection smb) : IAsyncDisposable
    {
        public Smb2ClientConnection Smb { get; } = smb;
        public async ValueTask DisposeAsync()
        {
            await Smb.DisposeAsync();
            tcp.Dispose();
        }
    }

    private static async Task<Channel> ConnectAsync(ServerTarget target, Guid clientGuid, Smb2Dialect dialect)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(target.Host, target.Port);
        var smb = new Smb2ClientConnection(tcp.GetStream());
        var negotiate = await smb.NegotiateAsync([dialect], clientGuid: clientGuid, capabilities: MultiChannelCapability);
        Assert.That(negotiate.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(NegotiateResponse.TryParse(negotiate.Message, out var n) && (n.Capabilities & Smb2GlobalCapabilities.MultiChannel) != 0,
            Is.True, "the server offers multichannel");
        return new Channel(tcp, smb);
    }

    [TestCase(Smb2Dialect.Smb302, 2)]
    [TestCase(Smb2Dialect.Smb311, 4)]
    public async Task BoundChannels_WriteThroughAllKillSome_NothingLost(Smb2Dialect dialect, int count)
    {
        var target = FastSmbServerFixture.Target;
        var guid = Guid.NewGuid();
        var channels = new List<Channel>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var channel = await ConnectAsync(target, guid, dialect);
                channels.Add(channel);
                var status = i == 0
                    ? await channel.Smb.LogonAsync(target.User, target.Password)
                    : await channel.Smb.BindAsync(channels[0].Smb, target.User, target.Password);
                Assert.That(status, Is.EqualTo(NtStatus.Success), i == 0 ? "logon" : $"bind channel {i}");
                channel.Smb.SignRequests = true;
            }
            var first = channels[0].Smb;
            var (tc, tree, _) = await first.TreeConnectAsync($@"\\{target.Host}\{ServerTarget.ShareName}");
            Assert.That(tc, Is.EqualTo(NtStatus.Success));
            string name = $"multichannel-{dialect}-{count}-{Guid.NewGuid():N}.bin";
            var create = await channels[^1].Smb.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, 0, 2, GenericAll, 0,
                ShareAll, OverwriteIf, DeleteOnClose, name, default), tree);
            Assert.That(create.Status, Is.EqualTo(NtStatus.Success));
            Assert.That(CreateResponse.TryParse(create.Message, out var cr), Is.True);
            var file = cr.FileId;

            const int chunk = 60 * 1024;
            var expected = new byte[count * 4 * chunk];
            new Random(count).NextBytes(expected);
            var live = new List<Channel>(channels);
            for (int k = 0; k < expected.Length / chunk; k++)
            {
                var writer = live[k % live.Count].Smb;
                int offset = k * chunk;
                var write = await writer.SendAsync(Smb2Command.Write,
                    b => WriteRequest.Write(b, (ulong)offset, file, expected.AsSpan(offset, chunk)), tree, creditCharge: 1);
                Assert.That(write.Status, Is.EqualTo(NtStatus.Success), $"write {k}");
                // Half-way, every channel but the last one is killed (the first one, which logged on, included).
                if (k == expected.Length / chunk / 2)
                {
                    foreach (var dead in live.Take(live.Count - 1).ToArray())
                    {
                        await dead.DisposeAsync();
                        live.Remove(dead);
                    }
                }
            }

            var reader = live[^1].Smb;
            var read = new byte[expected.Length];
            for (int offset = 0; offset < read.Length; offset += chunk)
            {
                int at = offset;
                var response = await reader.SendAsync(Smb2Command.Read,
                    b => ReadRequest.Write(b, 0, 0, chunk, (ulong)at, file, 0, 0, 0), tree);
                Assert.That(response.Status, Is.EqualTo(NtStatus.Success), $"read at {at}");
                Assert.That(ReadResponse.TryParse(response.Message, out var rr), Is.True);
                rr.Data.CopyTo(read.AsSpan(at));
            }
            Assert.That(read, Is.EqualTo(expected), "every byte written through any channel is there");
            var close = await reader.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, file), tree);
            Assert.That(close.Status, Is.EqualTo(NtStatus.Success));
        }
        finally
        {
            foreach (var channel in channels) await channel.DisposeAsync();
        }
    }
}
