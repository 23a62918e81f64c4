using FastSmb.Fsa.Security;

namespace FastSmb.Datapath.Identity;

/// <summary>The NT access token of a Unix identity (<see cref="AccessToken.ForUnixUser"/>). Stateless.</summary>
public static class AccessTokens
{
    /// <summary>The token of <paramref name="identity"/>, or of the server's own credentials when it is null (a
    /// server that does not switch runs every file call as itself).</summary>
    public static AccessToken For(UnixIdentity? identity, bool anonymous)
    {
        var id = identity ?? ThreadCredentials.Server;
        return AccessToken.ForUnixUser(null, id.Uid, id.Gid, id.Groups, anonymous);
    }
}
