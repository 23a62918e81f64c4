namespace FastSmb.Interop.Tests.Support;

public class ExternalToolTests
{
    [Test]
    public void Run_ExitCodeAndBothStreams_Captured()
    {
        var result = ExternalTool.Run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(30));

        Assert.That(result, Has.Property(nameof(ToolResult.ExitCode)).EqualTo(3)
            .And.Property(nameof(ToolResult.StdOut)).EqualTo("out\n")
            .And.Property(nameof(ToolResult.StdErr)).EqualTo("err\n")
            .And.Property(nameof(ToolResult.TimedOut)).False);
    }

    [Test]
    public void Run_PastTimeout_KillsProcessTree()
    {
        // the shell's child sleeps too: both must be gone, or the pipes would stay open
        var result = ExternalTool.Run("/bin/sh", ["-c", "sleep 60 & sleep 60; echo never"], TimeSpan.FromMilliseconds(500));

        Assert.That(result.TimedOut, Is.True);
        Assert.That(result.StdOut, Does.Not.Contain("never"));
        Assert.That(result.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public void Run_Environment_SetAndRemoved()
    {
        var result = ExternalTool.Run("/bin/sh", ["-c", "echo \"$A|${HOME-unset}|$LC_ALL\""],
            new Dictionary<string, string?> { ["A"] = "x y", ["HOME"] = null }, TimeSpan.FromSeconds(30));

        Assert.That(result.StdOut, Is.EqualTo("x y|unset|C\n"));
    }

    [Test]
    public void Run_MissingProgram_ThrowsNamingTheInstaller()
    {
        Assert.That(() => ExternalTool.Run("/nonexistent/tool", [], TimeSpan.FromSeconds(5)),
            Throws.InvalidOperationException.With.Message.Contains("install-test-deps.sh"));
    }
}
