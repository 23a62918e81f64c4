return FastSmb.Cli.FastSmbCommand.Run(args);
