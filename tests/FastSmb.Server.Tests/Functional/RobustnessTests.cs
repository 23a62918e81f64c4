using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Malformed input over the real server: each case gets STATUS_INVALID_PARAMETER or a disconnect, as the
/// dispatcher intends, the connection never dies of an exception, and the server keeps serving new clients.
/// </summary>
[CancelAfter(120_000)]
public class RobustnessTests
{
    [Test]
    public async Task Dispatcher_TruncatedHeader_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        await c.SendRawAsync(Messages.Echo(c.NextMessageId)[..40]);

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_HeaderStructureSizeNot64_Disconnects()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        var echo = Messages.Echo(c.NextMessageId);
        BinaryPrimitives.WriteUInt16LittleEndian(echo.AsSpan(4), 65);

        await c.SendRawAsync(echo);

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_BodyStructureSizeWrong_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        var response = await c.SendAsync(Smb2Command.Echo, b => { BinaryPrimitives.WriteUInt32LittleEndian(b, 5); return 4; });

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.SendAsync(Smb2Command.Echo, EchoRequest.Write)).Status, Is.EqualTo(NtStatus.Success),
            "the connection stays usable");
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_BodyShorterThanFixedPart_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();

        // TREE_CONNECT says StructureSize 9 (8 fixed bytes) but only 4 body bytes follow the header.
        var response = await c.SendAsync(Smb2Command.TreeConnect, b => { BinaryPrimitives.WriteUInt32LittleEndian(b, 9); return 4; });

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_BufferOffsetBeyondMessage_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();

        var response = await c.SendAsync(Smb2Command.TreeConnect, b =>
        {
            int n = TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$"));
            BinaryPrimitives.WriteUInt16LittleEndian(b[4..], 0x1000); // PathOffset far past the end
            return n;
        });

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_BufferLengthBeyondMessage_FailsWithInvalidParameter()
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();

        var response = await c.SendAsync(Smb2Command.SessionSetup, b =>
        {
            int n = SessionSetupRequest.Write(b, 0, 1, 0, 0, new byte[8]);
            BinaryPrimitives.WriteUInt16LittleEndian(b[14..], 0x7000); // SecurityBufferLength
            return n;
        });

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
        await server.AssertStillServingAsync();
    }

    [TestCase(70u, TestName = "Dispatcher_NextCommandUnaligned_Disconnects")]
    [TestCase(4096u, TestName = "Dispatcher_NextCommandPastTheEnd_Disconnects")]
    [TestCase(32u, TestName = "Dispatcher_NextCommandInsideTheHeader_Disconnects")]
    public async Task Dispatcher_BadNextCommand_Disconnects(uint nextCommand)
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        var chain = Messages.Compound(false, Messages.Echo(c.NextMessageId), Messages.Echo(c.NextMessageId + 1));
        Smb2Header.SetNextCommand(chain, nextCommand);

        await c.SendRawAsync(chain);

        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_UnknownCommandCode_FailsWithInvalidParameterAndKeepsConnection()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        var response = await c.SendAsync((Smb2Command)0x0013, EchoRequest.Write);

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That((await c.SendAsync(Smb2Command.Echo, EchoRequest.Write)).Status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task ConnectionOwner_FrameNotStartingWithZero_Disconnects()
    {
        await using var server = TestServer.Start();
        var stream = server.OpenStream();

        // A NetBIOS session request (0x81), which Direct TCP on 445 does not speak.
        await stream.WriteAsync(new byte[] { 0x81, 0x00, 0x00, 0x44, 0x20, 0x43, 0x4B, 0x41 });

        Assert.That(await stream.ReadAsync(new byte[4]), Is.Zero);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task ConnectionOwner_ZeroLengthFrame_Disconnects()
    {
        await using var server = TestServer.Start();
        var stream = server.OpenStream();

        await stream.WriteAsync(new byte[4]);

        Assert.That(await stream.ReadAsync(new byte[4]), Is.Zero);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task ConnectionOwner_FrameLongerThanMaxMessage_Disconnects()
    {
        await using var server = TestServer.Start();
        var stream = server.OpenStream();

        await stream.WriteAsync(new byte[] { 0x00, 0xFF, 0xFF, 0xFF, 0xFE, (byte)'S', (byte)'M', (byte)'B' });

        Assert.That(await stream.ReadAsync(new byte[4]), Is.Zero);
        await server.AssertStillServingAsync();
    }

    [Test]
    public async Task Dispatcher_RandomBytesAsFirstMessage_Disconnects()
    {
        await using var server = TestServer.Start();
        var random = new Random(4451);
        for (int i = 0; i < 20; i++)
        {
            var c = server.Connect();
            var garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            garbage[0] = 0x42; // neither 0xFF 'SMB' nor 0xFE 'SMB'

            await c.SendRawAsync(garbage);

            Assert.That(await c.ReceiveFrameAsync(), Is.Null, $"iteration {i}");
        }
        await server.AssertStillServingAsync();
    }

    /// <summary>
    /// A valid SESSION_SETUP (first NTLM leg) or TREE_CONNECT, corrupted at random: a few bytes overwritten,
    /// sometimes truncated or extended. Whatever the server does (answer or disconnect), no connection may die of
    /// an exception, and an ECHO sent afterwards gets an answer or a disconnect, never silence.
    /// </summary>
    [TestCase(Smb2Command.SessionSetup, 20240601)]
    [TestCase(Smb2Command.TreeConnect, 20240602)]
    public async Task Dispatcher_RandomCorruptionsOfValidRequest_NeverCrashNorHang(Smb2Command command, int seed)
    {
        await using var server = TestServer.Start();
        var random = new Random(seed);
        const int Iterations = 200;
        int answered = 0, dropped = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var c = command == Smb2Command.SessionSetup ? await server.NegotiateAsync() : await server.LogonAsync();
            ulong id = c.NextMessageId;
            var valid = command == Smb2Command.SessionSetup
                ? FirstSessionSetupLeg(id)
                : Messages.TreeConnect(id, c.SessionId, TestServer.Unc("IPC$"));
            var corrupt = Corrupt(valid, random);

            await c.SendRawAsync(corrupt);
            await c.SendRawAsync(Messages.Echo(id + 1));
            bool closed = false;
            for (int frames = 0; frames < 2; frames++)
            {
                var frame = await c.ReceiveFrameAsync();
                if (frame is null) { closed = true; break; }
                Assert.That(Smb2Header.TryParse(frame, out var response) && (response.Flags & Smb2HeaderFlags.ServerToRedir) != 0,
                    Is.True, $"iteration {i}: every frame is an SMB2 response, got {Convert.ToHexString(frame)}");
                if (response.Command == Smb2Command.Echo && response.MessageId == id + 1) break;
            }
            if (closed) dropped++; else answered++;
            await c.DisposeAsync();
            Assert.That(server.Log.Failures, Is.Empty, $"iteration {i}: {Convert.ToHexString(corrupt)}");
        }
        TestContext.Out.WriteLine($"{command}: {answered} answered, {dropped} dropped");
        await server.AssertStillServingAsync();
    }

    private static byte[] FirstSessionSetupLeg(ulong messageId)
    {
        var initiator = new SpnegoNtlmInitiator(new NtlmClient(TestServer.User, TestServer.Password, "WORKGROUP", "CLIENT"));
        initiator.Step(default, out var token);
        return Messages.Build(Smb2Command.SessionSetup, messageId, b => SessionSetupRequest.Write(b, 0, 1, 0, 0, token));
    }

    private static byte[] Corrupt(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.Next(10))
        {
            case 0:
                return bytes[..random.Next(1, bytes.Length)]; // truncated anywhere
            case 1:
                var longer = new byte[bytes.Length + random.Next(1, 64)];
                random.NextBytes(longer);
                bytes.CopyTo(longer, 0);
                return longer; // trailing junk
        }
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            // Mostly in the header and fixed body, where the checks are; sometimes anywhere.
            int pos = random.Next(3) == 0 ? random.Next(bytes.Length) : random.Next(Math.Min(bytes.Length, Smb2Header.Size + 24));
            if (pos < 4) pos = 4; // keep the protocol id so the SMB2 paths, not only the "not SMB2" one, are exercised
            bytes[pos] = random.Next(4) switch
            {
                0 => 0x00,
                1 => 0xFF,
                2 => (byte)(bytes[pos] ^ (1 << random.Next(8))),
                _ => (byte)random.Next(256),
            };
        }
        return bytes;
    }
}
