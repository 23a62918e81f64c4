using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Control;

/// <summary>Control-plane log events; the host decides where they go.</summary>
public interface IControlLog
{
    void LogonSucceeded(string client, string user, Smb2Dialect dialect);
    void LogonFailed(string client, NtStatus status);

    /// <summary>A TREE_CONNECT to a disk share refused because the user has no Unix identity (or the share's
    /// "force user"/"force group" names none).</summary>
    void IdentityRefused(string user, string share, string reason) { }

    /// <summary>Something the operator should hear about once (e.g. identity switching is off: not root).</summary>
    void Notice(string message) { }
}
