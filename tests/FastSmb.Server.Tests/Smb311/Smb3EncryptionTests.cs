using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Server.Tests.Smb311;

/// <summary>
/// 3.1.1 logon (the preauth hash must agree on both ends, or the client rejects the final SESSION_SETUP signature),
/// and SMB 3.x encryption: per session, per share, failures.
/// </summary>
public class Smb3EncryptionTests
{
    private const uint ShareFlagEncryptData = 0x8000;
    private const uint ClientCapEncryption = (uint)Smb2GlobalCapabilities.Encryption;

    private static async Task<Smb2ClientConnection> LogonAsync(Smb311TestServer server, Smb2Dialect dialect,
        Action<Smb2ClientConnection>? configure = null)
    {
        var c = server.Connect();
        configure?.Invoke(c);
        var negotiate = await c.NegotiateAsync([dialect], capabilities: ClientCapEncryption);
        Assert.That(negotiate.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await c.LogonAsync(Smb311TestServer.User, Smb311TestServer.Password), Is.EqualTo(NtStatus.Success));
        return c;
    }

    [TestCase(SigningAlgorithm.AesGmac)]
    [TestCase(SigningAlgorithm.AesCmac)]
    [TestCase(SigningAlgorithm.HmacSha256)]
    public async Task Logon311_SigningAlgorithm_FinalResponseAndTreeConnectSigned(SigningAlgorithm algorithm)
    {
        await using var server = new Smb311TestServer();
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311, c => c.OfferedSigningAlgorithms = [algorithm]);
        Assert.That(c.SigningAlgorithm, Is.EqualTo(algorithm));
        // LogonAsync verified the final SESSION_SETUP signature with the key derived from the client's preauth hash.

