using FastSmb.Interop.Tests.Support;

namespace FastSmb.Interop.Tests.Peers;

/// <summary>
/// One server for every test in this namespace: the real `fastsmb serve`, started once before them and killed
/// after them, or the server named by FASTSMB_TEST_TARGET=host:port:user:password (for instance the reference
/// Samba of scripts/reference-samba.sh, to check these tests against a known-good server).
/// </summary>
[SetUpFixture]
public sealed class FastSmbServerFixture
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);
    private static FastSmbServerProcess? s_server;
    private static ServerTarget? s_target;

    /// <summary>The server under test; set by the time any test of this namespace runs.</summary>
    public static ServerTarget Target => s_target ?? throw new InvalidOperationException("no server: FastSmbServerFixture has not run");

    /// <summary>The data dir of the fastsmb serve this fixture started; null when testing an external server.</summary>
    public static string? DataDir => s_server?.DataDir;

    [OneTimeSetUp]
    public void StartServer()
    {
        var overridden = Environment.GetEnvironmentVariable(ServerTarget.EnvironmentVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            if (!ServerTarget.TryParse(overridden, out var target))
            {
                throw new ArgumentException($"{ServerTarget.EnvironmentVariable} must be host:port:user:password, got '{overridden}'");
            }
            s_target = target;
            TestContext.Progress.WriteLine($"interop tests against {target} ({ServerTarget.EnvironmentVariable})");
            return;
        }

        s_server = FastSmbServerProcess.Start(FastSmbPaths.FastSmbDll, s_readyTimeout);
        s_target = s_server.Target;
        TestContext.Progress.WriteLine($"interop tests against fastsmb serve on {s_target} (data dir {s_server.DataDir})");
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        if (s_server is null)
        {
            return;
        }
        var output = s_server.Output;
        s_server.Dispose();
        s_server = null;
        // Keep what the server printed next to the test results.
        var log = Path.Combine(TestContext.CurrentContext.WorkDirectory, "fastsmb-serve.log");
        File.WriteAllText(log, output);
        TestContext.Progress.WriteLine($"fastsmb serve output: {log}");
    }
}
