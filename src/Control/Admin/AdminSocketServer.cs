using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FastSmb.Control.Admin;

/// <summary>Where the admin socket's failures go (the host's log).</summary>
public interface IAdminLog
{
    void AdminRequest(string command, bool ok, string message);
    void AdminError(Exception error);
}

/// <summary>
/// The running server's admin endpoint: a Unix domain socket (DATA_DIR/admin.sock), mode 0660, owned by the
/// server's user (root in production) and, with "admin group = NAME", by that group, so that root and the group's
/// members may administer the server and nobody else can connect. One length-prefixed JSON request and response
/// per connection (<see cref="AdminFraming"/>). Owned by the host; requests run one at a time in
/// <see cref="AdminService"/>.
/// </summary>
public sealed partial class AdminSocketServer : IAsyncDisposable
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _listener;
    private readonly AdminService _service;
    private readonly IAdminLog? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private AdminSocketServer(Socket listener, string path, AdminService service, IAdminLog? log)
    {
        _listener = listener;
        Path = path;
        _service = service;
        _log = log;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string Path { get; }

    /// <summary>
    /// Binds <paramref name="path"/> (a stale socket file left by a crash is replaced: the caller holds the
    /// directory store's lock, so no other server is running), sets its mode and group, then listens. Throws
    /// <see cref="ArgumentException"/> when <paramref name="adminGroup"/> names no group.
    /// </summary>
    public static AdminSocketServer Start(string path, AdminService service, string? adminGroup, IAdminLog? log = null)
    {
        int gid = -1;
        if (adminGroup is not null && (gid = LookupGroup(adminGroup)) < 0)
            throw new ArgumentException($"admin group '{adminGroup}' does not exist");
        if (File.Exists(path)) File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            // Permissions are set before listen(): until then a connect() is refused, so there is no window in
            // which the umask's mode lets someone else in.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            if (gid >= 0 && Chown(path, -1, gid) != 0)
                throw new IOException($"cannot give {path} to group {adminGroup}: errno {Marshal.GetLastPInvokeError()}");
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new AdminSocketServer(listener, path, service, log);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                _log?.AdminError(e);
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(s_requestTimeout);
        await using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            var request = await AdminFraming.ReadRequestAsync(stream, timeout.Token).ConfigureAwait(false);
            var response = request is null
                ? AdminResponse.Failure("malformed request")
                : await _service.ExecuteAsync(request, timeout.Token).ConfigureAwait(false);
            if (request is not null) _log?.AdminRequest(request.Command, response.Ok, response.Message);
            await AdminFraming.WriteResponseAsync(stream, response, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The connection boundary: a malformed request, a client gone, or a bug — logged, never fatal to the server.
            _log?.AdminError(e);
        }
    }

    /// <summary>Re-reads the config file and applies it, as a `config.reload` request would (SIGHUP).</summary>
    public AdminResponse Reload() => _service.Execute(new AdminRequest(AdminCommands.ConfigReload));

    /// <summary>Stops accepting, waits for the accept loop, and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        try { File.Delete(Path); } catch (IOException) { }
        _stop.Dispose();
    }

    /// <summary>getgrnam(3): the group's gid, or -1. struct group is { char* name; char* passwd; gid_t gid; char** mem }.</summary>
    private static int LookupGroup(string name)
    {
        if (int.TryParse(name, out var numeric)) return numeric;
        var entry = GetGrNam(name);
        return entry == IntPtr.Zero ? -1 : Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetGrNam(string name);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}
