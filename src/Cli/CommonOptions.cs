using System.CommandLine;

namespace FastSmb.Cli;

/// <summary>Options every admin command takes.</summary>
internal static class CommonOptions
{
    public const string DefaultDataDir = "fastsmb-data";

    public static Option<string> DataDir() =>
        new("--data-dir") { Description = "Data directory (config, directory store, admin socket)", DefaultValueFactory = _ => DefaultDataDir };

    public static Option<string?> Config() =>
        new("--config") { Description = "Config file (default: DATA_DIR/smb.conf)" };
}
