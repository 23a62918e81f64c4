using System.Collections.Concurrent;
using FastSmb.Datapath.State;
using FASTER.core;
using FastSmb.Control.Storage;

namespace FastSmb.Control.State;

/// <summary>The state store was written in a format this build does not read; the message says what to do.</summary>
public sealed class StateStoreFormatException(string message) : Exception(message);

/// <summary>Another process (normally the running `fastsmb serve`) holds the state store.</summary>
public sealed class StateStoreLockedException(string message) : Exception(message);

/// <summary>
/// <see cref="IServerStateStore"/> over FASTER, under DATA_DIR/state/: the session_global, tcon_global, open_global
/// and lease tables in one FasterKV (SpanByte keys tagged by table, values in <see cref="StateRecordCodec"/>'s
/// format, a version record per table), and a FasterLog (<see cref="OpenCommitLog"/>) for persistent opens.
/// <para>
/// Durability (docs/state.md): Upsert/Remove write the KV, which a fold-over checkpoint makes durable every
/// <see cref="StateStoreOptions.CheckpointInterval"/> and at shutdown. <see cref="CommitOpenAsync"/> also appends
/// the record to the FasterLog and completes after a group commit; every later change of a persistent open (and
/// its removal) is appended too, so after a crash the last checkpoint plus the log written after it rebuild every
/// persistent open as it was last committed.
/// </para>
/// <para>
/// Reads are served from a memory index of the tables, which recovery fills from the KV and the log; FASTER holds
/// what must survive the process. One key is written by one owner at a time (the core that owns the open or session),
/// so the index and the KV see one key's writes in the same order. Thread-safe; KV sessions come from a pool, so a
/// session is used by one thread at a time.
/// </para>
/// </summary>
public sealed partial class FasterServerStateStore : IServerStateStore
{
    /// <summary>The record format this build writes in every table; bump with any change to the codec's layouts.</summary>
    public const uint FormatVersion = 1;

    /// <summary>PersistentFileIds are reserved this many at a time, each reservation committed to the log.</summary>
    public const ulong FileIdBlock = 1 << 16;

    private const char ReservedFileIdsMeta = 'R', LogCoveredMeta = 'C';
    private const int MaxPooledSessions = 16;

    private readonly StateStoreOptions _options;
    private readonly FileStream _lock;
    private readonly IDevice _kvDevice;
    private readonly FasterKV<SpanByte, SpanByte> _kv;
    private readonly OpenCommitLog _log;
    private readonly SpanByteTable _table;

    private readonly ConcurrentDictionary<ulong, OpenGlobalRecord> _opens = new();
    private readonly ConcurrentDictionary<Guid, ulong> _opensByCreateGuid = new();
    private readonly ConcurrentDictionary<ulong, SessionGlobalRecord> _sessionTable = new();
    private readonly ConcurrentDictionary<(ulong, uint), TreeConnectGlobalRecord> _trees = new();
    private readonly ConcurrentDictionary<(Guid, Guid), LeaseGlobalRecord> _leases = new();

    private readonly Lock _reserveGate = new();
    private long _nextFileId;
    private long _reservedUntil;

    private readonly SemaphoreSlim _checkpointGate = new(1, 1);
    private readonly Timer _checkpointTimer;
    private long _changes, _checkpointedChanges = -1;
    private bool _disposed;

    private FasterServerStateStore(StateStoreOptions options, FileStream lockFile)
    {
        _options = options;
        _lock = lockFile;
        Path = options.Directory;
        _kvDevice = Devices.CreateLogDevice(System.IO.Path.Combine(Path, "kv", "hlog"), preallocateFile: false,
            deleteOnClose: false, recoverDevice: true);
        _kv = new FasterKV<SpanByte, SpanByte>(
            1L << 14,
            new LogSettings { LogDevice = _kvDevice, PageSizeBits = 16, MemorySizeBits = options.KvMemorySizeBits, SegmentSizeBits = options.LogSegmentSizeBits },
            new CheckpointSettings { CheckpointDir = System.IO.Path.Combine(Path, "kv", "checkpoints"), RemoveOutdated = true });
        _table = new SpanByteTable(_kv, MaxPooledSessions, this);
        _log = new OpenCommitLog(System.IO.Path.Combine(Path, "log"), options.LogSegmentSizeBits);
        _checkpointTimer = new Timer(_ => _ = PeriodicCheckpointAsync());
    }

