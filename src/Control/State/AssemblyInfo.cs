using System.Runtime.CompilerServices;

// The crash tests' child process holds the log's commits to stop between an append and its commit.
[assembly: InternalsVisibleTo("FastSmb.StateCrashPeer")]
[assembly: InternalsVisibleTo("FastSmb.Perf")]
