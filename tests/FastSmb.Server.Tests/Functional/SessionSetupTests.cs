using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Server.Tests.Functional.Support;

namespace FastSmb.Server.Tests.Functional;

/// <summary>[MS-SMB2] 3.3.5.5 SESSION_SETUP, 3.3.5.6 LOGOFF and 3.3.5.2.9 session verification over the real server.</summary>
[CancelAfter(30_000)]
public class SessionSetupTests
{
    [TestCase(Smb2Dialect.Smb300)]
    [TestCase(Smb2Dialect.Smb302)]
    public async Task SessionSetup_RightPasswordOnSmb3_SucceedsWithFinalResponseSignedUnderDerivedKey(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync(dialect);

        var logon = await ManualLogon.RunAsync(c, TestServer.User, TestServer.Password);

        Assert.That(logon.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(logon.Responses[0].Status, Is.EqualTo(NtStatus.MoreProcessingRequired));
        Assert.That(logon.Responses[0].IsSigned, Is.False, "no key exists yet for the first leg");
        Assert.That(logon.Final.IsSigned, Is.True, "[MS-SMB2] 3.3.5.5.3: a 3.x server signs the final SESSION_SETUP response");
        Assert.That(c.VerifySignature(logon.Final), Is.True, "signature valid under the client's AES-CMAC key");
        Assert.That(SessionSetupResponse.TryParse(logon.Final.Message, out var setup) ? setup.SessionFlags : default,
            Is.EqualTo(Smb2SessionFlags.None));
        Assert.That(server.Log.Logons, Does.Contain($"{TestServer.User} {dialect}"));
    }

    [TestCase(Smb2Dialect.Smb202)]
    [TestCase(Smb2Dialect.Smb210)]
    public async Task SessionSetup_RightPasswordOnSmb2_SucceedsUnsignedWhenSigningNotRequired(Smb2Dialect dialect)
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync(dialect);

        var logon = await ManualLogon.RunAsync(c, TestServer.User, TestServer.Password);

        Assert.That(logon.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(logon.Final.IsSigned, Is.False);
        Assert.That((await c.TreeConnectAsync(TestServer.Unc("IPC$"))).Status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public async Task SessionSetup_WrongPassword_FailsWithLogonFailure()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        var status = await c.LogonAsync(TestServer.User, "not-the-password");

        Assert.That(status, Is.EqualTo(NtStatus.LogonFailure));
        Assert.That(server.Log.LogonFailures, Is.EqualTo(new[] { NtStatus.LogonFailure }));
    }

    [Test]
    public async Task SessionSetup_UnknownUser_FailsWithLogonFailure()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        Assert.That(await c.LogonAsync("nobody", TestServer.Password), Is.EqualTo(NtStatus.LogonFailure));
    }

    [Test]
    public async Task SessionSetup_FailedLogon_SessionIdNoLongerUsable()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        await c.LogonAsync(TestServer.User, "not-the-password");

        var (status, _, _) = await c.TreeConnectAsync(TestServer.Unc("IPC$"));

        Assert.That(status, Is.EqualTo(NtStatus.UserSessionDeleted));
    }

    [Test]
    public async Task SessionSetup_Anonymous_SucceedsAsNullSessionReachingIpcButNotDiskShare()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        var logon = await ManualLogon.RunAsync(c, null, "");

        Assert.That(logon.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(SessionSetupResponse.TryParse(logon.Final.Message, out var setup), Is.True);
        Assert.That(setup.SessionFlags, Is.EqualTo(Smb2SessionFlags.IsNull));
        Assert.That(logon.Final.IsSigned, Is.False, "a null session has no key to sign with");
        Assert.That((await c.TreeConnectAsync(TestServer.Unc("IPC$"))).Status, Is.EqualTo(NtStatus.Success));
        Assert.That((await c.TreeConnectAsync(TestServer.Unc(TestServer.ShareName))).Status, Is.EqualTo(NtStatus.AccessDenied));
    }

