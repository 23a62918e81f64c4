using System.CommandLine;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;

namespace FastSmb.Cli;

/// <summary>
/// `fastsmb config check`: like Samba's testparm, reads the config, prints warnings and errors (with file and line)
/// on standard error and the effective configuration on standard output; exit 1 on any error.
/// </summary>
public static class ConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var dataDir = CommonOptions.DataDir();
        var config = CommonOptions.Config();
        var check = new Command("check", "Check the config file and print the effective configuration") { dataDir, config };
        check.SetAction(parse => Check(console, parse.GetValue(dataDir)!, parse.GetValue(config)));
        return new Command("config", "Configuration") { check };
    }

    public static int Check(CliConsole console, string dataDir, string? configPath)
    {
        var path = DataDir.At(dataDir).ResolveConfig(configPath, out bool legacy);
        if (legacy) console.Error.WriteLine($"fastsmb: warning: using the old file name {path}; rename it to {DataDir.ConfigFileName}");
        var parsed = SmbConfParser.ParseFile(path);
        console.Error.WriteLine($"Loaded {path}");
        foreach (var w in parsed.Warnings) console.Error.WriteLine($"warning: {w}");
        foreach (var e in parsed.Errors) console.Error.WriteLine($"error: {e}");
        if (parsed.Config is null)
        {
            console.Error.WriteLine($"{parsed.Errors.Count} error(s): the server would not start with this file");
            return 1;
        }
        foreach (var s in parsed.Config.Shares.Where(s => !Directory.Exists(s.Path)))
            console.Error.WriteLine($"warning: share [{s.Name}]: {s.Path} does not exist");
        console.Error.WriteLine("Loaded services file OK.");
        console.Out.Write(SmbConfWriter.Format(parsed.Config));
        return 0;
    }
}
