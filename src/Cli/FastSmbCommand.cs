using System.CommandLine;

namespace FastSmb.Cli;

/// <summary>The `fastsmb` command tree. Each subcommand lives in its own file.</summary>
public static class FastSmbCommand
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("FastSmb: an SMB 2/3 file server for Linux")
        {
            ServeCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
