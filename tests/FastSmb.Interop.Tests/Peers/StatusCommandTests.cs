using System.Net.Sockets;
using System.Text.Json;
using FastSmb.Client.Smb2;
using FastSmb.Control.Admin;
using FastSmb.Datapath.Sessions.Status;
using FastSmb.Interop.Tests.Support;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// `fastsmb status` (a second `dotnet fastsmb.dll` process on the running server's admin socket) against what FastSmb's
/// client library did over TCP: the session, its tree connect and a durable open; then, with the client gone, the
/// open disconnected with the time the scavenger still gives it.
/// </summary>
[CancelAfter(120_000)]
public class StatusCommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static string DataDirOrIgnore() =>
        FastSmbServerFixture.DataDir ?? throw new IgnoreException("fastsmb status needs the fastsmb serve this fixture started");

    private static ToolResult Fastsmb(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return ExternalTool.Run(dotnet, [FastSmbPaths.FastSmbDll, .. args], s_timeout);
    }

    private static ServerStatus StatusJson(string dataDir)
    {
        var run = Fastsmb("status", "--json", "--data-dir", dataDir);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        return JsonSerializer.Deserialize(run.StdOut, AdminJson.Default.ServerStatus)
            ?? throw new AssertionException("`fastsmb status --json` printed null\n" + run);
    }

    [Test]
    public async Task StatusJson_ShowsSessionTreeAndDurableOpen_ThenTheDisconnectedOpenWithTimeLeft()
    {
        var dataDir = DataDirOrIgnore();
        var target = FastSmbServerFixture.Target;
        const uint timeoutMs = 120_000;
        string name = $"status-{Guid.NewGuid():N}.txt";

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(target.Host, target.Port);
        var client = new Smb2ClientConnection(tcp.GetStream());
        Assert.That((await client.NegotiateAsync([Smb2Dialect.Smb311], clientGuid: Guid.NewGuid())).Status, Is.EqualTo(NtStatus.Success));
        Assert.That(await client.LogonAsync(target.User, target.Password), Is.EqualTo(NtStatus.Success));
        var (tc, tree, _) = await client.TreeConnectAsync($@"\\{target.Host}\{ServerTarget.ShareName}");
        Assert.That(tc, Is.EqualTo(NtStatus.Success));
        var open = await client.CreateDurableAsync(tree, name, Guid.NewGuid(), timeoutMs, Guid.NewGuid());
        Assert.That((open.Status, open.DurableV2), Is.EqualTo((NtStatus.Success, true)));
        ulong sessionId = client.SessionId;

        var live = StatusJson(dataDir);
        var session = live.Sessions.SingleOrDefault(s => s.SessionId == sessionId);
        Assert.That(session, Is.Not.Null, "the session is listed");
        Assert.That((session!.User, session.Dialect, session.State), Is.EqualTo((target.User, "SMB3_11", "valid")));
        Assert.That(session.ClientAddress, Does.EndWith($":{((System.Net.IPEndPoint)tcp.Client.LocalEndPoint!).Port}"), "the client's address and port");
        Assert.That(live.TreeConnects.Where(t => t.SessionId == sessionId).Select(t => (t.TreeId, t.Share)),
            Is.EqualTo(new[] { (tree, ServerTarget.ShareName) }));
        var file = live.Opens.Single(o => o.PersistentFileId == open.FileId.Persistent);
        Assert.That((file.SessionId, file.Path, file.Durable, file.Disconnected, file.Caching),
            Is.EqualTo((sessionId, name, true, false, "lease(RWH)")));

        // The client goes without a LOGOFF: the durable open stays, disconnected, for its timeout.
        await client.DisposeAsync();
        tcp.Close();
        var gone = StatusJson(dataDir);
        for (int attempt = 0; attempt < 100 && !gone.Opens.Any(o => o.PersistentFileId == open.FileId.Persistent && o.Disconnected); attempt++)
        {
            await Task.Delay(100);
            gone = StatusJson(dataDir);
        }
        var kept = gone.Opens.Single(o => o.PersistentFileId == open.FileId.Persistent);
        Assert.That((kept.Disconnected, kept.Durable, kept.Path), Is.EqualTo((true, true, name)));
        Assert.That(kept.TimeLeftMs, Is.GreaterThan(0).And.LessThanOrEqualTo(open.TimeoutMs));
        Assert.That(gone.Sessions.Any(s => s.SessionId == sessionId), Is.False, "the session ended with its connection");

        // The text form names the open and its time left.
        var text = Fastsmb("status", "-L", "--data-dir", dataDir);
        Assert.That(text.ExitCode, Is.Zero, text.ToString());
        Assert.That(text.StdOut, Does.Match($@"{name}\s.*durable\s+disconnected, \d+\.\ds left"), text.ToString());
    }

    [Test]
    public void Status_NoServer_SaysSoAndExits1()
    {
        var empty = Directory.CreateTempSubdirectory("fastsmb-status-").FullName;
        try
        {
            var run = Fastsmb("status", "--data-dir", empty);
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.StdErr, Does.Contain("no server is running"), run.ToString());
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
