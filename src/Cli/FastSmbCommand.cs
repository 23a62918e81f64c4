using System.CommandLine;

namespace FastSmb.Cli;

/// <summary>The `fastsmb` command tree. Each subcommand lives in its own file.</summary>
public static class FastSmbCommand
{
    public static int Run(string[] args) => Run(args, CliConsole.System);

    /// <summary>Runs a command line against <paramref name="console"/> (the tests run commands in-process).</summary>
    public static int Run(string[] args, CliConsole console)
    {
        var root = new RootCommand("FastSmb: an SMB 2/3 file server for Linux")
        {
            ServeCommand.Create(console),
            ConfigCommand.Create(console),
            UserCommand.Create(console),
            GroupCommand.Create(console),
            ShareCommand.Create(console),
            StatusCommand.Create(console),
            BenchCommand.Create(console),
            RdmaProxyCommand.Create(console),
        };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
    }
}
