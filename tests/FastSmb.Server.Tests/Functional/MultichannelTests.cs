using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// One session on several connections ([MS-SMB2] 3.3.5.5.2 session binding): requests on any channel reach the
/// same tree connects and opens, each channel signs with its own key, a channel that dies leaves the session and its
/// opens to the others, and LOGOFF on one channel ends the session everywhere.
/// </summary>
[CancelAfter(60_000)]
public class MultichannelTests
{
    /// <summary>SMB2_GLOBAL_CAP_MULTI_CHANNEL: a client that wants to bind channels says so in NEGOTIATE.</summary>
    private const uint MultiChannelCapability = (uint)Smb2GlobalCapabilities.MultiChannel;

    /// <summary>Logs on <paramref name="count"/> connections of one client: the first creates the session, the
    /// others bind to it.</summary>
    private static async Task<Smb2ClientConnection[]> ChannelsAsync(TestServer server, Smb2Dialect dialect, int count)
    {
        var guid = Guid.NewGuid();
        var channels = new Smb2ClientConnection[count];
        for (int i = 0; i < count; i++)
        {
            channels[i] = server.Connect();
            var negotiate = await channels[i].NegotiateAsync([dialect], clientGuid: guid, capabilities: MultiChannelCapability);
            Assert.That(NegotiateResponse.TryParse(negotiate.Message, out var n), Is.True);
            Assert.That(n.Capabilities & Smb2GlobalCapabilities.MultiChannel, Is.EqualTo(Smb2GlobalCapabilities.MultiChannel),
                "3.x NEGOTIATE offers multichannel");
            var status = i == 0
                ? await channels[0].LogonAsync(TestServer.User, TestServer.Password)
                : await channels[i].BindAsync(channels[0], TestServer.User, TestServer.Password);
            Assert.That(status, Is.EqualTo(NtStatus.Success), i == 0 ? "logon" : $"binding channel {i}");
            channels[i].SignRequests = true;
        }
        return channels;
    }

    private static async Task WaitForClosedAsync(TestServer server, int closed)
    {
        // The server reports each connection it has cleaned up; a bounded wait for that event, not a timing check.
        for (int i = 0; i < 500 && server.Log.Closed.Count < closed; i++) await Task.Delay(20);
        Assert.That(server.Log.Closed.Count, Is.GreaterThanOrEqualTo(closed), "the server noticed the closed channel");
    }

    [TestCase(Smb2Dialect.Smb300)]
    [TestCase(Smb2Dialect.Smb302)]
    [TestCase(Smb2Dialect.Smb311)]
    public async Task Channels_OpenOnOneReadWriteOnOthers_SameOpen(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, dialect, 3);
        Assert.That(c[1].SessionId, Is.EqualTo(c[0].SessionId));
        Assert.That(c[1].SigningKey, Is.Not.EqualTo(c[0].SigningKey), "each channel has its own signing key");
        var (tc, tree, _) = await c[1].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(tc, Is.EqualTo(NtStatus.Success));
        var (cs, file, _) = await c[2].CreateAsync(tree, "mc.bin", FileClient.Create);
        Assert.That(cs, Is.EqualTo(NtStatus.Success), "the tree connected on channel 1 is the session's");

        Assert.That(await c[0].WriteAsync(tree, file, 0, "hello "u8.ToArray()), Is.EqualTo(NtStatus.Success));
        Assert.That(await c[1].WriteAsync(tree, file, 6, "world"u8.ToArray()), Is.EqualTo(NtStatus.Success));
        var (rs, data) = await c[2].ReadAsync(tree, file, 0, 64);
        Assert.That(rs, Is.EqualTo(NtStatus.Success));
        Assert.That(data, Is.EqualTo("hello world"u8.ToArray()));
        Assert.That(await c[1].CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
        Assert.That(File.ReadAllText(Path.Combine(server.ShareDir, "mc.bin")), Is.EqualTo("hello world"));
    }

