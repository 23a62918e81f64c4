using FastSmb.Datapath.State;
using FASTER.core;

namespace FastSmb.Control.State;

/// <summary>Recovery at open, and the FASTER KV access the tables share.</summary>
public sealed partial class FasterServerStateStore
{
    private static readonly StateTable[] Tables =
        [StateTable.SessionGlobal, StateTable.TreeConnectGlobal, StateTable.OpenGlobal, StateTable.Lease];

    /// <summary>
    /// The last checkpoint (its KV log scanned, the last version of each key winning), then the FasterLog from the
    /// address that checkpoint covers, then the restart rules ([MS-SMB2] 3.3.5.9.7: durable opens do not outlive the
    /// server; persistent opens wait for their client for Open.DurableOpenTimeout from now). A record that does not
    /// decode is reported and skipped. Ends with a checkpoint, so the new state and version records are on disk.
    /// </summary>
    private void Recover()
    {
        var checkpoints = System.IO.Path.Combine(Path, "kv", "checkpoints");
        bool exists = System.IO.Directory.Exists(checkpoints) && System.IO.Directory.EnumerateFileSystemEntries(checkpoints).Any();
        ulong reserved = 0, covered = 0;
        if (exists)
        {
            _kv.Recover();
            var versions = new Dictionary<StateTable, TableVersion>();
            foreach (var (key, value) in LatestKvRecords())
                LoadKvRecord(key, value, versions, ref reserved, ref covered);
            CheckVersions(versions);
        }

        int replayed = 0;
        foreach (var (address, entry) in _log.ReadCommitted((long)covered))
        {
            replayed++;
            ReplayLogEntry(address, entry, ref reserved);
        }

        ApplyRestartRules(replayed);

        // Ids below the high-water mark may have been handed out before the crash: start above it and above every
        // recovered open, and reserve a new block at the first allocation.
        ulong highest = _opens.Keys.DefaultIfEmpty(0UL).Max();
        _nextFileId = (long)Math.Max(reserved, highest);
        _reservedUntil = _nextFileId;

        foreach (var table in Tables)
            KvUpsert(StateRecordCodec.VersionKey(table), StateRecordCodec.Encode(new TableVersion(table, FormatVersion, InvocationId)));
        Recovered = true;
        CheckpointLockedAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private void LoadKvRecord(byte[] key, byte[] value, Dictionary<StateTable, TableVersion> versions, ref ulong reserved, ref ulong covered)
    {
        bool ok;
        switch (key.Length > 0 ? key[0] : (byte)0)
        {
            case (byte)StateTable.OpenGlobal:
                if (ok = StateRecordCodec.TryDecode(value, out OpenGlobalRecord open)) IndexOpen(open);
                break;
            case (byte)StateTable.SessionGlobal:
                if (ok = StateRecordCodec.TryDecode(value, out SessionGlobalRecord session)) _sessionTable[session.SessionId] = session;
                break;
            case (byte)StateTable.TreeConnectGlobal:
                if (ok = StateRecordCodec.TryDecode(value, out TreeConnectGlobalRecord tree)) _trees[(tree.SessionId, tree.TreeId)] = tree;
                break;
            case (byte)StateTable.Lease:
                if (ok = StateRecordCodec.TryDecode(value, out LeaseGlobalRecord lease)) _leases[(lease.ClientGuid, lease.LeaseKey)] = lease;
                break;
            case (byte)'V':
                if (ok = StateRecordCodec.TryDecode(value, out TableVersion version)) versions[version.Table] = version;
                break;
            case (byte)'M' when key.Length == 2:
                ok = StateRecordCodec.TryDecodeNumber(value, StateBlobKind.Meta, out var number);
                if (ok && key[1] == ReservedFileIdsMeta) reserved = Math.Max(reserved, number);
                else if (ok && key[1] == LogCoveredMeta) covered = number;
                break;
            default:
                ok = false;
                break;
        }
        if (!ok) ReportCorrupt($"KV record {Convert.ToHexString(key)} ({value.Length} bytes)");
    }

    /// <summary>A store without version records is not a state store; one from a newer format is not ours to read.</summary>
    private void CheckVersions(Dictionary<StateTable, TableVersion> versions)
    {
        foreach (var table in Tables)
        {
            if (!versions.TryGetValue(table, out var v))
                throw new StateStoreFormatException($"{Path} has no version record for table {table}; it is not a FastSmb state store " +
                    "(or was damaged): move it away to start with empty state");
            if (v.FormatVersion > FormatVersion)
                throw new StateStoreFormatException($"the state store {Path} is format {v.FormatVersion}, written by a newer FastSmb; " +
                    $"this FastSmb reads formats up to {FormatVersion}. Run the newer FastSmb (formats are never downgraded).");
            // Format 1 is the first; a later format converts older records here, table by table, before use.
            PreviousInvocationId = v.InvocationId;
        }
    }

    private void ReplayLogEntry(long address, byte[] entry, ref ulong reserved)
    {
        if (!StateRecordCodec.TryReadHeader(entry, out var kind, out _))
        {
            ReportCorrupt($"log entry at {address} ({entry.Length} bytes)");
            return;
        }
        switch (kind)
        {
            case StateBlobKind.Open when StateRecordCodec.TryDecode(entry, out OpenGlobalRecord open):
                KvUpsert(StateRecordCodec.OpenKey(open.PersistentFileId), entry);
                IndexOpen(open);
                break;
            case StateBlobKind.OpenDeleted when StateRecordCodec.TryDecodeNumber(entry, kind, out var id):
                KvDelete(StateRecordCodec.OpenKey(id));
                UnindexOpen(id, out _);
                break;
            case StateBlobKind.FileIdReserved when StateRecordCodec.TryDecodeNumber(entry, kind, out var limit):
                reserved = Math.Max(reserved, limit);
                break;
            default:
                ReportCorrupt($"log entry at {address} (kind {kind}, {entry.Length} bytes)");
                break;
        }
    }

    /// <summary>
    /// Durable opens are closed by a restart, as on Windows; a persistent open stays, disconnected, until its client
    /// reconnects or its timeout (from now) runs out. Leases, sessions and tree connects stay only while a kept open
    /// refers to them.
    /// </summary>
    private void ApplyRestartRules(int replayed)
    {
        long now = DateTime.UtcNow.Ticks;
        int kept = 0, dropped = 0;
        foreach (var open in _opens.Values.ToArray())
        {
            if (!open.IsPersistent)
            {
                RemoveOpen(open.PersistentFileId);
                dropped++;
                continue;
            }
            kept++;
            var disconnected = open with
            {
                DisconnectedUntilUtcTicks = now + TimeSpan.FromMilliseconds(open.DurableTimeoutMs).Ticks,
                Sequence = open.Sequence + 1,
            };
            KvUpsert(StateRecordCodec.OpenKey(open.PersistentFileId), StateRecordCodec.Encode(disconnected));
            IndexOpen(disconnected);
        }
        var liveOpens = _opens.Values.ToArray();
        foreach (var lease in _leases.Values.ToArray())
        {
            if (!liveOpens.Any(o => o.LeaseKey == lease.LeaseKey && o.ClientGuid == lease.ClientGuid))
                RemoveLease(lease.ClientGuid, lease.LeaseKey);
        }
        foreach (var tree in _trees.Values.ToArray())
        {
            if (!liveOpens.Any(o => o.SessionId == tree.SessionId)) RemoveTreeConnect(tree.SessionId, tree.TreeId);
        }
        foreach (var session in _sessionTable.Values.ToArray())
        {
            if (!liveOpens.Any(o => o.SessionId == session.SessionId)) RemoveSession(session.SessionId);
        }
        Recovery = new StateRecoverySummary(kept, dropped, replayed);
    }

    private void ReportCorrupt(string what)
    {
        CorruptRecordsSkipped++;
        _options.Warn($"state store {Path}: skipped a corrupt {what}");
    }

    // ---- FASTER access ----

    /// <summary>
    /// Every live key of the recovered KV log with its last value. The log is scanned in address order and the last
    /// version of each key wins (a tombstone removes it): a record updated after a fold-over has older versions below
    /// the read-only boundary, and the scan yields them all. Runs once, at open.
    /// </summary>
    private List<(byte[] Key, byte[] Value)> LatestKvRecords() => _table.ScanLatest([]);

    private void KvUpsert(byte[] key, byte[] value)
    {
        _table.Upsert(key, value);
        Interlocked.Increment(ref _changes);
    }

    private void KvDelete(byte[] key)
    {
        _table.Delete(key);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>Tests only: writes raw bytes under a key, as a damaged disk would leave them.</summary>
    internal void WriteRawForTests(byte[] key, byte[] value) => KvUpsert(key, value);

    /// <summary>Tests only: appends raw bytes to the log and commits them.</summary>
    internal Task AppendRawToLogForTests(byte[] entry) => _log.AppendAndCommitAsync(entry);
}
