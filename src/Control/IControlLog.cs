using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Control;

/// <summary>Control-plane log events; the host decides where they go.</summary>
public interface IControlLog
{
    void LogonSucceeded(string client, string user, Smb2Dialect dialect);
    void LogonFailed(string client, NtStatus status);
}