    [Test]
    public async Task Channel_Killed_SessionAndOpensSurviveOnTheOthers()
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, Smb2Dialect.Smb311, 4);
        var (_, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        var (cs, file, _) = await c[0].CreateAsync(tree, "survive.bin", FileClient.Create);
        Assert.That(cs, Is.EqualTo(NtStatus.Success));
        var expected = new byte[4 * 8192];
        new Random(7).NextBytes(expected);

        // Each channel writes its quarter; the one that created the open and the session dies half-way.
        for (int i = 0; i < 4; i++)
        {
            var chunk = expected.AsSpan(i * 8192, 8192).ToArray();
            Assert.That(await c[i].WriteAsync(tree, file, (ulong)(i * 8192), chunk), Is.EqualTo(NtStatus.Success));
            if (i == 1)
            {
                await c[0].DisposeAsync();
                await WaitForClosedAsync(server, 1);
            }
        }
        await c[2].DisposeAsync();
        await WaitForClosedAsync(server, 2);

        var (rs, data) = await c[3].ReadAsync(tree, file, 0, (uint)expected.Length);
        Assert.That(rs, Is.EqualTo(NtStatus.Success), "the open outlives the channels that died");
        Assert.That(data, Is.EqualTo(expected), "nothing written is lost");
        var echo = await c[1].SendAsync(Smb2Command.Echo, EchoRequest.Write);
        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await c[1].CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task OplockBreak_OpeningChannelGone_SentOnAnotherChannel_AckCompletesConflictingCreate()
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, Smb2Dialect.Smb311, 2);
        var (_, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        var opened = await c[0].SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, OplockLevel.Batch, 2,
            0x0012019F /* FILE_GENERIC_READ | FILE_GENERIC_WRITE */, 0x80, 7, 3 /* FILE_OPEN_IF */, 0, "mcbreak.dat",
            default), tree);
        Assert.That(CreateResponse.TryParse(opened.Message, out var held), Is.True);
        Assert.That(held.OplockLevel, Is.EqualTo(OplockLevel.Batch));
        var heldId = held.FileId;
        await c[0].DisposeAsync();
        await WaitForClosedAsync(server, 1);

        var (other, otherTree) = await server.TreeConnectAsync(TestServer.ShareName);
        var interim = await other.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, OplockLevel.Batch, 2,
            0x0012019F, 0x80, 7, 3, 0, "mcbreak.dat", default), otherTree, returnInterim: true);
        Assert.That(interim.Status, Is.EqualTo(NtStatus.Pending), "the conflicting CREATE waits for the acknowledgment");

        // [MS-SMB2] 3.3.4.6: the opening connection is gone, so the break goes on the session's remaining channel.
        var notification = await c[1].ReceiveAsync();
        Assert.That(notification.Command, Is.EqualTo(Smb2Command.OplockBreak));
        Assert.That(OplockBreakNotification.TryParse(notification.Message, out var brk), Is.True);
        Assert.That(brk.FileId, Is.EqualTo(heldId));
        Assert.That(brk.OplockLevel, Is.EqualTo(OplockLevel.II));
        var ack = await c[1].SendAsync(Smb2Command.OplockBreak,
            b => OplockBreakAcknowledgment.Write(b, OplockLevel.II, heldId), tree);
        Assert.That(ack.Status, Is.EqualTo(NtStatus.Success));

        var final = await other.ReceiveAsync();
        Assert.That(final.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(final.Header.AsyncId, Is.EqualTo(interim.Header.AsyncId));
        Assert.That(CreateResponse.TryParse(final.Message, out var created), Is.True);
        Assert.That(created.OplockLevel, Is.EqualTo(OplockLevel.II));
        Assert.That(server.Log.Failures, Is.Empty);
    }

    [Test]
    public async Task AllChannelsGone_SessionEnds()
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, Smb2Dialect.Smb302, 2);
        var (_, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        var (_, file, _) = await c[0].CreateAsync(tree, "gone.bin", FileClient.Create, options: FileClient.DeleteOnClose);
        Assert.That(File.Exists(Path.Combine(server.ShareDir, "gone.bin")), Is.True);
        await c[0].DisposeAsync();
        await c[1].DisposeAsync();
        await WaitForClosedAsync(server, 2);
        Assert.That(File.Exists(Path.Combine(server.ShareDir, "gone.bin")), Is.False, "the last channel took the opens with it");
    }

    [Test]
    public async Task Logoff_OnOneChannel_EndsSessionOnAll()
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, Smb2Dialect.Smb311, 3);
        var logoff = await c[2].SendAsync(Smb2Command.Logoff, LogoffRequest.Write);
        Assert.That(logoff.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(c[2].VerifySignature(logoff), Is.True, "signed with the channel's key");
        foreach (var channel in c[..2])
        {
            var tc = await channel.SendAsync(Smb2Command.TreeConnect, b => TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$")));
            Assert.That(tc.Status, Is.EqualTo(NtStatus.UserSessionDeleted));
        }
    }

    [Test]
    public async Task Channel_SignedWithSessionKeyInsteadOfChannelKey_AccessDenied()
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, Smb2Dialect.Smb302, 2);
        var wrong = server.Connect();
        // A request on channel 1 signed with the session's (channel 0's) key is not the channel's.
        c[1].SignRequests = false;
        var message = new byte[Smb2Header.Size + 4];
        Smb2Header.WriteRequest(message, Smb2Command.Echo, 1, 1, Smb2HeaderFlags.Signed, c[1].NextMessageId, 0, c[1].SessionId);
        EchoRequest.Write(message.AsSpan(Smb2Header.Size));
        FastSmb.Protocol.Smb2.Signing.Smb2Signer.Sign(message, c[0].SigningAlgorithm, c[0].SigningKey);
        await c[1].SendRawAsync(message);
        var response = await c[1].ReceiveAsync();
        Assert.That(response.Status, Is.EqualTo(NtStatus.AccessDenied));
        await wrong.DisposeAsync();
    }

    [Test]
    public async Task Encrypted_Channels_ShareTheSessionKeys()
    {
        await using var server = TestServer.Start(new GlobalConfig { ServerEncryption = EncryptionPolicy.Required });
        var c = await ChannelsAsync(server, Smb2Dialect.Smb311, 2);
        Assert.That(c[1].EncryptRequests, Is.True);
        var (tc, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        Assert.That(tc, Is.EqualTo(NtStatus.Success));
        var (cs, file, _) = await c[1].CreateAsync(tree, "enc.bin", FileClient.Create);
        Assert.That(cs, Is.EqualTo(NtStatus.Success));
        Assert.That(c[1].LastResponseEncrypted, Is.True);
        Assert.That(await c[0].CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task ChannelSequence_OlderOnModifyingRequest_FileNotAvailable()
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, Smb2Dialect.Smb302, 2);
        var (_, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc(TestServer.ShareName));
        var (_, file, _) = await c[0].CreateAsync(tree, "seq.bin", FileClient.Create);

        // Channel 0 "failed": the client bumps ChannelSequence and goes on on channel 1 (3.2.4.1.8).
        c[1].ChannelSequence = 1;
        Assert.That(await c[1].WriteAsync(tree, file, 0, "new"u8.ToArray()), Is.EqualTo(NtStatus.Success));
        // A write still carrying the old sequence (a late arrival from the dead channel) must not land.
        Assert.That(await c[0].WriteAsync(tree, file, 0, "old"u8.ToArray()), Is.EqualTo(NtStatus.FileNotAvailable));
        // Reads are not modifying: they go on with the old number.
        var (rs, data) = await c[0].ReadAsync(tree, file, 0, 16);
        Assert.That(rs, Is.EqualTo(NtStatus.Success));
        Assert.That(data, Is.EqualTo("new"u8.ToArray()));
        // A 16-bit wrap (0xFFFF after 1) is read as older, not as 65534 newer.
        c[1].ChannelSequence = 0xFFFF;
        Assert.That(await c[1].WriteAsync(tree, file, 0, "wrap"u8.ToArray()), Is.EqualTo(NtStatus.FileNotAvailable));
        c[1].ChannelSequence = 2;
        Assert.That(await c[1].WriteAsync(tree, file, 0, "two"u8.ToArray()), Is.EqualTo(NtStatus.Success));
        Assert.That(await c[1].CloseAsync(tree, file), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task QueryNetworkInterfaceInfo_ConfiguredInterfaces_Reported()
    {
        var global = new GlobalConfig { Interfaces = ["lo;speed=10000000000,capability=RSS,capability=RDMA,if_index=7"] };
        await using var server = TestServer.Start(global);
        var c = await ChannelsAsync(server, Smb2Dialect.Smb311, 1);
        var (_, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc("IPC$"));

        var response = await c[0].SendAsync(Smb2Command.Ioctl, b => IoctlRequest.Write(b,
            FsctlCodes.FSCTL_QUERY_NETWORK_INTERFACE_INFO, FileId.Any, [], 0, 65536, IoctlRequest.FlagIsFsctl), tree);

        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(IoctlResponse.TryParse(response.Message, out var io), Is.True);
        Assert.That(NetworkInterfaceInfo.TryParse(io.Output, out var entries), Is.True);
        Assert.That(entries, Is.Not.Empty, "the loopback interface is listed when named");
        Assert.That(entries.Select(e => e.Address.ToString()), Does.Contain("127.0.0.1"));
        Assert.That(entries, Has.All.Matches<NetworkInterfaceEntry>(e => e.IfIndex == 7 && e.LinkSpeed == 10_000_000_000
            && e.Capability == (NetworkInterfaceCapability.Rss | NetworkInterfaceCapability.Rdma)));
    }

    [Test]
    public async Task QueryNetworkInterfaceInfo_FileIdNotAny_InvalidParameter()
    {
        await using var server = TestServer.Start();
        var c = await ChannelsAsync(server, Smb2Dialect.Smb302, 1);
        var (_, tree, _) = await c[0].TreeConnectAsync(TestServer.Unc("IPC$"));
        var response = await c[0].SendAsync(Smb2Command.Ioctl, b => IoctlRequest.Write(b,
            FsctlCodes.FSCTL_QUERY_NETWORK_INTERFACE_INFO, new FileId(1, 2), [], 0, 65536, IoctlRequest.FlagIsFsctl), tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public async Task QueryNetworkInterfaceInfo_MultiChannelOff_InvalidDeviceRequest()
    {
        await using var server = TestServer.Start(new GlobalConfig { ServerMultiChannelSupport = false });
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var response = await c.SendAsync(Smb2Command.Ioctl, b => IoctlRequest.Write(b,
            FsctlCodes.FSCTL_QUERY_NETWORK_INTERFACE_INFO, FileId.Any, [], 0, 65536, IoctlRequest.FlagIsFsctl), tree);
        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidDeviceRequest));
    }
}
