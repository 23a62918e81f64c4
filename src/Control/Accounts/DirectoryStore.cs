using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using FastSmb.Control.Shares;
using FastSmb.Control.Users;
using FASTER.core;
using FastSmb.Control.Storage;

namespace FastSmb.Control.Accounts;

/// <summary>The store was written by a newer FastSmb, or is not a directory store; the message says what to do.</summary>
public sealed class DirectoryFormatException(string message) : Exception(message);

/// <summary>Another process (normally the running `fastsmb serve`) holds the store.</summary>
public sealed class DirectoryLockedException(string message) : Exception(message);

/// <summary>
/// The account directory (users, groups, node settings) in one FASTER KV under DATA_DIR/directory/.
/// <para>
/// Keys and values are <see cref="SpanByte"/>: keys are short UTF-8 strings ("u:alice", "g:staff", "r:1000",
/// "node", "format"), values UTF-8 JSON (<see cref="DirectoryJson"/>). SpanByte keeps variable-length records
/// inline in FASTER's hybrid log, so there is no object log and no serializer to version beside our own JSON.
/// </para>
/// <para>
/// Durability: every change takes a full fold-over checkpoint (index + log flushed, metadata written) before it
/// returns, so a change that was acknowledged survives a crash; the directory changes rarely, so the cost does
/// not matter. Recovery opens the latest checkpoint.
/// </para>
/// <para>
/// Concurrency: reads (one per logon) take a session from a small pool, so no session is used by two threads at
/// once and no thread needs its own; changes are serialized by one lock (they read-modify-write RID counters and
/// then checkpoint). The process holds DATA_DIR/directory/LOCK exclusively while the store is open: the running
/// server owns the store and the CLI reaches it through the admin socket. Thread-safe.
/// </para>
/// </summary>
public sealed class DirectoryStore : IUserStore, IGroupMembership, IDisposable
{
    /// <summary>
    /// The on-disk format this build writes and reads. Bump it with any change to the keys or the JSON shapes,
    /// and add the step from the previous version to <see cref="Upgrade"/> in the same change.
    /// </summary>
    public const int FormatVersion = 1;

    private const string FormatKey = "format", NodeKey = "node";
    private const int MaxPooledSessions = 8;

    private readonly FileStream _lock;
    private readonly IDevice _device;
    private readonly FasterKV<SpanByte, SpanByte> _store;
    private readonly SpanByteTable _table;
    private readonly Lock _write = new();
    private NodeSettings _node = null!;
    private bool _disposed;

    private DirectoryStore(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
        _device = Devices.CreateLogDevice(System.IO.Path.Combine(path, "hlog"), preallocateFile: false,
            deleteOnClose: false, recoverDevice: true);
        _store = new FasterKV<SpanByte, SpanByte>(
            1L << 10,   // hash buckets: a directory of thousands of accounts fits comfortably
            new LogSettings { LogDevice = _device, PageSizeBits = 16, MemorySizeBits = 22, SegmentSizeBits = 24 },
            new CheckpointSettings { CheckpointDir = System.IO.Path.Combine(path, "checkpoints"), RemoveOutdated = true });
        _table = new SpanByteTable(_store, MaxPooledSessions, this);
    }

    /// <summary>The directory's folder (DATA_DIR/directory).</summary>
    public string Path { get; }

