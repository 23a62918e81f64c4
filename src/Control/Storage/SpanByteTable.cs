using System.Collections.Concurrent;
using FASTER.core;

namespace FastSmb.Control.Storage;

using Session = ClientSession<SpanByte, SpanByte, SpanByte, byte[], Empty, SpanByteFunctions_ByteArrayOutput<Empty>>;

/// <summary>
/// A FasterKV of byte keys and byte values used as a table: pooled client sessions (a FASTER session is single-threaded
/// and costly to create, so callers on any thread rent one), synchronous upsert, delete and read, and a scan of the
/// whole log where the last version of each key wins. The account directory (Accounts/DirectoryStore) and the server
/// state store (State/FasterServerStateStore) both keep their records this way; each owns its FasterKV, device,
/// checkpoints and lock file, and hands the KV here.
/// </summary>
internal sealed partial class SpanByteTable(FasterKV<SpanByte, SpanByte> kv, int maxPooledSessions, object owner)
{
    private readonly ConcurrentBag<Session> _sessions = [];
    private volatile bool _closed;

    public unsafe void Upsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var session = Rent();
        try
        {
            fixed (byte* k = key)
            fixed (byte* v = value)
            {
                var sk = SpanByte.FromPointer(k, key.Length);
                var sv = SpanByte.FromPointer(v, value.Length);
                session.Upsert(ref sk, ref sv);
                session.CompletePending(wait: true);
            }
        }
        finally
        {
            Return(session);
        }
    }

    public unsafe void Delete(ReadOnlySpan<byte> key)
    {
        var session = Rent();
        try
        {
            fixed (byte* k = key)
            {
                var sk = SpanByte.FromPointer(k, key.Length);
                session.Delete(ref sk);
                session.CompletePending(wait: true);
            }
        }
        finally
        {
            Return(session);
        }
    }

    public unsafe bool TryRead(ReadOnlySpan<byte> key, out byte[] value)
    {
        var session = Rent();
        try
        {
            fixed (byte* k = key)
            {
                var sk = SpanByte.FromPointer(k, key.Length);
                byte[] output = null!;
                var status = session.Read(ref sk, ref output);
                if (status.IsPending)
                {
                    // The record is below the in-memory part of the log (after a recovery): wait for the disk read.
                    session.CompletePendingWithOutputs(out var completed, wait: true);
                    using (completed)
                    {
                        while (completed.Next())
                        {
                            status = completed.Current.Status;
                            output = completed.Current.Output;
                        }
                    }
                }
                value = status.Found ? output : [];
                return status.Found;
            }
        }
        finally
        {
            Return(session);
        }
    }

    /// <summary>
    /// Every live record whose key starts with <paramref name="prefix"/>, in the order its key first appeared. The
    /// whole log is scanned in address order and the last version of each key wins (a tombstone removes it): a record
    /// updated after a fold-over has older versions below the read-only boundary, and a session iterator of this
    /// FASTER version can yield both. Meant for recovery and rare listings, not for lookups.
    /// </summary>
    public List<(byte[] Key, byte[] Value)> ScanLatest(ReadOnlySpan<byte> prefix)
    {
        ObjectDisposedException.ThrowIf(_closed, owner);
        var latest = new Dictionary<string, (byte[], byte[])>(StringComparer.Ordinal);
        using (var it = kv.Log.Scan(kv.Log.BeginAddress, kv.Log.TailAddress))
        {
            while (it.GetNext(out var info))
            {
                var key = it.GetKey().AsReadOnlySpan();
                if (!key.StartsWith(prefix)) continue;
                var name = Convert.ToHexString(key);
                if (info.Tombstone) latest.Remove(name);
                else latest[name] = (key.ToArray(), it.GetValue().AsReadOnlySpan().ToArray());
            }
        }
        return [.. latest.Values];
    }

    /// <summary>Disposes the pooled sessions; later calls throw, and sessions still rented are disposed on return.
    /// The owner calls it before disposing the FasterKV, which needs its sessions gone first.</summary>
    public void Close()
    {
        _closed = true;
        while (_sessions.TryTake(out var s)) s.Dispose();
    }

    private Session Rent()
    {
        ObjectDisposedException.ThrowIf(_closed, owner);
        return _sessions.TryTake(out var s) ? s
            : kv.For(new SpanByteFunctions_ByteArrayOutput<Empty>()).NewSession<SpanByteFunctions_ByteArrayOutput<Empty>>();
    }

    private void Return(Session session)
    {
        if (_closed || _sessions.Count >= maxPooledSessions) session.Dispose();
        else _sessions.Add(session);
    }
}
