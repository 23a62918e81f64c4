using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace FastSmb.Interop.Tests.Support;

/// <summary>What one run of an external program did.</summary>
public sealed record ToolResult(string CommandLine, int ExitCode, string StdOut, string StdErr, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>stdout and stderr together, for searching a tool's messages wherever it printed them.</summary>
    public string Output => StdOut + StdErr;

    /// <summary>Everything a reader of a failed assertion needs to see.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("$ ").AppendLine(CommandLine);
        sb.Append(TimedOut ? "timed out, killed" : $"exit code {ExitCode}").Append(" after ")
          .Append(Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)).AppendLine(" s");
        sb.AppendLine("--- stdout ---").AppendLine(StdOut.TrimEnd());
        sb.AppendLine("--- stderr ---").AppendLine(StdErr.TrimEnd());
        return sb.ToString();
    }
}

/// <summary>
/// Runs third-party programs (smbclient, rpcclient, smbtorture, python) with a hard time limit.
/// Stateless; safe to call from any thread.
/// </summary>
public static class ExternalTool
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/> (no shell), stdin closed, LC_ALL=C so messages are
    /// the untranslated ones, plus <paramref name="env"/> (a null value removes a variable). Past
    /// <paramref name="timeout"/> the process and its children are killed and <see cref="ToolResult.TimedOut"/> is set.
    /// A program that cannot be started is an error (the test command installs every tool the tests use),
    /// reported as <see cref="InvalidOperationException"/> naming the installer.
    /// </summary>
    public static ToolResult Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["LC_ALL"] = "C";
        if (env is not null)
        {
            foreach (var (key, value) in env)
            {
                if (value is null)
                {
                    psi.Environment.Remove(key);
                }
                else
                {
                    psi.Environment[key] = value;
                }
            }
        }

        var commandLine = string.Join(' ', psi.ArgumentList.Prepend(file).Select(Quote));
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"cannot run {file} ({e.Message}); scripts/install-test-deps.sh installs the tools the interop tests use", e);
        }
        process.StandardInput.Close();
        // Read both pipes concurrently: a tool blocked on a full stderr pipe would otherwise never exit.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        var timedOut = !process.WaitForExit(timeout);
        if (timedOut)
        {
            KillTree(process);
        }
        process.WaitForExit();
        // A grandchild that outlived the kill may hold the pipes open; do not wait for it forever.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(10));
        clock.Stop();
        return new ToolResult(
            commandLine,
            timedOut ? -1 : process.ExitCode,
            stdout.IsCompletedSuccessfully ? stdout.Result : "",
            stderr.IsCompletedSuccessfully ? stderr.Result : "",
            timedOut,
            clock.Elapsed);
    }

    /// <summary>Runs with the environment unchanged (besides LC_ALL=C).</summary>
    public static ToolResult Run(string file, IEnumerable<string> args, TimeSpan timeout) => Run(file, args, null, timeout);

    internal static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited in the meantime
        }
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,%@+".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