    /// <summary>The store's folder (DATA_DIR/state).</summary>
    public string Path { get; }

    /// <summary>This process's invocation id, written into every table's version record at open.</summary>
    public Guid InvocationId { get; } = Guid.NewGuid();

    /// <summary>The invocation id the version records held at open: the process that wrote the store last
    /// (Guid.Empty for a new store).</summary>
    public Guid PreviousInvocationId { get; private set; }

    /// <summary>Records that failed to decode at recovery (each reported through the options' warning callback).</summary>
    public int CorruptRecordsSkipped { get; private set; }

    /// <summary>What recovery found: opens kept (persistent) and dropped (durable), log entries replayed.</summary>
    public StateRecoverySummary Recovery { get; private set; } = new(0, 0, 0);

    /// <summary>FasterLog commits issued (group commit: far fewer than commit requests under concurrency).</summary>
    public long LogCommits => _log.Commits;

    /// <summary>Checkpoints taken since open.</summary>
    public long Checkpoints { get; private set; }

    internal OpenCommitLog CommitLogForTests => _log;

    /// <summary>
    /// Opens the store at <paramref name="options"/>' directory, creating it when empty, and recovers it: the last
    /// checkpoint, then the log after it; durable opens are dropped and persistent ones marked disconnected (their
    /// timeout counted from now). Throws <see cref="StateStoreLockedException"/> when another process has it open
    /// and <see cref="StateStoreFormatException"/> when it was written in a newer format.
    /// </summary>
    public static FasterServerStateStore Open(StateStoreOptions options)
    {
        options = options with { Directory = System.IO.Path.GetFullPath(options.Directory) };
        System.IO.Directory.CreateDirectory(options.Directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(System.IO.Path.Combine(options.Directory, "LOCK"), FileMode.OpenOrCreate,
                FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new StateStoreLockedException($"the state store {options.Directory} is in use by another process (is fastsmb serve running?)");
        }
        var store = new FasterServerStateStore(options, lockFile);
        try
        {
            store.Recover();
            if (options.CheckpointInterval > TimeSpan.Zero)
                store._checkpointTimer.Change(options.CheckpointInterval, options.CheckpointInterval);
            return store;
        }
        catch
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    // ---- PersistentFileIds ----

    public ulong AllocatePersistentFileId()
    {
        long id = Interlocked.Increment(ref _nextFileId);
        if (id <= Volatile.Read(ref _reservedUntil)) return (ulong)id;
        lock (_reserveGate)
        {
            if (id > _reservedUntil)
            {
                long limit = id + (long)FileIdBlock;
                ReserveFileIds((ulong)limit);
                Volatile.Write(ref _reservedUntil, limit);
            }
        }
        return (ulong)id;
    }

    /// <summary>Records the new high-water mark in the KV and commits it to the log before any id below it is
    /// handed out, so a restart never gives out an id again (rare: once per <see cref="FileIdBlock"/> ids).</summary>
    private void ReserveFileIds(ulong limit)
    {
        KvUpsert(StateRecordCodec.MetaKey(ReservedFileIdsMeta), StateRecordCodec.EncodeNumber(StateBlobKind.Meta, limit));
        _log.AppendAndCommitAsync(StateRecordCodec.EncodeNumber(StateBlobKind.FileIdReserved, limit)).GetAwaiter().GetResult();
    }

    // ---- open_global ----

    public void UpsertOpen(OpenGlobalRecord record)
    {
        var blob = WriteOpen(record);
        // A persistent open's every change goes to the log as well, so replay ends at its latest committed state.
        if (record.IsPersistent) _log.Append(blob);
    }

    public async ValueTask CommitOpenAsync(OpenGlobalRecord record, CancellationToken cancellationToken = default)
    {
        var blob = WriteOpen(record);
        await _log.AppendAndCommitAsync(blob).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>KV first, then (the caller) the log: an entry below a checkpoint's covered address is in that checkpoint.</summary>
    private byte[] WriteOpen(OpenGlobalRecord record)
    {
        var blob = StateRecordCodec.Encode(record);
        KvUpsert(StateRecordCodec.OpenKey(record.PersistentFileId), blob);
        IndexOpen(record);
        return blob;
    }

    private void IndexOpen(OpenGlobalRecord record)
    {
        if (_opens.TryGetValue(record.PersistentFileId, out var old) && old.CreateGuid != record.CreateGuid)
            _opensByCreateGuid.TryRemove(new KeyValuePair<Guid, ulong>(old.CreateGuid, old.PersistentFileId));
        _opens[record.PersistentFileId] = record;
        if (record.CreateGuid != Guid.Empty) _opensByCreateGuid[record.CreateGuid] = record.PersistentFileId;
    }

    private bool UnindexOpen(ulong persistentFileId, out OpenGlobalRecord removed)
    {
        if (!_opens.TryRemove(persistentFileId, out removed!)) return false;
        if (removed.CreateGuid != Guid.Empty)
            _opensByCreateGuid.TryRemove(new KeyValuePair<Guid, ulong>(removed.CreateGuid, persistentFileId));
        return true;
    }

    public bool TryGetOpen(ulong persistentFileId, out OpenGlobalRecord record) => _opens.TryGetValue(persistentFileId, out record!);

    public bool TryFindOpenByCreateGuid(Guid createGuid, out OpenGlobalRecord record)
    {
        record = null!;
        return createGuid != Guid.Empty && _opensByCreateGuid.TryGetValue(createGuid, out var id) && _opens.TryGetValue(id, out record!);
    }

    public void RemoveOpen(ulong persistentFileId)
    {
        KvDelete(StateRecordCodec.OpenKey(persistentFileId));
        if (UnindexOpen(persistentFileId, out var removed) && removed.IsPersistent)
            _log.Append(StateRecordCodec.EncodeNumber(StateBlobKind.OpenDeleted, persistentFileId));
    }

    public IReadOnlyList<OpenGlobalRecord> Opens() => _opens.Values.ToArray();

    // ---- session_global, tcon_global, lease ----

    public void UpsertSession(SessionGlobalRecord record)
    {
        KvUpsert(StateRecordCodec.SessionKey(record.SessionId), StateRecordCodec.Encode(record));
        _sessionTable[record.SessionId] = record;
    }

    public bool TryGetSession(ulong sessionId, out SessionGlobalRecord record) => _sessionTable.TryGetValue(sessionId, out record!);

    public void RemoveSession(ulong sessionId)
    {
        KvDelete(StateRecordCodec.SessionKey(sessionId));
        _sessionTable.TryRemove(sessionId, out _);
    }

    /// <summary>Every session record (`fastsmb status`).</summary>
    public IReadOnlyList<SessionGlobalRecord> Sessions() => _sessionTable.Values.ToArray();

    public void UpsertTreeConnect(TreeConnectGlobalRecord record)
    {
        KvUpsert(StateRecordCodec.TreeConnectKey(record.SessionId, record.TreeId), StateRecordCodec.Encode(record));
        _trees[(record.SessionId, record.TreeId)] = record;
    }

    public void RemoveTreeConnect(ulong sessionId, uint treeId)
    {
        KvDelete(StateRecordCodec.TreeConnectKey(sessionId, treeId));
        _trees.TryRemove((sessionId, treeId), out _);
    }

    /// <summary>Every tree connect record (`fastsmb status`).</summary>
    public IReadOnlyList<TreeConnectGlobalRecord> TreeConnects() => _trees.Values.ToArray();

    public void UpsertLease(LeaseGlobalRecord record)
    {
        KvUpsert(StateRecordCodec.LeaseKey(record.ClientGuid, record.LeaseKey), StateRecordCodec.Encode(record));
        _leases[(record.ClientGuid, record.LeaseKey)] = record;
    }

    public bool TryGetLease(Guid clientGuid, Guid leaseKey, out LeaseGlobalRecord record) =>
        _leases.TryGetValue((clientGuid, leaseKey), out record!);

    public void RemoveLease(Guid clientGuid, Guid leaseKey)
    {
        KvDelete(StateRecordCodec.LeaseKey(clientGuid, leaseKey));
        _leases.TryRemove((clientGuid, leaseKey), out _);
    }

    /// <summary>Every lease record (`fastsmb status`).</summary>
    public IReadOnlyList<LeaseGlobalRecord> Leases() => _leases.Values.ToArray();

    // ---- checkpoints ----

    /// <summary>
    /// A fold-over checkpoint of the KV. Before it, the log's tail is recorded in the KV as the address the
    /// checkpoint covers: every log entry below it was written to the KV first, so recovery replays only the entries
    /// from there, and the log below it is truncated once the checkpoint is on disk.
    /// </summary>
    public async ValueTask CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await _checkpointGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await CheckpointLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    private async ValueTask CheckpointLockedAsync(CancellationToken cancellationToken)
    {
        long changes = Interlocked.Read(ref _changes);
        long covered = _log.TailAddress;
        KvUpsert(StateRecordCodec.MetaKey(LogCoveredMeta), StateRecordCodec.EncodeNumber(StateBlobKind.Meta, (ulong)covered));
        var (ok, _) = await _kv.TakeFullCheckpointAsync(CheckpointType.FoldOver, cancellationToken).ConfigureAwait(false);
        if (!ok) throw new IOException($"the state store {Path} could not take a checkpoint");
        Checkpoints++;
        _checkpointedChanges = changes;
        _log.TruncateBefore(covered);
    }

    private async Task PeriodicCheckpointAsync()
    {
        if (!_checkpointGate.Wait(0)) return;
        try
        {
            Datapath.Identity.ServerIdentityScope.EnsureServerThread();
            if (_disposed || Interlocked.Read(ref _changes) == _checkpointedChanges) return;
            await CheckpointLockedAsync(CancellationToken.None).ConfigureAwait(false);
            await CompactIfWorthItLockedAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The next period tries again; lazily durable state is at risk only until a checkpoint succeeds.
            _options.Warn($"state store checkpoint failed: {e.Message}");
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    /// <summary>Graceful shutdown: a last checkpoint, pending log entries committed, then FASTER closed in order.</summary>
    public async ValueTask DisposeAsync()
    {
        await _checkpointTimer.DisposeAsync().ConfigureAwait(false);
        await _checkpointGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            try
            {
                if (Recovered) await CheckpointLockedAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _options.Warn($"state store checkpoint at shutdown failed: {e.Message}");
            }
            _disposed = true;
            _table.Close();
            await _log.DisposeAsync().ConfigureAwait(false);
            _kv.Dispose();
            _kvDevice.Dispose();
            _lock.Dispose();
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    private bool Recovered { get; set; }

    /// <summary>Tests only: closes FASTER without a checkpoint or a last commit, as a crash would leave the files.</summary>
    internal async ValueTask AbandonForTestsAsync()
    {
        await _checkpointTimer.DisposeAsync().ConfigureAwait(false);
        await _checkpointGate.WaitAsync().ConfigureAwait(false);
        _disposed = true;
        _table.Close();
        await _log.AbandonForTestsAsync().ConfigureAwait(false);
        _kv.Dispose();
        _kvDevice.Dispose();
        _lock.Dispose();
        _checkpointGate.Release();
    }
}

/// <summary>Where the state store lives and how often it checkpoints.</summary>
public sealed partial record StateStoreOptions(string Directory)
{
    /// <summary>How often lazily durable changes are checkpointed (when anything changed); zero: only on demand.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where warnings go (a corrupt record skipped, a failed checkpoint).</summary>
    public Action<string> Warn { get; init; } = _ => { };
}

/// <summary>What a start found in the store.</summary>
public readonly record struct StateRecoverySummary(int PersistentOpensKept, int DurableOpensDropped, int LogEntriesReplayed);
