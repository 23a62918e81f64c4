using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.2.4 signature checks and 3.3.4.1.1 response signing over the real server.</summary>
[CancelAfter(30_000)]
public class SigningTests
{
    private const byte SigningRequired = (byte)(Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired);

    [TestCase(Smb2Dialect.Smb210)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task SessionSetup_ClientRequiresSigning_EveryLaterResponseSignedAndValid(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync(dialect);
        var logon = await ManualLogon.RunAsync(c, TestServer.User, TestServer.Password, SigningRequired);
        Assert.That(logon.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(logon.Final.IsSigned && c.VerifySignature(logon.Final), Is.True, "final SESSION_SETUP response");

        c.SignRequests = true;
        var responses = new List<(string What, Smb2Response Response)>();
        var tc = await c.SendAsync(Smb2Command.TreeConnect, b => TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$")));
        responses.Add(("TREE_CONNECT", tc));
        uint tree = tc.TreeId;
        var create = await c.SendAsync(Smb2Command.Create, b => CreateRequest.Write(b, 0, 2, 0x0012019F, 0, 3, 1, 0, "srvsvc", default), tree);
        responses.Add(("CREATE", create));
        CreateResponse.TryParse(create.Message, out var cr);
        var fileId = cr.FileId;
        responses.Add(("ECHO", await c.SendAsync(Smb2Command.Echo, EchoRequest.Write)));
        responses.Add(("CLOSE", await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, fileId), tree)));
        responses.Add(("CLOSE again (error)", await c.SendAsync(Smb2Command.Close, b => CloseRequest.Write(b, 0, fileId), tree)));
        responses.Add(("TREE_DISCONNECT", await c.SendAsync(Smb2Command.TreeDisconnect, TreeDisconnectRequest.Write, tree)));

        Assert.Multiple(() =>
        {
            foreach (var (what, r) in responses)
                Assert.That(r.IsSigned && c.VerifySignature(r), Is.True, $"{what} ({r.Status.ToStatusName()}) signed and valid");
        });
        Assert.That(responses[4].Response.Status, Is.EqualTo(NtStatus.FileClosed));
    }

    [Test]
    public async Task SessionSetup_ClientRequiresSigning_UnsignedRequestFailsWithAccessDenied()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        await ManualLogon.RunAsync(c, TestServer.User, TestServer.Password, SigningRequired);

        var (status, _, _) = await c.TreeConnectAsync(TestServer.Unc("IPC$"));

        Assert.That(status, Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public async Task Negotiate_ServerSigningMandatory_AdvertisesSigningRequired()
    {
        await using var server = TestServer.Start(new GlobalConfig { ServerSigning = SigningPolicy.Mandatory });

        var response = await server.Connect().NegotiateAsync(TestServer.AllDialects);

        Assert.That(NegotiateResponse.TryParse(response.Message, out var n), Is.True);
        Assert.That(n.SecurityMode, Is.EqualTo(Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired));
    }

    [TestCase(Smb2Dialect.Smb202)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task TreeConnect_UnsignedAfterLogonWithServerSigningMandatory_FailsWithAccessDenied(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start(new GlobalConfig { ServerSigning = SigningPolicy.Mandatory });
        var c = await server.NegotiateAsync(dialect);
        var logon = await ManualLogon.RunAsync(c, TestServer.User, TestServer.Password);
        Assert.That(logon.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(logon.Final.IsSigned && c.VerifySignature(logon.Final), Is.True, "final SESSION_SETUP response signed");

        var unsigned = await c.SendAsync(Smb2Command.TreeConnect, b => TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$")));
        var signed = await c.SendAsync(Smb2Command.TreeConnect, b => TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$")),
            sign: true);

        Assert.That(unsigned.Status, Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(signed.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(c.VerifySignature(signed), Is.True);
    }

    [TestCase(Smb2Dialect.Smb210)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task Dispatcher_SignedRequestWithCorruptedSignature_FailsWithAccessDeniedUnsigned(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync(dialect);
        var request = Messages.Sign(Messages.TreeConnect(c.NextMessageId, c.SessionId, TestServer.Unc("IPC$")), c);
        request[Smb2Header.SignatureOffset + 3] ^= 0x01;

        await c.SendRawAsync(request);
        var frame = await c.ReceiveFrameAsync();

        Assert.That(frame, Is.Not.Null);
        Assert.That(Messages.StatusOf(frame!), Is.EqualTo(NtStatus.AccessDenied));
        Assert.That(Smb2Header.TryParse(frame, out var h) && h.IsSigned, Is.False);
    }

    [TestCase(Smb2Dialect.Smb202, SigningAlgorithm.HmacSha256)]
    [TestCase(Smb2Dialect.Smb210, SigningAlgorithm.HmacSha256)]
    [TestCase(Smb2Dialect.Smb300, SigningAlgorithm.AesCmac)]
    [TestCase(Smb2Dialect.Smb302, SigningAlgorithm.AesCmac)]
    public async Task Dispatcher_SignedRequest_ResponseSignedWithDialectAlgorithm(Smb2Dialect dialect, SigningAlgorithm algorithm)
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync(dialect);
        Assert.That(c.SigningAlgorithm, Is.EqualTo(algorithm));

        var echo = await c.SendAsync(Smb2Command.Echo, EchoRequest.Write, sign: true);

        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(echo.IsSigned, Is.True);
        Assert.That(Smb2Signer.Verify(echo.Message, algorithm, c.SigningKey), Is.True);
        var other = algorithm == SigningAlgorithm.AesCmac ? SigningAlgorithm.HmacSha256 : SigningAlgorithm.AesCmac;
        Assert.That(Smb2Signer.Verify(echo.Message, other, c.SigningKey), Is.False, "and not under the other algorithm");
    }
}
