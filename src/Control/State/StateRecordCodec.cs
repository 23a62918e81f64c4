using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Unicode;
using FastSmb.Datapath.State;

namespace FastSmb.Control.State;

/// <summary>What a stored blob holds: the first byte of every value in the KV and of every FasterLog entry.</summary>
public enum StateBlobKind : byte
{
    Open = 1,
    Session = 2,
    TreeConnect = 3,
    Lease = 4,
    /// <summary>A table's version record (<see cref="TableVersion"/>).</summary>
    Version = 5,
    /// <summary>A store-wide number (the PersistentFileId high-water mark, the log position a checkpoint covers).</summary>
    Meta = 6,
    /// <summary>FasterLog only: a persistent open was closed (payload: its PersistentFileId).</summary>
    OpenDeleted = 7,
    /// <summary>FasterLog only: PersistentFileIds up to the payload are reserved (payload: the new high-water mark).</summary>
    FileIdReserved = 8,
}

/// <summary>A table's version record, as Samba's smbXsrv_version_global: the format and the process that wrote it.</summary>
public readonly record struct TableVersion(StateTable Table, uint FormatVersion, Guid InvocationId);

/// <summary>The four tables of the state store (the tag byte that starts each of their keys).</summary>
public enum StateTable : byte
{
    SessionGlobal = (byte)'S',
    TreeConnectGlobal = (byte)'T',
    OpenGlobal = (byte)'O',
    Lease = (byte)'L',
}

/// <summary>
/// The state store's on-disk record format: a small hand-written binary codec (little-endian, UTF-8 strings with a
/// 32-bit length), so the format is ours to version and nothing depends on a serializer's choices. Every blob is
/// <c>kind(1) codecVersion(1) crc32c(4) payload</c>; the CRC-32C covers the payload, so a torn or corrupted record
/// is recognised and skipped (the caller reports it) instead of being read as a different record. Decoding never
/// throws on bad input: every Try method returns false. Stateless and thread-safe.
/// </summary>
public static class StateRecordCodec
{
    /// <summary>The payload layout this build writes; bump with any change and keep decoding the older ones.</summary>
    public const byte CodecVersion = 1;
    public const int HeaderLength = 6;

    // ---- keys: a table tag, then the table's key fields (big-endian, so keys sort like the numbers) ----

    public static byte[] OpenKey(ulong persistentFileId) => NumberKey(StateTable.OpenGlobal, persistentFileId);
    public static byte[] SessionKey(ulong sessionId) => NumberKey(StateTable.SessionGlobal, sessionId);

