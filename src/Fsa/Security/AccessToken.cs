using FastSmb.Protocol.Security.Descriptors;

namespace FastSmb.Fsa.Security;

/// <summary>
/// [MS-DTYP] 2.5.2 Token/Authorization Context, reduced to what file access checks read: the user's SID, the
/// primary group (the group of the files it creates) and every SID the user holds (the user, its groups, and the
/// well-known groups of a logged-on network user). Built once per session or tree connect; immutable, shared freely.
/// </summary>
public sealed class AccessToken
{
    private readonly Sid[] _sids;

    public AccessToken(Sid user, Sid primaryGroup, IEnumerable<Sid> groups)
    {
        User = user;
        PrimaryGroup = primaryGroup;
        var all = new List<Sid> { user, primaryGroup };
        foreach (var g in groups)
            if (!all.Contains(g)) all.Add(g);
        _sids = [.. all];
    }

    public Sid User { get; }
    public Sid PrimaryGroup { get; }
    public IReadOnlyList<Sid> Sids => _sids;

    /// <summary>Whether the token holds <paramref name="sid"/>: a short linear scan, no allocation.</summary>
    public bool Contains(Sid sid)
    {
        foreach (var s in _sids)
            if (s.Equals(sid)) return true;
        return false;
    }

    /// <summary>
    /// The token of a network logon of a Unix-mapped user. The user is Samba's Unix SID for its uid (S-1-22-1-uid) and
    /// the primary group the one for its gid (S-1-22-2-gid): what the owner and group of its files map to, so a file's
    /// owner reads the same whether its descriptor is stored or made from its mode. Then its directory SID (when it
    /// has one), its supplementary groups, Everyone, NETWORK, Authenticated Users and BUILTIN\Users ([MS-DTYP] 2.4.2.4).
    /// </summary>
    public static AccessToken ForUnixUser(Sid? userSid, uint uid, uint gid, IEnumerable<uint> groups, bool anonymous = false)
    {
        var list = new List<Sid>();
        if (userSid is not null) list.Add(userSid);
        foreach (uint g in groups) list.Add(Sid.UnixGroup(g));
        list.Add(Sid.Everyone);
        list.Add(Sid.Network);
        if (anonymous) list.Add(Sid.Anonymous);
        else
        {
            list.Add(Sid.AuthenticatedUsers);
            list.Add(Sid.BuiltinUsers);
        }
        return new AccessToken(Sid.UnixUser(uid), Sid.UnixGroup(gid), list);
    }
}
