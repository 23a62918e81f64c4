using FastSmb.Control.Shares;
using FastSmb.Protocol.Rpc.Ndr;

namespace FastSmb.Control.Rpc.Srvsvc;

/// <summary>
/// One share as srvsvc carries it: the union of [MS-SRVS] 2.2.4.22 SHARE_INFO_0, 2.2.4.23 SHARE_INFO_1,
/// 2.2.4.24 SHARE_INFO_2, 2.2.4.25 SHARE_INFO_501, 2.2.4.26 SHARE_INFO_502_I (this server sends no security
/// descriptor) and 2.2.4.29 SHARE_INFO_1005.
/// Mutable so the NDR reader can fill it while reading deferred strings.
/// </summary>
public sealed class ShareInfo
{
    public string? NetName { get; set; }
    public uint Type { get; set; }
    public string? Remark { get; set; }
    public uint Permissions { get; set; }
    public uint MaxUses { get; set; } = uint.MaxValue;
    public uint CurrentUses { get; set; }
    public string? Path { get; set; }
    public string? Password { get; set; }
    /// <summary>shi501_flags / shi1005_flags ([MS-SRVS] 2.2.4.29): 0 is CSC_CACHE_MANUAL_REINT and no DFS.</summary>
    public uint Flags { get; set; }
    /// <summary>SHARE_INFO_502_I shi502_reserved: the security descriptor's length (0: none).</summary>
    public uint Reserved { get; set; }
    public byte[]? SecurityDescriptor { get; set; }

    /// <summary>
    /// A configured share as srvsvc reports it. The path is shown Windows-style, "C:" plus the local path
    /// with '\' separators, as Samba does; IPC$ has none and gets "" as on Windows. Password stays NULL:
    /// [MS-SRVS] 2.2.4.24 says clients ignore it under user-level security.
    /// </summary>
    public static ShareInfo From(ShareDefinition share, uint currentUses = 0) => new()
    {
        NetName = share.Name,
        Type = (uint)share.Type,
        Remark = share.Comment,
        Permissions = 0,
        MaxUses = uint.MaxValue,
        CurrentUses = currentUses,
        Path = share.Path.Length == 0 ? "" : "C:" + share.Path.Replace('/', '\\'),
        Password = null,
    };
}

/// <summary>NDR for the SHARE_INFO levels srvsvc serves, both ways (the server writes, tests and clients read).</summary>
public static class ShareInfoCodec
{
    /// <summary>Levels NetrShareEnum serves ([MS-SRVS] 3.1.4.8).</summary>
    public static bool IsEnumLevel(uint level) => level is 0 or 1 or 2 or 501 or 502;

    /// <summary>Levels NetrShareEnumSticky serves ([MS-SRVS] 3.1.4.9): no 501.</summary>
    public static bool IsStickyEnumLevel(uint level) => level is 0 or 1 or 2 or 502;

    /// <summary>Levels NetrShareGetInfo serves ([MS-SRVS] 3.1.4.10; 503 is left out: Samba's IDL has no arm for it).</summary>
    public static bool IsGetInfoLevel(uint level) => level is 0 or 1 or 2 or 501 or 502 or 1005;

    /// <summary>
    /// The cases of SHARE_INFO and SHARE_ENUM_UNION ([MS-SRVS] 2.2.3.6, 2.2.3.5, as Samba's srvsvc.idl declares
    /// them); any other level is the empty default arm.
    /// </summary>
    public static bool IsUnionArm(uint level) => level is 0 or 1 or 2 or 501 or 502 or 1004 or 1005 or 1006 or 1007 or 1501;

    /// <summary>
    /// The flat part of one SHARE_INFO_level; its string pointers' referents are queued on the writer
    /// (embedded pointers, [C706] 14.3.12.3). The caller has checked the level.
    /// </summary>
    public static void Write(NdrWriter w, uint level, ShareInfo s)
    {
        if (level == 1005)
        {
            w.WriteUInt32(s.Flags);
            return;
        }
        w.WriteUniqueString(s.NetName);
        if (level == 0) return;
        w.WriteUInt32(s.Type);
        w.WriteUniqueString(s.Remark);
        if (level == 1) return;
        if (level == 501)
        {
            w.WriteUInt32(s.Flags);
            return;
        }
        w.WriteUInt32(s.Permissions);
        w.WriteUInt32(s.MaxUses);
        w.WriteUInt32(s.CurrentUses);
        w.WriteUniqueString(s.Path);
        w.WriteUniqueString(s.Password);
        if (level == 2) return;
        w.WriteUInt32(0);
        w.WritePointer(isNull: true); // shi502_security_descriptor: none
    }

