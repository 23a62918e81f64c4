using FastSmb.Datapath.State;

namespace FastSmb.Control.State;

/// <summary>
/// Log compaction. The KV's hybrid log is append-only: every open, close, session and tree connect adds a record, so
/// on a busy server it grows without bound although the live tables stay small. After a periodic checkpoint (which
/// makes the whole log read-only, hence compactable), when the log is bigger than
/// <see cref="StateStoreOptions.CompactionMinLogBytes"/> and its estimated dead fraction exceeds
/// <see cref="StateStoreOptions.CompactionDeadFraction"/>, the live records are copied to the tail, BeginAddress moves
/// up, and a second checkpoint persists that and truncates the files below (FASTER deletes whole segments). The
/// FasterLog of persistent opens is truncated at every checkpoint already (docs/state.md); the second checkpoint
/// truncates it again and commits, so its files shrink too.
/// </summary>
public sealed partial class FasterServerStateStore
{
    /// <summary>Compactions done since open.</summary>
    public long Compactions { get; private set; }

    /// <summary>The KV log's extent in bytes (TailAddress - BeginAddress): what recovery scans and the disk holds.</summary>
    public long KvLogBytes
    {
        get
        {
            var (begin, _, tail) = _table.LogAddresses;
            return tail - begin;
        }
    }

    internal long KvTailAddressForTests => _table.LogAddresses.Tail;

    /// <summary>
    /// Takes a checkpoint and compacts when the log is worth it (or always, with <paramref name="force"/>); true when it
    /// compacted. The periodic checkpoint does the same after each checkpoint.
    /// </summary>
    public async ValueTask<bool> CompactAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        await _checkpointGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await CheckpointLockedAsync(cancellationToken).ConfigureAwait(false);
            return force ? await CompactLockedAsync(cancellationToken).ConfigureAwait(false)
                : await CompactIfWorthItLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    /// <summary>The estimated share of the KV log that no live record needs (0 for an empty log).</summary>
    public double DeadFraction()
    {
        long size = KvLogBytes;
        return size <= 0 ? 0 : Math.Clamp(1 - (double)EstimateLiveBytes() / size, 0, 1);
    }

    /// <summary>Call under the checkpoint gate, right after a checkpoint.</summary>
    private async ValueTask<bool> CompactIfWorthItLockedAsync(CancellationToken cancellationToken)
    {
        if (KvLogBytes < _options.CompactionMinLogBytes || DeadFraction() < _options.CompactionDeadFraction) return false;
        return await CompactLockedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Compacts up to the read-only boundary (all of the log after a fold-over checkpoint), then checkpoints
    /// so the new BeginAddress is durable before any file below it is deleted.</summary>
    private async ValueTask<bool> CompactLockedAsync(CancellationToken cancellationToken)
    {
        var (begin, readOnly, _) = _table.LogAddresses;
        if (readOnly <= begin) return false;
        _table.Compact(readOnly);
        Interlocked.Increment(ref _changes);
        await CheckpointLockedAsync(cancellationToken).ConfigureAwait(false);
        Compactions++;
        return true;
    }

    /// <summary>
    /// What the live records take in the log: each table's records as encoded, plus FASTER's record overhead (an 8-byte
    /// header, key and value each with a 4-byte length, 8-byte aligned) and the version and meta records. An estimate:
    /// it is only compared with the log's size to decide whether compaction pays.
    /// </summary>
    private long EstimateLiveBytes()
    {
        long bytes = 16 * RecordBytes(3, 16);   // version and meta records
        foreach (var o in _opens.Values) bytes += RecordBytes(9, StateRecordCodec.Encode(o).Length);
        foreach (var s in _sessionTable.Values) bytes += RecordBytes(9, StateRecordCodec.Encode(s).Length);
        foreach (var t in _trees.Values) bytes += RecordBytes(13, StateRecordCodec.Encode(t).Length);
        foreach (var l in _leases.Values) bytes += RecordBytes(33, StateRecordCodec.Encode(l).Length);
        return bytes;
    }

    private static long RecordBytes(int key, int value) => 8 + Align8(4 + key) + Align8(4 + value);

    private static long Align8(long n) => (n + 7) & ~7L;
}

public sealed partial record StateStoreOptions
{
    /// <summary>A KV log smaller than this is never compacted (compaction copies; a small log is cheap to keep).</summary>
    public long CompactionMinLogBytes { get; init; } = 64L << 20;

    /// <summary>Compact when at least this share of the log is dead (older versions and deleted records).</summary>
    public double CompactionDeadFraction { get; init; } = 0.5;

    /// <summary>log2 of the KV's and the FasterLog's segment files (64 MiB). Files are deleted a whole segment at a
    /// time, so smaller segments give back disk sooner (the tests use 1 MiB).</summary>
    public int LogSegmentSizeBits { get; init; } = 26;

    /// <summary>log2 of the KV log's memory (8 MiB): records beyond it are flushed to the segment files and evicted.
    /// Tests make it small (256 KiB, four 64 KiB pages) to reach the flush-and-evict path with a few thousand records.</summary>
    public int KvMemorySizeBits { get; init; } = 23;
}
