using FastSmb.Control.Config;
using FastSmb.Control.State;
using FastSmb.Datapath.State;

namespace FastSmb.Control.Hosting;

/// <summary>Picks and opens the server's state store from "fastsmb state store" (docs/state.md).</summary>
public static class StateStoreFactory
{
    /// <summary>
    /// FASTER under <paramref name="stateDirectory"/> when configured, or by default when the folder can be created
    /// and written; memory when configured, or (with a notice) when the default cannot write. An explicit "faster"
    /// that cannot open is an error (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>,
    /// <see cref="StateStoreLockedException"/>, <see cref="StateStoreFormatException"/>).
    /// </summary>
    public static IServerStateStore Open(GlobalConfig global, string stateDirectory, Action<string> notice)
    {
        var kind = global.StateStore ?? (IsWritable(stateDirectory) ? StateStoreKind.Faster : StateStoreKind.Memory);
        if (kind == StateStoreKind.Memory)
        {
            if (global.StateStore is null)
                notice($"state store: {stateDirectory} is not writable; keeping state in memory (persistent handles will not survive a restart)");
            return new InMemoryServerStateStore();
        }
        var store = FasterServerStateStore.Open(new StateStoreOptions(stateDirectory) { Warn = notice });
        var r = store.Recovery;
        if (r.PersistentOpensKept + r.DurableOpensDropped + r.LogEntriesReplayed > 0 || store.CorruptRecordsSkipped > 0)
            notice($"state store {stateDirectory}: {r.PersistentOpensKept} persistent open(s) kept, {r.DurableOpensDropped} durable open(s) " +
                $"dropped, {r.LogEntriesReplayed} log entr(ies) replayed, {store.CorruptRecordsSkipped} corrupt record(s) skipped");
        return store;
    }

    private static bool IsWritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, ".write-probe");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
