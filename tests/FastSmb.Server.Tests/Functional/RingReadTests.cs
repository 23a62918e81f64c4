using FastSmb.Client.Smb2;
using FastSmb.Datapath;
using FastSmb.Datapath.CoreLoops;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// READ on a core loop's io_uring (<see cref="RingRead"/>): the data read into a registered buffer and sent from it,
/// responses leaving as reads complete, each with its own MessageId, signed when the request was, and every buffer
/// back in the pool once its response is sent or its connection is gone.
/// </summary>
[CancelAfter(30_000)]
public class RingReadTests
{
    /// <summary>One loop whose READs all go through the ring (not first to the page cache, which holds these files).</summary>
    private static TestServer StartOnOneLoop()
    {
        var server = TestServer.Start(limits: new DatapathOptions { Io = IoEngine.Uring, Cores = 1 });
        Files(server).TryCachedFirst = false;
        return server;
    }

    private static RingFileIo Files(TestServer server) => server.Server.CoreLoops!.Loops[0].Files;

    private static async Task<(Smb2ClientConnection C, uint Tree, FileId File, byte[] Data)> FileWithDataAsync(
        TestServer server, int length, string name = "ring.dat")
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        await File.WriteAllBytesAsync(Path.Combine(server.ShareDir, name), data);
        var (c, tree) = await server.TreeConnectAsync(TestServer.ShareName);
        var (status, file, _) = await c.CreateAsync(tree, name);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        return (c, tree, file, data);
    }

    [Test]
    public async Task Read_OnLoop_DataFromRegisteredBuffer_BufferBackInPool()
    {
        await using var server = StartOnOneLoop();
        Assert.That(server.Server.CoreLoops, Is.Not.Null, "io_uring core loops (is the native shim built?)");
        var (c, tree, file, data) = await FileWithDataAsync(server, 300_000);

        var (status, back) = await c.ReadAsync(tree, file, 12_345, 60_000);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(back, Is.EqualTo(data.AsSpan(12_345, 60_000).ToArray()));
        var files = Files(server);
        Assert.That(files.Pool, Is.Not.Null, "the READ went through the loop's buffer pool");
        Assert.That(files.Registered, Is.True, "buffers registered with the ring (READ_FIXED)");
        await WaitUntilAsync(() => files.InFlight == 0 && files.Pool!.Available == files.Pool.Count,
            "the buffer returns to the pool once the response is sent");
    }

    [Test]
    public async Task Read_Cached_AnsweredAtOnceWithoutTheRing()
    {
        await using var server = TestServer.Start(limits: new DatapathOptions { Io = IoEngine.Uring, Cores = 1 });
        var (c, tree, file, data) = await FileWithDataAsync(server, 100_000);
        await File.ReadAllBytesAsync(Path.Combine(server.ShareDir, "ring.dat")); // in the page cache now
        var (status, back) = await c.ReadAsync(tree, file, 1000, 50_000);
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(back, Is.EqualTo(data.AsSpan(1000, 50_000).ToArray()));
        Assert.That(Files(server).Pool, Is.Null, "a cached READ needs no ring buffer");
        // A short read (the end of the file) is not answered from the cache attempt: the ring finds where the file ends.
        var (tailStatus, tail) = await c.ReadAsync(tree, file, 99_000, 5000);
        Assert.That((tailStatus, tail), Is.EqualTo((NtStatus.Success, data[99_000..])));
        Assert.That(Files(server).Pool, Is.Not.Null);
    }

    [Test]
    public async Task Read_AtEndOfFile_EndOfFile_MinimumCountRespected_ZeroLengthSucceeds()
    {
        await using var server = StartOnOneLoop();
        var (c, tree, file, data) = await FileWithDataAsync(server, 1000);

        Assert.That((await c.ReadAsync(tree, file, 1000, 10)).Status, Is.EqualTo(NtStatus.EndOfFile), "at the end");
        Assert.That((await c.ReadAsync(tree, file, 5000, 10)).Status, Is.EqualTo(NtStatus.EndOfFile), "past the end");
        Assert.That((await c.ReadAsync(tree, file, 900, 200, minimumCount: 150)).Status, Is.EqualTo(NtStatus.EndOfFile),
            "100 bytes left, MinimumCount 150");
        var (shortStatus, tail) = await c.ReadAsync(tree, file, 900, 200, minimumCount: 100);
        Assert.That(shortStatus, Is.EqualTo(NtStatus.Success));
        Assert.That(tail, Is.EqualTo(data[900..]));
        var (zeroStatus, none) = await c.ReadAsync(tree, file, 0, 0);
        Assert.That((zeroStatus, none.Length), Is.EqualTo((NtStatus.Success, 0)));
        Assert.That(Files(server).Pool, Is.Not.Null, "these READs went through the ring");
    }

    [Test]
    public async Task ManyReadsInFlight_EachAnsweredWithItsOwnMessageId_Signed()
    {
        await using var server = StartOnOneLoop();
        var (c, tree, file, data) = await FileWithDataAsync(server, 2_000_000);
        c.SignRequests = true;

        // Sent back to back without waiting, as a client with credits to spare does ([MS-SMB2] 3.2.5.1).
        var offsets = new[] { 0, 1_000_000, 65_536, 1_999_000, 3_000_000, 4096, 777_777, 1_500_000 };
        const uint length = 100_000;
        ulong first = c.NextMessageId;
        for (int i = 0; i < offsets.Length; i++)
        {
            var message = new byte[Smb2Header.Size + 49];
            ReadRequest.Write(message.AsSpan(Smb2Header.Size), 0x50, 0, length, (ulong)offsets[i], file, 0, 0, 0);
            Smb2Header.WriteRequest(message, Smb2Command.Read, 2, 1, Smb2HeaderFlags.Signed, first + (ulong)(2 * i), tree,
                c.SessionId);
            Smb2Signer.Sign(message, c.SigningAlgorithm, c.SigningKey);
            await c.SendRawAsync(message);
        }
        var seen = new HashSet<ulong>();
        for (int i = 0; i < offsets.Length; i++)
        {
            var response = await c.ReceiveAsync();
            int index = (int)(response.MessageId - first) / 2;
            Assert.That(seen.Add(response.MessageId) && index is >= 0 and < 8, Is.True, $"MessageId {response.MessageId}");
            Assert.That(response.Command, Is.EqualTo(Smb2Command.Read));
            Assert.That(response.Header.IsAsync, Is.False, "answered as a synchronous response, no interim");
            Assert.That(response.IsSigned && c.VerifySignature(response), Is.True, $"READ {index} signed");
            Assert.That(response.CreditGrant, Is.GreaterThan(0), "its credits granted");
            int offset = offsets[index];
            if (offset >= data.Length)
            {
                Assert.That(response.Status, Is.EqualTo(NtStatus.EndOfFile), $"READ {index}");
                continue;
            }
            Assert.That(response.Status, Is.EqualTo(NtStatus.Success), $"READ {index}");
            Assert.That(ReadResponse.TryParse(response.Message, out var read), Is.True);
            int expected = Math.Min((int)length, data.Length - offset);
            Assert.That(read.Data.ToArray(), Is.EqualTo(data.AsSpan(offset, expected).ToArray()), $"READ {index} data");
        }
    }

    [Test]
    public async Task ConnectionGone_WithReadsInFlight_EveryBufferComesBack()
    {
        await using var server = StartOnOneLoop();
        var (c, tree, file, _) = await FileWithDataAsync(server, 4_000_000);
        ulong first = c.NextMessageId;
        for (int i = 0; i < 4; i++)
        {
            var message = new byte[Smb2Header.Size + 49];
            ReadRequest.Write(message.AsSpan(Smb2Header.Size), 0x50, 0, 512 * 1024, (ulong)i * 512 * 1024, file, 0, 0, 0);
            Smb2Header.WriteRequest(message, Smb2Command.Read, 8, 1, Smb2HeaderFlags.None, first + (ulong)(8 * i), tree,
                c.SessionId);
            await c.SendRawAsync(message);
        }
        await c.DisposeAsync(); // gone before reading any response
        var files = Files(server);
        await WaitUntilAsync(() => files.Pool is not null && files.InFlight == 0 && files.Pool.Available == files.Pool.Count,
            "buffers of responses never sent go back to the pool");
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Read_OfRangeLockedByAnother_FileLockConflict()
    {
        await using var server = StartOnOneLoop();
        var (c1, tree1, h1, _) = await FileWithDataAsync(server, 10_000);
        var (c2, tree2) = await server.TreeConnectAsync(TestServer.ShareName);
        var (s2, h2, _) = await c2.CreateAsync(tree2, "ring.dat");
        Assert.That(s2, Is.EqualTo(NtStatus.Success));
        Assert.That(await c2.LockRangeAsync(tree2, h2, 100, 10, LockElement.FlagExclusiveLock), Is.EqualTo(NtStatus.Success));
        Assert.That((await c1.ReadAsync(tree1, h1, 0, 1000)).Status, Is.EqualTo(NtStatus.FileLockConflict));
        Assert.That((await c1.ReadAsync(tree1, h1, 200, 1000)).Status, Is.EqualTo(NtStatus.Success));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        // Polls state the loop thread changes; the fixture's CancelAfter bounds the wait.
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(20);
        Assert.That(condition(), Is.True, what);
    }
}