    [Test]
    public async Task TreeConnect_SessionStillInProgress_FailsWithUserSessionDeleted()
    {
        // [MS-SMB2] 3.3.5.2.9: on an InProgress session only LOGOFF, CLOSE and LOCK proceed; anything else fails
        // "with an implementation-specific error code". FastSmb answers STATUS_USER_SESSION_DELETED, as for an
        // unknown session.
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        var firstLeg = await ManualLogon.RunAsync(c, TestServer.User, TestServer.Password, stopAfterLegs: 1);
        Assert.That(firstLeg.Final.Status, Is.EqualTo(NtStatus.MoreProcessingRequired));

        var (status, _, _) = await c.TreeConnectAsync(TestServer.Unc("IPC$"));

        Assert.That(status, Is.EqualTo(NtStatus.UserSessionDeleted));
    }

    [Test]
    public async Task Logoff_SessionStillInProgress_Succeeds()
    {
        // [MS-SMB2] 3.3.5.2.9: "If Session.State is InProgress, the server MUST continue to process the SMB2
        // LOGOFF, SMB2 CLOSE, and SMB2 LOCK commands."
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();
        await ManualLogon.RunAsync(c, TestServer.User, TestServer.Password, stopAfterLegs: 1);

        var logoff = await c.SendAsync(Smb2Command.Logoff, LogoffRequest.Write);

        Assert.That(logoff.Status, Is.EqualTo(NtStatus.Success));
        Assert.That((await c.TreeConnectAsync(TestServer.Unc("IPC$"))).Status, Is.EqualTo(NtStatus.UserSessionDeleted));
    }

    [Test]
    public async Task Dispatcher_UnknownSessionId_FailsWithUserSessionDeleted()
    {
        await using var server = TestServer.Start();
        var c = await server.LogonAsync();
        c.SessionId ^= 0x5A5A;

        var response = await c.SendAsync(Smb2Command.TreeConnect, b => TreeConnectRequest.Write(b, 0, TestServer.Unc("IPC$")));

        Assert.That(response.Status, Is.EqualTo(NtStatus.UserSessionDeleted));
        Assert.That(response.IsSigned, Is.False);
    }

    [Test]
    public async Task Dispatcher_SessionOfAnotherConnection_FailsWithUserSessionDeleted()
    {
        await using var server = TestServer.Start();
        var owner = await server.LogonAsync();
        var other = await server.LogonAsync();
        other.SessionId = owner.SessionId;

        var (status, _, _) = await other.TreeConnectAsync(TestServer.Unc("IPC$"));

        Assert.That(status, Is.EqualTo(NtStatus.UserSessionDeleted));
    }

    [Test]
    public async Task Logoff_ThenRequestOnThatSession_FailsWithUserSessionDeleted()
    {
        await using var server = TestServer.Start();
        var (c, tree) = await server.TreeConnectAsync("IPC$");

        c.SignRequests = true;
        var logoff = await c.SendAsync(Smb2Command.Logoff, LogoffRequest.Write);
        c.SignRequests = false;
        Assert.That(logoff.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(logoff.IsSigned && c.VerifySignature(logoff), Is.True, "a signed LOGOFF is answered signed with the ending session's key");

        Assert.That((await c.TreeConnectAsync(TestServer.Unc("IPC$"))).Status, Is.EqualTo(NtStatus.UserSessionDeleted));
        Assert.That((await c.OpenPipeAsync(tree, "srvsvc")).Status, Is.EqualTo(NtStatus.UserSessionDeleted));
    }

    [Test]
    public async Task Echo_BeforeSessionSetup_Succeeds()
    {
        await using var server = TestServer.Start();
        var c = await server.NegotiateAsync();

        var echo = await c.SendAsync(Smb2Command.Echo, EchoRequest.Write);

        Assert.That(echo.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(echo.Command, Is.EqualTo(Smb2Command.Echo));
        Assert.That(EchoResponse.TryParse(echo.Message, out _), Is.True);
    }
}
