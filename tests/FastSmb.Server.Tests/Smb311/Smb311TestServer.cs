using FastSmb.Client.Smb2;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Server.Tests.Support;

namespace FastSmb.Server.Tests.Smb311;

/// <summary>
/// The real server (control plane, dispatcher, connection owners) over the in-memory transport, with user
/// "alice"/"secret-pw", a disk share "share", and a share "secret" whose "smb encrypt" the test chooses.
/// Owned by one test; not thread-safe.
/// </summary>
internal sealed class Smb311TestServer : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "secret-pw";

    private readonly SmbServer _server;
    private readonly InMemoryListener _listener = new();
    private readonly string _root;

    public Smb311TestServer(EncryptionPolicy global = EncryptionPolicy.Default,
        EncryptionPolicy secretShare = EncryptionPolicy.Required, Protocol.Smb2.Smb2Dialect? maxProtocol = null)
    {
        var g = new GlobalConfig { NetbiosName = "FASTSMB", ServerEncryption = global };
        if (maxProtocol is { } max) g = g with { MaxProtocol = max };
        // The shares' directories exist (TREE_CONNECT refuses a share whose directory does not); removed at dispose.
        _root = Directory.CreateTempSubdirectory("fastsmb-smb311-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "share"));
        Directory.CreateDirectory(Path.Combine(_root, "secret"));
        var config = new ServerConfig(g, [new ShareConfig("share", Path.Combine(_root, "share")),
            new ShareConfig("secret", Path.Combine(_root, "secret"), Encrypt: secretShare)]);
        var log = new ConsoleLog(TextWriter.Null);
        _server = ServerHost.CreateServer(config, new InMemoryUserStore().Add(User, Password,
            uid: FastSmb.Datapath.Identity.ThreadCredentials.Server.Uid, gid: FastSmb.Datapath.Identity.ThreadCredentials.Server.Gid), log, log);
        _server.Start(_listener);
    }

    public Smb2ClientConnection Connect() => new(_listener.Connect());

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