    /// <summary>S-1-5-21-x-y-z, generated when the store was created.</summary>
    public string MachineSid => Volatile.Read(ref _node).MachineSid;

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating it when the folder holds none. Throws
    /// <see cref="DirectoryLockedException"/> when another process has it open and <see cref="DirectoryFormatException"/>
    /// when it was written in a format this build does not know.
    /// </summary>
    public static DirectoryStore Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        // NT hashes are password equivalents: the folder is for the server's user only.
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(path);
        else System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        FileStream lockFile;
        try
        {
            // FileShare.None takes an advisory lock (flock) on Unix: a second opener fails at once.
            lockFile = new FileStream(System.IO.Path.Combine(path, "LOCK"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new DirectoryLockedException($"the directory store {path} is in use by another process (is fastsmb serve running?)");
        }
        var store = new DirectoryStore(path, lockFile);
        try
        {
            store.RecoverOrCreate();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private void RecoverOrCreate()
    {
        var checkpoints = System.IO.Path.Combine(Path, "checkpoints");
        bool exists = System.IO.Directory.Exists(checkpoints) && System.IO.Directory.EnumerateFileSystemEntries(checkpoints).Any();
        if (!exists)
        {
            lock (_write)
            {
                _node = new NodeSettings(Sids.NewMachineSid(), Sids.FirstUserRid, Sids.FirstGroupRid);
                Span<byte> format = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(format, FormatVersion);
                Upsert(FormatKey, format);
                UpsertJson(NodeKey, _node, DirectoryJson.Default.NodeSettings);
                Checkpoint();
            }
            return;
        }

        _store.Recover();
        if (!TryRead(FormatKey, out var raw) || raw.Length != 4)
            throw new DirectoryFormatException($"{Path} holds a FASTER store without a FastSmb format record; it is not a FastSmb directory");
        int version = BinaryPrimitives.ReadInt32LittleEndian(raw);
        if (version > FormatVersion)
            throw new DirectoryFormatException($"the directory store {Path} is format {version}, written by a newer FastSmb; " +
                $"this FastSmb reads formats up to {FormatVersion}. Run the newer FastSmb (formats are never downgraded).");
        if (version < FormatVersion) Upgrade(version);
        _node = ReadJson(NodeKey, DirectoryJson.Default.NodeSettings)
            ?? throw new DirectoryFormatException($"{Path}: the node settings record is missing");
    }

    /// <summary>Rewrites records from <paramref name="from"/> to <see cref="FormatVersion"/>, one step per version.</summary>
    private void Upgrade(int from)
    {
        // Format 1 is the first; a later format adds "case 1: …; goto case 2;" steps here, then records the new
        // version and checkpoints, all before the store is used.
        throw new DirectoryFormatException($"the directory store {Path} is format {from}, which no FastSmb wrote");
    }

    /// <summary>Tests only: records another format version, as a newer FastSmb would have.</summary>
    internal void WriteFormatVersionForTests(int version)
    {
        lock (_write)
        {
            Span<byte> format = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(format, version);
            Upsert(FormatKey, format);
            Checkpoint();
        }
    }

    /// <summary>The format version recorded in the store (tests and `config check`).</summary>
    public int StoredFormatVersion => TryRead(FormatKey, out var raw) && raw.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(raw) : 0;

    // ---- users ----

    public bool TryGet(string userName, out UserAccount account)
    {
        if (TryGetUser(userName, out var user))
        {
            account = new UserAccount(user.Name, user.NtHash, user.Disabled) { Uid = user.Uid, Gid = user.Gid };
            return true;
        }
        account = null!;
        return false;
    }

    public bool TryGetUser(string userName, out DirectoryUser user)
    {
        user = IsValidName(userName) ? ReadJson(UserKey(userName), DirectoryJson.Default.DirectoryUser)! : null!;
        return user is not null;
    }

    public IReadOnlyList<DirectoryUser> ListUsers() =>
        [.. Scan("u:", DirectoryJson.Default.DirectoryUser).OrderBy(u => u.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Creates a user with the next free RID. Durable when it returns <see cref="DirectoryResult.Ok"/>.</summary>
    public DirectoryResult AddUser(string name, byte[] ntHash, uint? uid = null, uint? gid = null)
    {
        if (!IsValidName(name)) return DirectoryResult.InvalidName;
        if (ntHash.Length != 16) throw new ArgumentException("an NT hash is 16 bytes", nameof(ntHash));
        lock (_write)
        {
            if (TryGetUser(name, out _) || TryGetGroup(name, out _)) return DirectoryResult.AlreadyExists;
            uint rid = AllocateRid(isUser: true);
            var user = new DirectoryUser(name, ntHash, Sids.WithRid(_node.MachineSid, rid), uid, gid);
            Upsert(RidKey(rid), Encoding.UTF8.GetBytes(UserKey(name)));
            UpsertJson(UserKey(name), user, DirectoryJson.Default.DirectoryUser);
            Checkpoint();
            return DirectoryResult.Ok;
        }
    }

    /// <summary>Adds the user, or sets the password of an existing one (FASTSMB_USER/FASTSMB_PASSWORD, imports).</summary>
    public DirectoryResult SetOrAddUser(string name, byte[] ntHash)
    {
        lock (_write)
        {
            var r = SetPassword(name, ntHash);
            return r == DirectoryResult.NotFound ? AddUser(name, ntHash) : r;
        }
    }

    public DirectoryResult SetPassword(string name, byte[] ntHash) => UpdateUser(name, u => u with { NtHash = ntHash });

    /// <summary>Sets (or, with nulls, clears) the Unix uid/gid the user's file calls run as.</summary>
    public DirectoryResult SetUnixIds(string name, uint? uid, uint? gid) => UpdateUser(name, u => u with { Uid = uid, Gid = gid });

    public DirectoryResult SetDisabled(string name, bool disabled) => UpdateUser(name, u => u with { Disabled = disabled });

    private DirectoryResult UpdateUser(string name, Func<DirectoryUser, DirectoryUser> change)
    {
        lock (_write)
        {
            if (!TryGetUser(name, out var user)) return IsValidName(name) ? DirectoryResult.NotFound : DirectoryResult.InvalidName;
            UpsertJson(UserKey(name), change(user), DirectoryJson.Default.DirectoryUser);
            Checkpoint();
            return DirectoryResult.Ok;
        }
    }

    /// <summary>Deletes the user and its group memberships. Its RID stays taken, so a SID is never reused.</summary>
    public DirectoryResult DeleteUser(string name)
    {
        lock (_write)
        {
            if (!TryGetUser(name, out var user)) return IsValidName(name) ? DirectoryResult.NotFound : DirectoryResult.InvalidName;
            foreach (var g in ListGroups().Where(g => g.Members.Contains(user.Name, StringComparer.OrdinalIgnoreCase)))
                UpsertJson(GroupKey(g.Name), g with { Members = [.. g.Members.Where(m => !m.Equals(user.Name, StringComparison.OrdinalIgnoreCase))] },
                    DirectoryJson.Default.DirectoryGroup);
            Delete(UserKey(name));
            Checkpoint();
            return DirectoryResult.Ok;
        }
    }

    // ---- groups ----

    public bool TryGetGroup(string name, out DirectoryGroup group)
    {
        group = IsValidName(name) ? ReadJson(GroupKey(name), DirectoryJson.Default.DirectoryGroup)! : null!;
        return group is not null;
    }

    public IReadOnlyList<DirectoryGroup> ListGroups() =>
        [.. Scan("g:", DirectoryJson.Default.DirectoryGroup).OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase)];

    public DirectoryResult AddGroup(string name)
    {
        if (!IsValidName(name)) return DirectoryResult.InvalidName;
        lock (_write)
        {
            if (TryGetGroup(name, out _) || TryGetUser(name, out _)) return DirectoryResult.AlreadyExists;
            uint rid = AllocateRid(isUser: false);
            Upsert(RidKey(rid), Encoding.UTF8.GetBytes(GroupKey(name)));
            UpsertJson(GroupKey(name), new DirectoryGroup(name, Sids.WithRid(_node.MachineSid, rid), []), DirectoryJson.Default.DirectoryGroup);
            Checkpoint();
            return DirectoryResult.Ok;
        }
    }

    public DirectoryResult DeleteGroup(string name)
    {
        lock (_write)
        {
            if (!TryGetGroup(name, out _)) return IsValidName(name) ? DirectoryResult.NotFound : DirectoryResult.InvalidName;
            Delete(GroupKey(name));
            Checkpoint();
            return DirectoryResult.Ok;
        }
    }

    /// <summary>Adds (or with <paramref name="add"/> false removes) a user to a group; both must exist.</summary>
    public DirectoryResult SetMember(string groupName, string userName, bool add)
    {
        lock (_write)
        {
            if (!TryGetGroup(groupName, out var group) || !TryGetUser(userName, out var user)) return DirectoryResult.NotFound;
            bool isMember = group.Members.Contains(user.Name, StringComparer.OrdinalIgnoreCase);
            if (isMember == add) return add ? DirectoryResult.AlreadyExists : DirectoryResult.NotFound;
            var members = add ? [.. group.Members, user.Name]
                : group.Members.Where(m => !m.Equals(user.Name, StringComparison.OrdinalIgnoreCase)).ToArray();
            UpsertJson(GroupKey(group.Name), group with { Members = members }, DirectoryJson.Default.DirectoryGroup);
            Checkpoint();
            return DirectoryResult.Ok;
        }
    }

    public bool IsMember(string userName, string groupName) =>
        TryGetGroup(groupName, out var g) && g.Members.Contains(userName, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Account names as Windows allows them: 1-64 characters, none of " / \ [ ] : ; | = , + * ? &lt; &gt; @ and no
    /// control characters or leading/trailing spaces ([MS-SAMR] 3.1.5.1 account name rules, Samba's checks).
    /// </summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.Trim() == name
        && name.IndexOfAny(['"', '/', '\\', '[', ']', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>', '@']) < 0
        && !name.Any(char.IsControl);

    // ---- RIDs ----

    /// <summary>Users count up from 1000, groups from 2000; a RID already taken (by either kind) is skipped.</summary>
    private uint AllocateRid(bool isUser)
    {
        uint rid = isUser ? _node.NextUserRid : _node.NextGroupRid;
        while (TryRead(RidKey(rid), out _)) rid++;
        _node = isUser ? _node with { NextUserRid = rid + 1 } : _node with { NextGroupRid = rid + 1 };
        UpsertJson(NodeKey, _node, DirectoryJson.Default.NodeSettings);
        return rid;
    }

    /// <summary>The account name that holds <paramref name="rid"/> ("u:name" or "g:name"), for SID lookups.</summary>
    public bool TryLookupRid(uint rid, out string key)
    {
        key = TryRead(RidKey(rid), out var raw) ? Encoding.UTF8.GetString(raw) : "";
        return key.Length > 0;
    }

    private static string UserKey(string name) => "u:" + name.ToLowerInvariant();
    private static string GroupKey(string name) => "g:" + name.ToLowerInvariant();
    private static string RidKey(uint rid) => "r:" + rid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // ---- FASTER access ----

    private bool TryRead(string key, out byte[] value) => _table.TryRead(Encoding.UTF8.GetBytes(key), out value);

    private T? ReadJson<T>(string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class =>
        TryRead(key, out var raw) ? JsonSerializer.Deserialize(raw, type) : null;

    /// <summary>Every live record whose key starts with <paramref name="prefix"/> (a scan of the whole log: the
    /// directory is small; listing is rare).</summary>
    private List<T> Scan<T>(string prefix, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        [.. _table.ScanLatest(Encoding.UTF8.GetBytes(prefix)).Select(r => JsonSerializer.Deserialize(r.Value, type)!)];

    private void UpsertJson<T>(string key, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Upsert(key, JsonSerializer.SerializeToUtf8Bytes(value, type));

    private void Upsert(string key, ReadOnlySpan<byte> value) => _table.Upsert(Encoding.UTF8.GetBytes(key), value);

    private void Delete(string key) => _table.Delete(Encoding.UTF8.GetBytes(key));

    /// <summary>Index and log to disk; returns once the checkpoint is complete, so the change is durable.</summary>
    private void Checkpoint()
    {
        var (ok, _) = _store.TakeFullCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();
        if (!ok) throw new IOException($"the directory store {Path} could not take a checkpoint");
    }

    /// <summary>Sessions first, then the store, then its device, then the lock: the order FASTER needs.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        lock (_write)
        {
            _disposed = true;
            _table.Close();
            _store.Dispose();
            _device.Dispose();
            _lock.Dispose();
        }
    }
}
