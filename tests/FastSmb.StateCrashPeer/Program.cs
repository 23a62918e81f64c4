using FastSmb.Control.State;
using FastSmb.Datapath.State;

// The child side of StateStoreCrashTests. Usage: FastSmb.StateCrashPeer <state dir> stream|held
//   stream: 8 writers commit persistent opens without end (checkpoints every 200 ms, lazy lease updates between);
//           after each commit completes it prints "C <pfid> <CreateGuid>". The test kills it mid-stream.
//   held:   commits 10 opens (printing each), checkpoints, writes a lease lazily, then holds the log's commits and
//           starts 5 more commits ("P <pfid> <CreateGuid>" once appended), prints "READY" and waits to be killed.
// Every line is flushed before the next step, so a line the test has read is an acknowledgment it may rely on.

if (args.Length != 2) return 2;
var output = Console.Out;
var gate = new Lock();
void Say(string line)
{
    lock (gate)
    {
        output.WriteLine(line);
        output.Flush();
    }
}

var store = FasterServerStateStore.Open(new StateStoreOptions(args[0])
{
    CheckpointInterval = args[1] == "stream" ? TimeSpan.FromMilliseconds(200) : TimeSpan.Zero,
});

OpenGlobalRecord NewOpen(ulong id, Guid client) => new()
{
    PersistentFileId = id, CreateGuid = Guid.NewGuid(), ClientGuid = client, LeaseKey = Guid.NewGuid(), OplockLevel = 0xff,
    Owner = "bench", ShareName = "ca", Path = $"f{id}", IsPersistent = true, DurableTimeoutMs = 120_000, GrantedAccess = 0x12019f,
};

var clientGuid = Guid.NewGuid();
if (args[1] == "stream")
{
    Say("STARTED");
    await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
    {
        for (long i = 0; ; i++)
        {
            var open = NewOpen(store.AllocatePersistentFileId(), clientGuid);
            store.UpsertLease(new LeaseGlobalRecord { ClientGuid = clientGuid, LeaseKey = open.LeaseKey, LeaseState = 7, Version = 2 });
            await store.CommitOpenAsync(open);
            Say($"C {open.PersistentFileId} {open.CreateGuid}");
            if (i % 3 == 0) store.UpsertOpen(open with { Locks = [new LockRecord((ulong)i, 10, true)], Sequence = 1 });
        }
    })));
    return 0;
}
if (args[1] == "held")
{
    for (int i = 0; i < 10; i++)
    {
        var open = NewOpen(store.AllocatePersistentFileId(), clientGuid);
        await store.CommitOpenAsync(open);
        Say($"C {open.PersistentFileId} {open.CreateGuid}");
    }
    await store.CheckpointAsync();
    var pendingIds = Enumerable.Range(0, 5).Select(_ => store.AllocatePersistentFileId()).ToArray();
    store.CommitLogForTests.HoldCommitsForTests = true;
    var pending = new List<Task>();
    foreach (var id in pendingIds)
    {
        var open = NewOpen(id, clientGuid);
        pending.Add(store.CommitOpenAsync(open).AsTask());
        Say($"P {open.PersistentFileId} {open.CreateGuid}");
    }
    Say("READY");
    await Task.Delay(Timeout.Infinite);
}
return 2;
