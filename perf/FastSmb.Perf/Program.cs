using BenchmarkDotNet.Running;

// Micro-benchmarks for codecs, crypto and handlers (no sockets). Run:
//   dotnet run -c Release --project perf/FastSmb.Perf -- --filter '*'
// The idle-connection memory measurement against a running server (perf/idle-connections.sh):
//   dotnet run -c Release --project perf/FastSmb.Perf -- idle-connections --port P --pid PID --user U --password P
if (args.Length > 0 && args[0] == "idle-connections")
    return await FastSmb.Perf.IdleConnections.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
