using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace FastSmb.Interop.Tests.Support;

/// <summary>
/// The real server, `dotnet fastsmb.dll serve`, as a child process on a free loopback port with a fresh data
/// directory and a random password. Owned by the set-up fixture that starts it; not thread-safe.
/// </summary>
/// <remarks>
/// The child must not outlive the test run, even when the test host is killed (a hang timeout, Ctrl-C, a CI
/// job cancelled): it is started through <c>setpriv --pdeathsig KILL</c>, so the kernel kills it when the thread
/// that forked it dies. That thread is therefore a dedicated one that lives until <see cref="Dispose"/> (a pool
/// thread could retire under it); Dispose itself kills the whole process tree.
/// </remarks>
public sealed class FastSmbServerProcess : IDisposable
{
    public const string UserName = "tester";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly ManualResetEventSlim _release = new();
    private readonly string _dataDir;
    private bool _disposed;

    private FastSmbServerProcess(Process process, string dataDir, ServerTarget target)
    {
        _process = process;
        _dataDir = dataDir;
        Target = target;
    }

    public ServerTarget Target { get; }

    public string DataDir => _dataDir;

    /// <summary>What the server printed so far (stdout and stderr interleaved, each line tagged).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the server and waits until its port accepts TCP connections. Throws, with everything the server
    /// printed, when it exits first or is not listening after <paramref name="readyTimeout"/>.
    /// <paramref name="config"/>, given the data directory, returns a fastsmb.conf to write there first (the
    /// server then uses it instead of creating its default one).
    /// </summary>
    /// <remarks>With <paramref name="dataDir"/> and <paramref name="password"/> the server starts again on the data
    /// directory of one that was killed (<see cref="KillHard"/>), with the same account.</remarks>
    public static FastSmbServerProcess Start(string fastSmbDll, TimeSpan readyTimeout, Func<string, string>? config = null,
        string? dataDir = null, string? password = null)
    {
        if (!File.Exists(fastSmbDll))
        {
            throw new FileNotFoundException(
                $"{fastSmbDll} does not exist: build src/Cli (the test project's ProjectReference does) or set FASTSMB_DLL", fastSmbDll);
        }
        var port = FreeLoopbackPort();
        password ??= "Pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        dataDir ??= Directory.CreateTempSubdirectory("fastsmb-interop-").FullName;
        if (config is not null)
        {
            File.WriteAllText(Path.Combine(dataDir, "fastsmb.conf"), config(dataDir));
        }
        var target = new ServerTarget("127.0.0.1", port, UserName, password);

        // DOTNET_HOST_PATH is the dotnet that runs `dotnet test`; use the same one for the server.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        string[] serve = [dotnet, fastSmbDll, "serve", "--listen", target.Host, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDir];
        const string setpriv = "/usr/bin/setpriv";
        var argv = File.Exists(setpriv) ? [setpriv, "--pdeathsig", "KILL", "--", .. serve] : serve;

        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["FASTSMB_USER"] = UserName;
        psi.Environment["FASTSMB_PASSWORD"] = password;

        var server = new FastSmbServerProcess(new Process { StartInfo = psi }, dataDir, target);
        try
        {
            server.Append($"$ {string.Join(' ', argv)}   (FASTSMB_USER={UserName} FASTSMB_PASSWORD=***)");
            server.StartOnOwnThread();
            server.WaitUntilListening(readyTimeout);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void StartOnOwnThread()
    {
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Append("out: " + e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Append("err: " + e.Data); };
        Exception? failure = null;
        using var started = new ManualResetEventSlim();
        var parent = new Thread(() =>
        {
            try
            {
                _process.Start();
            }
            catch (Exception e)
            {
                failure = e;
                started.Set();
                return;
            }
            started.Set();
            _release.Wait();   // the child's pdeathsig is tied to this thread: keep it alive until Dispose
        })
        { IsBackground = true, Name = "fastsmb-server-parent" };
        parent.Start();
        started.Wait();
        if (failure is not null)
        {
            throw new InvalidOperationException($"cannot start {_process.StartInfo.FileName}: {failure.Message}", failure);
        }
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    private void WaitUntilListening(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();   // flush the output events
                throw new InvalidOperationException(
                    $"fastsmb serve exited with code {_process.ExitCode} before listening on {Target.Host}:{Target.Port}\n{Output}");
            }
            if (AcceptsTcp(Target.Host, Target.Port))
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"fastsmb serve did not accept TCP connections on {Target.Host}:{Target.Port} within {timeout.TotalSeconds:0} s\n{Output}");
            }
            Thread.Sleep(100);
        }
    }

    private static bool AcceptsTcp(string host, int port)
    {
        using var client = new TcpClient();
        try
        {
            return client.ConnectAsync(IPAddress.Parse(host), port).Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        // The port is free now; nothing else on this machine is expected to grab it before the server binds it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    /// <summary>SIGKILL (a crash: no checkpoint, no last commit), leaving the data directory for a restart.</summary>
    public void KillHard()
    {
        _keepDataDir = true;
        ExternalTool.KillTree(_process);
        _process.WaitForExit(10_000);
    }

    private bool _keepDataDir;

    /// <summary>Kills the server and everything it started, and deletes its data directory.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        try
        {
            if (!_process.HasExited)
            {
                ExternalTool.KillTree(_process);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _release.Set();
        _process.Dispose();
        if (_keepDataDir)
        {
            return;
        }
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp directory
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
