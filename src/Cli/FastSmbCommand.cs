using System.CommandLine;

namespace FastSmb.Cli;

/// <summary>The `fastsmb` command tree.</summary>
public static class FastSmbCommand
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("FastSmb: an SMB 2/3 file server for Linux");
        return root.Parse(args).Invoke();
    }
}
