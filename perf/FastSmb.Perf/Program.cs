using BenchmarkDotNet.Running;

// Micro-benchmarks for codecs, crypto and handlers (no sockets). Run:
//   dotnet run -c Release --project perf/FastSmb.Perf -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