        c.SignRequests = true;
        var (status, _, _) = await c.TreeConnectAsync(@"\\fastsmb\IPC$");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Logon311_SignedRequestWithWrongSignature_AccessDenied()
    {
        await using var server = new Smb311TestServer();
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311);
        var response = await c.SendAsync(Smb2Command.TreeConnect,
            body => TreeConnectRequest.Write(body, 0, @"\\fastsmb\IPC$"), flags: Smb2HeaderFlags.Signed, sign: false);
        Assert.That(response.Status, Is.EqualTo(NtStatus.AccessDenied));
    }

    [TestCase(Smb2Dialect.Smb311, Smb2CipherId.Aes128Gcm)]
    [TestCase(Smb2Dialect.Smb311, Smb2CipherId.Aes256Gcm)]
    [TestCase(Smb2Dialect.Smb311, Smb2CipherId.Aes128Ccm)]
    [TestCase(Smb2Dialect.Smb311, Smb2CipherId.Aes256Ccm)]
    [TestCase(Smb2Dialect.Smb302, Smb2CipherId.Aes128Ccm)]
    [TestCase(Smb2Dialect.Smb300, Smb2CipherId.Aes128Ccm)]
    public async Task EncryptedRequests_EachCipher_AnsweredEncrypted(Smb2Dialect dialect, Smb2CipherId cipher)
    {
        await using var server = new Smb311TestServer();
        await using var c = await LogonAsync(server, dialect, c => c.OfferedCiphers = [cipher]);
        Assert.That(c.CipherId, Is.EqualTo(cipher));

        c.EncryptRequests = true;
        var (status, treeId, _) = await c.TreeConnectAsync(@"\\fastsmb\IPC$");
        Assert.That(status, Is.EqualTo(NtStatus.Success));
        Assert.That(c.LastResponseEncrypted, Is.True);
        var (open, _) = await c.OpenPipeAsync(treeId, "srvsvc");
        Assert.That(open, Is.EqualTo(NtStatus.Success));
        Assert.That(c.LastResponseEncrypted, Is.True);
    }

    [Test]
    public async Task EncryptedRequest_TamperedTag_Disconnects()
    {
        await using var server = new Smb311TestServer();
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311);
        var frame = await SealedTreeConnect(c);
        frame[10] ^= 0xFF;
        await c.SendRawAsync(frame);
        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
    }

    [Test]
    public async Task EncryptedRequest_UnknownSession_Disconnects()
    {
        await using var server = new Smb311TestServer();
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311);
        var frame = await SealedTreeConnect(c);
        frame[44] ^= 0x01; // SessionId
        await c.SendRawAsync(frame);
        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
    }

    [Test]
    public async Task EncryptedRequest_Truncated_Disconnects()
    {
        await using var server = new Smb311TestServer();
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311);
        var frame = await SealedTreeConnect(c);
        await c.SendRawAsync(frame.AsMemory(0, frame.Length - 1));
        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
    }

    [Test]
    public async Task TransformBeforeLogon_Disconnects()
    {
        await using var server = new Smb311TestServer();
        await using var c = server.Connect();
        await c.NegotiateAsync([Smb2Dialect.Smb311]);
        var frame = new byte[52 + 64];
        Protocol.Smb2.Transform.TransformHeader.Write(frame, new byte[12], 64, 1);
        await c.SendRawAsync(frame);
        Assert.That(await c.ReceiveFrameAsync(), Is.Null);
    }

    [Test]
    public async Task RequiredShare_Smb311_FlagSetAndPlainTextRefused()
    {
        await using var server = new Smb311TestServer(secretShare: EncryptionPolicy.Required);
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311);
        var response = await c.SendAsync(Smb2Command.TreeConnect, body => TreeConnectRequest.Write(body, 0, @"\\fastsmb\secret"));
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(ShareFlags(response.Message) & ShareFlagEncryptData, Is.EqualTo(ShareFlagEncryptData));
        uint treeId = response.TreeId;

        var plain = await c.SendAsync(Smb2Command.Create, Create, treeId);
        Assert.That(plain.Status, Is.EqualTo(NtStatus.AccessDenied));

        c.EncryptRequests = true;
        var encrypted = await c.SendAsync(Smb2Command.Create, Create, treeId);
        Assert.That(encrypted.Status, Is.Not.EqualTo(NtStatus.AccessDenied), "encrypted requests reach the handler");
        Assert.That(c.LastResponseEncrypted, Is.True);
    }

    [Test]
    public async Task RequiredShare_Smb21Client_AccessDenied()
    {
        await using var server = new Smb311TestServer(secretShare: EncryptionPolicy.Required);
        await using var c = await LogonAsync(server, Smb2Dialect.Smb210);
        var (status, _, _) = await c.TreeConnectAsync(@"\\fastsmb\secret");
        Assert.That(status, Is.EqualTo(NtStatus.AccessDenied));
        var (other, _, _) = await c.TreeConnectAsync(@"\\fastsmb\share");
        Assert.That(other, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task RequiredShare_Smb30ClientWithoutEncryptionCapability_AccessDenied()
    {
        await using var server = new Smb311TestServer(secretShare: EncryptionPolicy.Required);
        await using var c = server.Connect();
        await c.NegotiateAsync([Smb2Dialect.Smb300], capabilities: 0);
        Assert.That(await c.LogonAsync(Smb311TestServer.User, Smb311TestServer.Password), Is.EqualTo(NtStatus.Success));
        var (status, _, _) = await c.TreeConnectAsync(@"\\fastsmb\secret");
        Assert.That(status, Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public async Task DesiredShare_Smb21Client_AllowedWithoutFlag()
    {
        await using var server = new Smb311TestServer(secretShare: EncryptionPolicy.Desired);
        await using var c = await LogonAsync(server, Smb2Dialect.Smb210);
        var response = await c.SendAsync(Smb2Command.TreeConnect, body => TreeConnectRequest.Write(body, 0, @"\\fastsmb\secret"));
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(ShareFlags(response.Message) & ShareFlagEncryptData, Is.Zero);
    }

    [Test]
    public async Task GlobalRequired_Smb311_SessionFlagAndPlainTextRefused()
    {
        await using var server = new Smb311TestServer(global: EncryptionPolicy.Required, secretShare: EncryptionPolicy.Default);
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311);
        Assert.That(c.EncryptRequests, Is.True, "SMB2_SESSION_FLAG_ENCRYPT_DATA turned the client's encryption on");

        c.EncryptRequests = false;
        c.SignRequests = true;
        var (plain, _, _) = await c.TreeConnectAsync(@"\\fastsmb\IPC$");
        Assert.That(plain, Is.EqualTo(NtStatus.AccessDenied));

        c.EncryptRequests = true;
        var (encrypted, _, _) = await c.TreeConnectAsync(@"\\fastsmb\IPC$");
        Assert.That(encrypted, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task GlobalRequired_Smb21Client_LogonAccessDenied()
    {
        await using var server = new Smb311TestServer(global: EncryptionPolicy.Required, secretShare: EncryptionPolicy.Default);
        await using var c = server.Connect();
        await c.NegotiateAsync([Smb2Dialect.Smb210]);
        Assert.That(await c.LogonAsync(Smb311TestServer.User, Smb311TestServer.Password), Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public async Task EncryptedCompound_TwoEchoes_OneEncryptedResponseChain()
    {
        await using var server = new Smb311TestServer();
        await using var c = await LogonAsync(server, Smb2Dialect.Smb311);
        // Two ECHOs in one chain, sent inside one TRANSFORM message.
        var chain = new byte[2 * 72];
        for (int i = 0; i < 2; i++)
        {
            var m = chain.AsSpan(i * 72, 68);
            Smb2Header.WriteRequest(m, Smb2Command.Echo, 1, 1, Smb2HeaderFlags.None, c.NextMessageId + (ulong)i, 0, c.SessionId);
            EchoRequest.Write(m[64..]);
            if (i == 0) Smb2Header.SetNextCommand(m, 72);
        }
        await c.SendEncryptedAsync(chain.AsMemory(0, 72 + 68));
        var first = await c.ReceiveAsync();
        Assert.That(c.LastResponseEncrypted, Is.True);
        Assert.That(first.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(first.Header.NextCommand, Is.Not.Zero, "both responses came back in one encrypted chain");
    }

    private static int Create(Span<byte> body) =>
        CreateRequest.Write(body, 0, 2, 0x0012019F, 0, 3, 1, 0, "file.txt", default);

    /// <summary>An encrypted TREE_CONNECT to IPC$, ready to send (and to corrupt).</summary>
    private static Task<byte[]> SealedTreeConnect(Smb2ClientConnection c)
    {
        var message = new byte[64 + 256];
        int n = TreeConnectRequest.Write(message.AsSpan(64), 0, @"\\fastsmb\IPC$");
        Smb2Header.WriteRequest(message, Smb2Command.TreeConnect, 1, 1, Smb2HeaderFlags.None, c.NextMessageId, 0, c.SessionId);
        return Task.FromResult(c.Seal(message.AsSpan(0, 64 + n)));
    }

    private static uint ShareFlags(byte[] message) => TreeConnectResponse.TryParse(message, out var r) ? r.ShareFlags : 0;
}