    public static byte[] TreeConnectKey(ulong sessionId, uint treeId)
    {
        var key = new byte[13];
        key[0] = (byte)StateTable.TreeConnectGlobal;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(1), sessionId);
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(9), treeId);
        return key;
    }

    public static byte[] LeaseKey(Guid clientGuid, Guid leaseKey)
    {
        var key = new byte[33];
        key[0] = (byte)StateTable.Lease;
        clientGuid.TryWriteBytes(key.AsSpan(1));
        leaseKey.TryWriteBytes(key.AsSpan(17));
        return key;
    }

    /// <summary>The version record of a table: "V" and the table's tag (no data key is two bytes long).</summary>
    public static byte[] VersionKey(StateTable table) => [(byte)'V', (byte)table];

    /// <summary>A store-wide number: "M" and a letter.</summary>
    public static byte[] MetaKey(char name) => [(byte)'M', (byte)name];

    private static byte[] NumberKey(StateTable table, ulong value)
    {
        var key = new byte[9];
        key[0] = (byte)table;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(1), value);
        return key;
    }

    // ---- encoding ----

    public static byte[] Encode(OpenGlobalRecord r)
    {
        var w = new Writer(StateBlobKind.Open);
        w.U64(r.PersistentFileId); w.U64(r.VolatileFileId);
        w.Guid(r.CreateGuid); w.Guid(r.ClientGuid); w.Guid(r.AppInstanceId);
        w.U64(r.SessionId); w.Str(r.Owner); w.Str(r.ShareName); w.Str(r.Path);
        w.U32(r.GrantedAccess); w.U32(r.ShareAccess); w.U32(r.CreateOptions);
        w.U8(r.OplockLevel); w.Guid(r.LeaseKey); w.U8(r.IsPersistent ? (byte)1 : (byte)0);
        w.U32(r.DurableTimeoutMs); w.U64((ulong)r.DisconnectedUntilUtcTicks);
        w.U32((uint)r.Locks.Count);
        foreach (var l in r.Locks)
        {
            w.U64(l.Offset); w.U64(l.Length); w.U8(l.Exclusive ? (byte)1 : (byte)0);
        }
        w.U64(r.Sequence);
        return w.Finish();
    }

    public static byte[] Encode(SessionGlobalRecord r)
    {
        var w = new Writer(StateBlobKind.Session);
        w.U64(r.SessionId); w.Guid(r.ClientGuid); w.Str(r.Owner); w.U16(r.Dialect);
        w.U64((ulong)r.CreatedUtcTicks); w.U64(r.Sequence);
        return w.Finish();
    }

    public static byte[] Encode(TreeConnectGlobalRecord r)
    {
        var w = new Writer(StateBlobKind.TreeConnect);
        w.U64(r.SessionId); w.U32(r.TreeId); w.Str(r.ShareName); w.U64(r.Sequence);
        return w.Finish();
    }

    public static byte[] Encode(LeaseGlobalRecord r)
    {
        var w = new Writer(StateBlobKind.Lease);
        w.Guid(r.ClientGuid); w.Guid(r.LeaseKey); w.Guid(r.ParentLeaseKey); w.Str(r.ShareName); w.Str(r.Path);
        w.U32(r.LeaseState); w.U16(r.Epoch); w.U8(r.Version); w.U64(r.Sequence);
        return w.Finish();
    }

    public static byte[] Encode(TableVersion v)
    {
        var w = new Writer(StateBlobKind.Version);
        w.U8((byte)v.Table); w.U32(v.FormatVersion); w.Guid(v.InvocationId);
        return w.Finish();
    }

    /// <summary>A blob carrying one number: <see cref="StateBlobKind.Meta"/>, <see cref="StateBlobKind.OpenDeleted"/>,
    /// <see cref="StateBlobKind.FileIdReserved"/>.</summary>
    public static byte[] EncodeNumber(StateBlobKind kind, ulong value)
    {
        var w = new Writer(kind);
        w.U64(value);
        return w.Finish();
    }

    // ---- decoding ----

    /// <summary>The blob's kind, when its header is whole and its checksum matches the payload.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> blob, out StateBlobKind kind, out ReadOnlySpan<byte> payload)
    {
        kind = 0;
        payload = default;
        if (blob.Length < HeaderLength || blob[1] != CodecVersion) return false;
        payload = blob[HeaderLength..];
        if (BinaryPrimitives.ReadUInt32LittleEndian(blob[2..]) != Crc32C(payload)) return false;
        kind = (StateBlobKind)blob[0];
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> blob, out OpenGlobalRecord record)
    {
        record = null!;
        if (!TryReadHeader(blob, out var kind, out var p) || kind != StateBlobKind.Open) return false;
        var r = new Reader(p);
        if (!(r.U64(out var pfid) && r.U64(out var vfid) && r.Guid(out var createGuid) && r.Guid(out var clientGuid)
              && r.Guid(out var appInstance) && r.U64(out var sessionId) && r.Str(out var owner) && r.Str(out var share)
              && r.Str(out var path) && r.U32(out var granted) && r.U32(out var shareAccess) && r.U32(out var options)
              && r.U8(out var oplock) && r.Guid(out var leaseKey) && r.U8(out var flags) && r.U32(out var timeout)
              && r.U64(out var until) && r.U32(out var lockCount)))
            return false;
        const int LockLength = 17;
        if (flags > 1 || lockCount > (uint)(r.Remaining / LockLength)) return false;
        var locks = new LockRecord[lockCount];
        for (int i = 0; i < locks.Length; i++)
        {
            if (!(r.U64(out var offset) && r.U64(out var length) && r.U8(out var exclusive)) || exclusive > 1) return false;
            locks[i] = new LockRecord(offset, length, exclusive == 1);
        }
        if (!r.U64(out var sequence) || r.Remaining != 0) return false;
        record = new OpenGlobalRecord
        {
            PersistentFileId = pfid, VolatileFileId = vfid, CreateGuid = createGuid, ClientGuid = clientGuid,
            AppInstanceId = appInstance, SessionId = sessionId, Owner = owner, ShareName = share, Path = path,
            GrantedAccess = granted, ShareAccess = shareAccess, CreateOptions = options, OplockLevel = oplock,
            LeaseKey = leaseKey, IsPersistent = flags == 1, DurableTimeoutMs = timeout,
            DisconnectedUntilUtcTicks = (long)until, Locks = locks, Sequence = sequence,
        };
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> blob, out SessionGlobalRecord record)
    {
        record = null!;
        if (!TryReadHeader(blob, out var kind, out var p) || kind != StateBlobKind.Session) return false;
        var r = new Reader(p);
        if (!(r.U64(out var id) && r.Guid(out var client) && r.Str(out var owner) && r.U16(out var dialect)
              && r.U64(out var created) && r.U64(out var sequence)) || r.Remaining != 0)
            return false;
        record = new SessionGlobalRecord
        {
            SessionId = id, ClientGuid = client, Owner = owner, Dialect = dialect, CreatedUtcTicks = (long)created, Sequence = sequence,
        };
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> blob, out TreeConnectGlobalRecord record)
    {
        record = null!;
        if (!TryReadHeader(blob, out var kind, out var p) || kind != StateBlobKind.TreeConnect) return false;
        var r = new Reader(p);
        if (!(r.U64(out var session) && r.U32(out var tree) && r.Str(out var share) && r.U64(out var sequence)) || r.Remaining != 0)
            return false;
        record = new TreeConnectGlobalRecord { SessionId = session, TreeId = tree, ShareName = share, Sequence = sequence };
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> blob, out LeaseGlobalRecord record)
    {
        record = null!;
        if (!TryReadHeader(blob, out var kind, out var p) || kind != StateBlobKind.Lease) return false;
        var r = new Reader(p);
        if (!(r.Guid(out var client) && r.Guid(out var key) && r.Guid(out var parent) && r.Str(out var share)
              && r.Str(out var path) && r.U32(out var state) && r.U16(out var epoch) && r.U8(out var version)
              && r.U64(out var sequence)) || r.Remaining != 0)
            return false;
        record = new LeaseGlobalRecord
        {
            ClientGuid = client, LeaseKey = key, ParentLeaseKey = parent, ShareName = share, Path = path,
            LeaseState = state, Epoch = epoch, Version = version, Sequence = sequence,
        };
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> blob, out TableVersion version)
    {
        version = default;
        if (!TryReadHeader(blob, out var kind, out var p) || kind != StateBlobKind.Version) return false;
        var r = new Reader(p);
        if (!(r.U8(out var table) && r.U32(out var format) && r.Guid(out var invocation)) || r.Remaining != 0) return false;
        if (!Enum.IsDefined((StateTable)table)) return false;
        version = new TableVersion((StateTable)table, format, invocation);
        return true;
    }

    public static bool TryDecodeNumber(ReadOnlySpan<byte> blob, StateBlobKind expected, out ulong value)
    {
        value = 0;
        if (!TryReadHeader(blob, out var kind, out var p) || kind != expected) return false;
        var r = new Reader(p);
        return r.U64(out value) && r.Remaining == 0;
    }

    /// <summary>CRC-32C (Castagnoli), hardware-accelerated where the CPU has it.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>Builds one blob; the header's checksum is filled in by <see cref="Finish"/>.</summary>
    private sealed class Writer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(128);

        public Writer(StateBlobKind kind)
        {
            var header = _buffer.GetSpan(HeaderLength);
            header[0] = (byte)kind;
            header[1] = CodecVersion;
            header[2..HeaderLength].Clear();
            _buffer.Advance(HeaderLength);
        }

        public void U8(byte v) { _buffer.GetSpan(1)[0] = v; _buffer.Advance(1); }
        public void U16(ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), v); _buffer.Advance(2); }
        public void U32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), v); _buffer.Advance(4); }
        public void U64(ulong v) { BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), v); _buffer.Advance(8); }
        public void Guid(Guid v) { v.TryWriteBytes(_buffer.GetSpan(16)); _buffer.Advance(16); }

        public void Str(string v)
        {
            int length = Encoding.UTF8.GetByteCount(v);
            U32((uint)length);
            Encoding.UTF8.GetBytes(v, _buffer.GetSpan(length));
            _buffer.Advance(length);
        }

        public byte[] Finish()
        {
            var blob = _buffer.WrittenSpan.ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(2), Crc32C(blob.AsSpan(HeaderLength)));
            return blob;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly int Remaining => _rest.Length;

        public bool U8(out byte v) { v = 0; if (_rest.Length < 1) return false; v = _rest[0]; _rest = _rest[1..]; return true; }

        public bool U16(out ushort v)
        {
            v = 0;
            if (_rest.Length < 2) return false;
            v = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
            _rest = _rest[2..];
            return true;
        }

        public bool U32(out uint v)
        {
            v = 0;
            if (_rest.Length < 4) return false;
            v = BinaryPrimitives.ReadUInt32LittleEndian(_rest);
            _rest = _rest[4..];
            return true;
        }

        public bool U64(out ulong v)
        {
            v = 0;
            if (_rest.Length < 8) return false;
            v = BinaryPrimitives.ReadUInt64LittleEndian(_rest);
            _rest = _rest[8..];
            return true;
        }

        public bool Guid(out Guid v)
        {
            v = default;
            if (_rest.Length < 16) return false;
            v = new Guid(_rest[..16]);
            _rest = _rest[16..];
            return true;
        }

        /// <summary>A length that overruns the data, or bytes that are not UTF-8, fail the read.</summary>
        public bool Str(out string v)
        {
            v = "";
            if (!U32(out var length) || length > (uint)_rest.Length) return false;
            var bytes = _rest[..(int)length];
            if (!Utf8.IsValid(bytes)) return false;
            v = Encoding.UTF8.GetString(bytes);
            _rest = _rest[(int)length..];
            return true;
        }
    }
}
