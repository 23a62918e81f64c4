using FastSmb.Control.Users;
using FastSmb.Datapath.Identity;

namespace FastSmb.Control.Identity;

/// <summary>
/// Decides the Unix credentials of an SMB user: the directory's uid/gid when the account has them, otherwise the
/// Unix account of the same name (as Samba requires one); guest and anonymous sessions are the "nobody" account
/// (Samba's default "guest account"). A share's "force user" / "force group" then replace them. Stateless over
/// the user store; thread-safe.
/// </summary>
public sealed class UnixIdentityResolver(IUserStore users)
{
    /// <summary>The Unix account guest and anonymous sessions act as.</summary>
    public const string GuestAccount = "nobody";

    public bool TryResolve(string userName, bool guest, out UnixIdentity identity, out string reason)
    {
        identity = null!;
        reason = "";
        if (guest)
        {
            if (UnixAccounts.TryGetByName(GuestAccount, out var nobody))
            {
                identity = From(nobody);
                return true;
            }
            reason = $"guest access needs the Unix account '{GuestAccount}', which does not exist";
            return false;
        }
        if (users.TryGet(userName, out var account) && account.Uid is { } uid)
        {
            // An explicit uid: its passwd entry (if any) gives the default group and the supplementary groups.
            bool known = UnixAccounts.TryGetByUid(uid, out var unix);
            uint gid = account.Gid ?? (known ? unix.Gid : uid);
            IReadOnlyList<uint> groups = known ? UnixAccounts.GroupsOf(unix.Name, gid) : [gid];
            identity = new UnixIdentity(uid, gid, groups);
            return true;
        }
        if (UnixAccounts.TryGetByName(userName, out var same))
        {
            identity = account?.Gid is { } g ? new UnixIdentity(same.Uid, g, UnixAccounts.GroupsOf(same.Name, g)) : From(same);
            return true;
        }
        reason = $"user '{userName}' has no uid in the directory and there is no Unix account of that name "
            + $"(create one, or set one with `fastsmb user add {userName} --uid N --gid N`)";
        return false;
    }

    /// <summary>
    /// A share's "force user" (every file call runs as that account, its groups included) and "force group" (the
    /// primary group, added to the groups). <paramref name="identity"/> may be null when only "force user" makes
    /// the tree usable.
    /// </summary>
    public bool TryForce(UnixIdentity? identity, string? forceUser, string? forceGroup, out UnixIdentity? forced,
        out string reason)
    {
        forced = identity;
        reason = "";
        if (!string.IsNullOrEmpty(forceUser))
        {
            if (!TryResolve(forceUser, guest: false, out var user, out reason))
            {
                reason = $"force user: {reason}";
                return false;
            }
            forced = user;
        }
        if (!string.IsNullOrEmpty(forceGroup) && forced is not null)
        {
            if (!UnixAccounts.TryGetGroupId(forceGroup, out uint gid))
            {
                reason = $"force group: no Unix group '{forceGroup}'";
                return false;
            }
            forced = forced with { Gid = gid, Groups = forced.Groups.Contains(gid) ? forced.Groups : [gid, .. forced.Groups] };
        }
        return true;
    }

    private static UnixIdentity From(UnixAccount a) => new(a.Uid, a.Gid, a.Groups);
}
