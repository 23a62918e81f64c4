using System.Diagnostics;
using System.Runtime.Versioning;
using FastSmb.Control.Identity;
using FastSmb.Datapath.Identity;

namespace FastSmb.Server.Tests.Support;

/// <summary>
/// System accounts for the identity tests (fastsmb-test-a, -b, group fastsmb-test-g), created with useradd/groupadd
/// when missing and kept afterwards (they own nothing but the tests' temporary files). Needs root, as CI is: a
/// test that calls <see cref="RequireRoot"/> fails with a clear message otherwise, never silently passes.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class UnixTestAccounts
{
    public const string A = "fastsmb-test-a", B = "fastsmb-test-b", Group = "fastsmb-test-g";

    public static void RequireRoot()
    {
        if (!ThreadCredentials.CanSwitch)
            Assert.Fail($"the identity tests run file operations as other Unix users and need root (this runs as uid "
                + $"{ThreadCredentials.Server.Uid}); CI runs them as root: sudo dotnet test, or run them in the CI container");
    }

    /// <summary>Creates the accounts and the group once; returns them as the system reports them.</summary>
    public static (UnixAccount A, UnixAccount B, uint Group) Ensure()
    {
        RequireRoot();
        if (!UnixAccounts.TryGetGroupId(Group, out _)) Run("groupadd", "--system", Group);
        foreach (var name in new[] { A, B })
            if (!UnixAccounts.TryGetByName(name, out _)) Run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
        Assert.That(UnixAccounts.TryGetByName(A, out var a), Is.True, "test account " + A);
        Assert.That(UnixAccounts.TryGetByName(B, out var b), Is.True, "test account " + B);
        Assert.That(UnixAccounts.TryGetGroupId(Group, out uint g), Is.True, "test group");
        return (a, b, g);
    }

    /// <summary>A temporary directory everyone may create files in (mkdtemp makes them 0700).</summary>
    public static string OpenDirectory(string prefix)
    {
        var path = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(path, (UnixFileMode)0x1FF);
        return path;
    }

    public static (uint Uid, uint Gid) Owner(string path)
    {
        Assert.That(UnixAccounts.TryGetOwner(path, out uint uid, out uint gid), Is.True, "statx " + path);
        return (uid, gid);
    }

    /// <summary>The fsuid/fsgid (fourth field of the Uid:/Gid: lines) and the Groups: line of every thread of this
    /// process, from /proc/self/task/*/status.</summary>
    public static List<(string Task, string Uid, string Gid, string Groups)> AllThreadCredentials()
    {
        var list = new List<(string, string, string, string)>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string[] lines;
            try { lines = File.ReadAllLines(Path.Combine(task, "status")); }
            catch (IOException) { continue; } // the thread ended meanwhile
            string Field(string key) => lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?[key.Length..].Trim() ?? "";
            list.Add((Path.GetFileName(task), Field("Uid:"), Field("Gid:"), Field("Groups:")));
        }
        return list;
    }

    private static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        // 9: the name exists (another test run created it concurrently).
        if (p.ExitCode is not (0 or 9)) Assert.Fail($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {err}");
    }
}
