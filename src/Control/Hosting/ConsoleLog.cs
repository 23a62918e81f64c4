using FastSmb.Datapath;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;

namespace FastSmb.Control.Hosting;

/// <summary>Log lines on standard error, one event a line, for `fastsmb serve` in a terminal or under systemd.</summary>
public sealed class ConsoleLog(TextWriter output, bool verbose = false) : IServerLog, IControlLog, Admin.IAdminLog
{
    private readonly Lock _lock = new();

    private void Write(string text)
    {
        lock (_lock) output.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {text}");
    }

    public void ConnectionAccepted(string client) { if (verbose) Write($"connect {client}"); }
    public void ConnectionClosed(string client) { if (verbose) Write($"disconnect {client}"); }
    public void ConnectionDropped(string client, string reason) => Write($"dropped {client}: {reason}");
    public void ConnectionFailed(string client, Exception error) => Write($"error on {client}: {error}");
    public void LogonSucceeded(string client, string user, Smb2Dialect dialect) =>
        Write($"logon {user} from {client} ({dialect.ToDisplay()})");
    public void LogonFailed(string client, NtStatus status) => Write($"logon failed from {client}: {status.ToStatusName()}");
    public void IdentityRefused(string user, string share, string reason) =>
        Write($"tree connect of {user} to {share} refused: {reason}");
    public void Notice(string message) => Write(message);
    public void AdminRequest(string command, bool ok, string message) =>
        Write(ok ? $"admin {command}: {message}" : $"admin {command} refused: {message}");
    public void AdminError(Exception error) => Write($"admin socket: {error.Message}");
}