    /// <summary>
    /// SHARE_INFO_n_CONTAINER ([MS-SRVS] 2.2.4.33 ff.): EntriesRead and a unique pointer to the conformant
    /// array, whose elements' strings follow the whole array.
    /// </summary>
    public static void WriteContainer(NdrWriter w, uint level, IReadOnlyList<ShareInfo> entries)
    {
        w.WriteUInt32((uint)entries.Count);
        w.WriteUniquePointer(entries.Count == 0, a =>
        {
            a.WriteConformance((uint)entries.Count);
            foreach (var e in entries) Write(a, level, e);
        });
    }

    /// <summary>Reads one SHARE_INFO_level's flat part and queues its deferred strings.</summary>
    public static bool TryRead(ref NdrReader r, uint level, ShareInfo s)
    {
        if (level == 1005)
        {
            if (!r.TryReadUInt32(out uint flags1005)) return false;
            s.Flags = flags1005;
            return true;
        }
        if (!TryReadString(ref r, v => s.NetName = v)) return false;
        if (level == 0) return true;
        if (!r.TryReadUInt32(out uint type)) return false;
        s.Type = type;
        if (!TryReadString(ref r, v => s.Remark = v)) return false;
        if (level == 1) return true;
        if (level == 501)
        {
            if (!r.TryReadUInt32(out uint flags)) return false;
            s.Flags = flags;
            return true;
        }
        if (!r.TryReadUInt32(out uint perms) || !r.TryReadUInt32(out uint max) || !r.TryReadUInt32(out uint cur)) return false;
        (s.Permissions, s.MaxUses, s.CurrentUses) = (perms, max, cur);
        if (!TryReadString(ref r, v => s.Path = v) || !TryReadString(ref r, v => s.Password = v)) return false;
        if (level == 2) return true;
        if (level != 502 || !r.TryReadUInt32(out uint reserved) || !r.TryReadPointer(out uint sdPtr)) return false;
        s.Reserved = reserved;
        if (sdPtr != 0)
        {
            r.Defer((ref NdrReader d) =>
            {
                // [size_is(shi502_reserved)] unsigned char*: a conformant byte array.
                if (!d.TryReadConformance(out uint n, 1) || n != reserved || !d.TryReadBytes((int)n, out var sd)) return false;
                s.SecurityDescriptor = sd.ToArray();
                return true;
            });
        }
        return true;
    }

    /// <summary>
    /// Reads a container's flat part and queues its array (and, inside it, the strings). <paramref name="into"/>
    /// is filled once the reader's deferred referents are read.
    /// </summary>
    public static bool TryReadContainer(ref NdrReader r, uint level, List<ShareInfo> into)
    {
        if (!r.TryReadUInt32(out uint count) || !r.TryReadPointer(out uint arrayPtr)) return false;
        if (arrayPtr == 0) return true; // a NULL buffer: nothing follows, whatever EntriesRead says
        if (!IsGetInfoLevel(level)) return false;
        r.Defer((ref NdrReader a) =>
        {
            // [size_is(EntriesRead)]: the array's max_count must be EntriesRead.
            if (!a.TryReadConformance(out uint max, level is 0 or 1005 ? 4 : 12) || max != count) return false;
            for (uint i = 0; i < max; i++)
            {
                var s = new ShareInfo();
                if (!TryRead(ref a, level, s)) return false;
                into.Add(s);
            }
            return true;
        });
        return true;
    }

    private static bool TryReadString(ref NdrReader r, Action<string> set)
    {
        if (!r.TryReadPointer(out uint id)) return false;
        if (id != 0)
        {
            r.Defer((ref NdrReader d) =>
            {
                if (!d.TryReadConformantVaryingString(out var v)) return false;
                set(v);
                return true;
            });
        }
        return true;
    }
}
