namespace FastSmb.Control.Shares;

/// <summary>Tells whether a user belongs to a group; the directory store answers it.</summary>
public interface IGroupMembership
{
    bool IsMember(string userName, string groupName);
}

/// <summary>
/// Who may TREE_CONNECT to a share, from smb.conf's "guest ok" and "valid users" (Samba's user_ok_token):
/// an empty list lets every authenticated user in; otherwise the user must be named, or be a member of a group
/// named "@group" (or "+group"). Guest and anonymous sessions get in only where "guest ok = yes" and no
/// "valid users" list restricts the share. IPC$ admits everyone, anonymous included (srvsvc needs it). Immutable.
/// </summary>
public sealed record ShareAccess(bool GuestOk, IReadOnlyList<string> ValidUsers)
{
    public static readonly ShareAccess Everyone = new(false, []);

    public bool Allows(string userName, bool isGuestOrAnonymous, IGroupMembership groups)
    {
        if (isGuestOrAnonymous) return GuestOk && ValidUsers.Count == 0;
        if (ValidUsers.Count == 0) return true;
        foreach (var entry in ValidUsers)
        {
            if (entry.Length > 1 && entry[0] is '@' or '+' or '&')
            {
                if (groups.IsMember(userName, entry.TrimStart('@', '+', '&'))) return true;
            }
            else if (entry.Equals(userName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
