using System.Reflection;

namespace FastSmb.Interop.Tests.Support;

/// <summary>Where the files the interop tests use live.</summary>
public static class FastSmbPaths
{
    /// <summary>
    /// fastsmb.dll as built by the ProjectReference in FastSmb.Interop.Tests.csproj (same configuration as the
    /// tests), or the file named by env FASTSMB_DLL.
    /// </summary>
    public static string FastSmbDll
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("FASTSMB_DLL");
            if (!string.IsNullOrEmpty(overridden))
            {
                return Path.GetFullPath(overridden);
            }
            var built = typeof(FastSmbPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "FastSmbDll")?.Value
                ?? throw new InvalidOperationException("the test assembly carries no FastSmbDll metadata (see the csproj)");
            return Path.GetFullPath(built);
        }
    }

    /// <summary>A file copied next to the test assembly (scripts/…).</summary>
    public static string TestFile(string relativePath) =>
        Path.Combine(AppContext.BaseDirectory, relativePath);

    /// <summary>
    /// A client smb.conf holding only [global] (scripts/client.conf), passed to Samba's tools with -s so that the
    /// machine's /etc/samba/smb.conf never changes what they do.
    /// </summary>
    public static string ClientConf => TestFile("scripts/client.conf");
}
