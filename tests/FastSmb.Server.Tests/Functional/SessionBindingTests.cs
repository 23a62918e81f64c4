using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>
/// Session binding refused ([MS-SMB2] 3.3.5.5.2): the statuses Windows gives (smbtorture's
/// smb2.session.bind_negative_* pin them) and the bound-to session unharmed afterwards.
/// </summary>
[CancelAfter(30_000)]
public class SessionBindingTests
{
    /// <summary>SMB2_GLOBAL_CAP_MULTI_CHANNEL: a client that wants to bind channels says so in NEGOTIATE.</summary>
    private const uint MultiChannelCapability = (uint)Smb2GlobalCapabilities.MultiChannel;

    private static async Task AssertUnharmedAsync(Smb2ClientConnection owner)
    {
        var echo = await owner.SendAsync(Smb2Command.Echo, EchoRequest.Write);
        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success), "the bound-to session is unharmed");
        var (status, _, _) = await owner.TreeConnectAsync(TestServer.Unc("IPC$"));
        Assert.That(status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Binding_Smb21Connection_RequestNotAccepted()
    {
        await using var server = TestServer.Start();
        var owner = await server.LogonAsync(Smb2Dialect.Smb210);
        var second = await server.NegotiateAsync(Smb2Dialect.Smb210);
        second.SessionId = owner.SessionId;

        var response = await second.SendAsync(Smb2Command.SessionSetup,
            b => SessionSetupRequest.Write(b, SessionSetupRequest.FlagBinding, 1, 0, 0, [0x60, 0x00]));

        Assert.That(response.Status, Is.EqualTo(NtStatus.RequestNotAccepted));
        await AssertUnharmedAsync(owner);
    }

    [TestCase(Smb2Dialect.Smb302)]
    [TestCase(Smb2Dialect.Smb311)]
    public async Task Binding_MultiChannelDisabled_RequestNotAcceptedAndNoCapability(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start(new GlobalConfig { ServerMultiChannelSupport = false });
        var owner = await server.LogonAsync(dialect);
        var guid = Guid.NewGuid();
        var second = server.Connect();
        var negotiate = await second.NegotiateAsync([dialect], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(NegotiateResponse.TryParse(negotiate.Message, out var n), Is.True);
        Assert.That(n.Capabilities & Smb2GlobalCapabilities.MultiChannel, Is.EqualTo(Smb2GlobalCapabilities.None));

        var status = await second.BindAsync(owner, TestServer.User, TestServer.Password);

        Assert.That(status, Is.EqualTo(NtStatus.RequestNotAccepted));
        await AssertUnharmedAsync(owner);
    }

    [Test]
    public async Task Binding_Unsigned_InvalidParameter()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        second.SessionId = owner.SessionId;

        var response = await second.SendAsync(Smb2Command.SessionSetup,
            b => SessionSetupRequest.Write(b, SessionSetupRequest.FlagBinding, 1, 0, 0, [0x60, 0x00]));

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
        await AssertUnharmedAsync(owner);
    }

    [Test]
    public async Task Binding_OtherDialect_InvalidParameter()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb300], clientGuid: guid, capabilities: MultiChannelCapability);

        var response = await BindOnceAsync(second, owner);

        Assert.That(response.Status, Is.EqualTo(NtStatus.InvalidParameter));
        Assert.That(second.VerifySignature(response), Is.True, "the refusal is signed with the session's key");
        await AssertUnharmedAsync(owner);
    }

    [Test]
    public async Task Binding_BadSignature_AccessDenied()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        second.SessionId = owner.SessionId;

        // The signed flag with an all-zero signature.
        var response = await second.SendAsync(Smb2Command.SessionSetup,
            b => SessionSetupRequest.Write(b, SessionSetupRequest.FlagBinding, 1, 0, 0, [0x60, 0x00]),
            flags: Smb2HeaderFlags.Signed, sign: false);

        Assert.That(response.Status, Is.EqualTo(NtStatus.AccessDenied));
        await AssertUnharmedAsync(owner);
    }

    /// <summary>One binding SESSION_SETUP leg, signed with the session's key as a binding client signs it.</summary>
    private static Task<Smb2Response> BindOnceAsync(Smb2ClientConnection channel, Smb2ClientConnection owner)
    {
        channel.BeginBinding(owner);
        return channel.SendAsync(Smb2Command.SessionSetup,
            b => SessionSetupRequest.Write(b, SessionSetupRequest.FlagBinding, 1, 0, 0, [0x60, 0x00]), sign: true);
    }

    [Test]
    public async Task Binding_OtherClientGuid_RequestNotAccepted()
    {
        await using var server = TestServer.Start();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: Guid.NewGuid(), capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: Guid.NewGuid(), capabilities: MultiChannelCapability);

        Assert.That(await second.BindAsync(owner, TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.RequestNotAccepted));
        await AssertUnharmedAsync(owner);
    }

    [Test]
    public async Task Binding_WrongPassword_LogonFailureSessionUnharmedAndRetryWorks()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: guid, capabilities: MultiChannelCapability);

        Assert.That(await second.BindAsync(owner, TestServer.User, "wrong"), Is.EqualTo(NtStatus.LogonFailure));
        await AssertUnharmedAsync(owner);
        // The half-bound connection does not reach the session...
        second.SessionId = owner.SessionId;
        var echo = await second.SendAsync(Smb2Command.TreeConnect, b => TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$")));
        Assert.That(echo.Status, Is.EqualTo(NtStatus.UserSessionDeleted));
        // ...and may bind properly afterwards.
        Assert.That(await second.BindAsync(owner, TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task Binding_AlreadyBoundConnection_RequestNotAccepted()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await second.BindAsync(owner, TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));

        // Binding again, signed with the channel's own key (as the channel now must sign): already a channel.
        var again = await second.SendAsync(Smb2Command.SessionSetup,
            b => SessionSetupRequest.Write(b, SessionSetupRequest.FlagBinding, 1, 0, 0, [0x60, 0x00]), sign: true);
        Assert.That(again.Status, Is.EqualTo(NtStatus.RequestNotAccepted));
    }

    [Test]
    public async Task Binding_33rdChannel_InsufficientResources()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        for (int i = 1; i <= 32; i++)
        {
            var channel = server.Connect();
            await channel.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
            var expected = i < 32 ? NtStatus.Success : NtStatus.InsufficientResources;
            Assert.That(await channel.BindAsync(owner, TestServer.User, TestServer.Password), Is.EqualTo(expected), $"channel {i + 1}");
        }
        await AssertUnharmedAsync(owner);
    }

    [Test]
    public async Task SignedRequest_SessionNotOnThisConnection_UserSessionDeletedWithSignedFlag()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: guid, capabilities: MultiChannelCapability);
        second.BeginBinding(owner); // the session's id and key, but never bound

        var response = await second.SendAsync(Smb2Command.TreeConnect,
            b => TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$")), sign: true);

        Assert.That(response.Status, Is.EqualTo(NtStatus.UserSessionDeleted));
        // Clients that require signing accept this status only with the signed flag (there is no key to sign with).
        Assert.That(Smb2Header.TryParse(response.Message, out var h) && h.IsSigned, Is.True);
    }

    [Test]
    public async Task ReauthOnChannel_SignedWithSessionKey_AccessDeniedSignedWithChannelKey()
    {
        await using var server = TestServer.Start();
        var guid = Guid.NewGuid();
        var owner = server.Connect();
        await owner.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await owner.LogonAsync(TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var second = server.Connect();
        await second.NegotiateAsync([Smb2Dialect.Smb302], clientGuid: guid, capabilities: MultiChannelCapability);
        Assert.That(await second.BindAsync(owner, TestServer.User, TestServer.Password), Is.EqualTo(NtStatus.Success));
        var channelKey = second.SigningKey;

        // A non-binding SESSION_SETUP on the channel signed with the session's key instead of the channel's.
        var message = new byte[Smb2Header.Size + 64];
        Smb2Header.WriteRequest(message, Smb2Command.SessionSetup, 1, 1, Smb2HeaderFlags.Signed, second.NextMessageId, 0,
            second.SessionId);
        int body = SessionSetupRequest.Write(message.AsSpan(Smb2Header.Size), 0, 1, 0, 0, [0x60, 0x00]);
        message = message[..(Smb2Header.Size + body)];
        FastSmb.Protocol.Smb2.Signing.Smb2Signer.Sign(message, owner.SigningAlgorithm, owner.SigningKey);
        await second.SendRawAsync(message);
        var response = await second.ReceiveAsync();

        Assert.That(response.Status, Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(FastSmb.Protocol.Smb2.Signing.Smb2Signer.Verify(response.Message, second.SigningAlgorithm, channelKey), Is.True,
            "signed with the channel's key, so a client requiring signing gets the status instead of dropping the connection");
        await AssertUnharmedAsync(owner);
    }

    [Test]
    public async Task NonBindingSessionSetup_SessionOfAnotherConnection_UserSessionDeleted()
    {
        await using var server = TestServer.Start();
        var owner = await server.LogonAsync(Smb2Dialect.Smb302);
        var second = await server.NegotiateAsync(Smb2Dialect.Smb302);
        second.SessionId = owner.SessionId;

        var response = await second.SendAsync(Smb2Command.SessionSetup,
            b => SessionSetupRequest.Write(b, 0, 1, 0, 0, [0x60, 0x00]));

        Assert.That(response.Status, Is.EqualTo(NtStatus.UserSessionDeleted));
        await AssertUnharmedAsync(owner);
    }
}
