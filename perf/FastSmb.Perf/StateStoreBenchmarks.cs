using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastSmb.Control.State;
using FastSmb.Datapath.State;

namespace FastSmb.Perf;

/// <summary>
/// CommitOpenAsync of the FASTER state store: the cost a CREATE granting a persistent handle pays before its response,
/// with <see cref="Writers"/> CREATEs in flight at once (group commit: they share log commits). One invocation is
/// one round of Writers concurrent commits; the figure per operation is per commit. Runs on the temp directory's
/// file system, whose fsync cost decides the result.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class StateStoreBenchmarks
{
    private string _dir = "";
    private FasterServerStateStore _store = null!;
    private OpenGlobalRecord _template = null!;
    private readonly List<Task> _tasks = [];

    [Params(1, 8, 64)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "fastsmb-bench-state-" + Guid.NewGuid().ToString("N"));
        _store = FasterServerStateStore.Open(new StateStoreOptions(_dir));
        _template = new OpenGlobalRecord
        {
            PersistentFileId = 1, ClientGuid = Guid.NewGuid(), Owner = "bench", ShareName = "ca", Path = "dir\\file.txt",
            IsPersistent = true, DurableTimeoutMs = 60_000, GrantedAccess = 0x12019f, OplockLevel = 0xff, LeaseKey = Guid.NewGuid(),
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// log commits: {_store.LogCommits}");
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public void CommitOpen()
    {
        _tasks.Clear();
        for (int i = 0; i < Writers; i++)
        {
            var open = _template with { PersistentFileId = _store.AllocatePersistentFileId(), CreateGuid = Guid.NewGuid() };
            _tasks.Add(_store.CommitOpenAsync(open).AsTask());
        }
        Task.WaitAll(_tasks);
    }
}
