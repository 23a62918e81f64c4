using BenchmarkDotNet.Attributes;
using FastSmb.Control;
using FastSmb.Control.Config;
using FastSmb.Control.Hosting;
using FastSmb.Control.Users;
using FastSmb.Datapath;
using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Perf;

/// <summary>
/// The request path without sockets (Garnet's way of measuring a server): one ECHO through the dispatcher —
/// header parse, message-id window, size table, routing, credit grant, response header. The steady state must
/// not allocate (MemoryDiagnoser).
/// </summary>
[MemoryDiagnoser]
public class DispatcherBenchmarks
{
    private Smb2Dispatcher _dispatcher = null!;
    private Smb2Connection _connection = null!;
    private readonly ResponseBuffer _response = new();
    private readonly byte[] _echo = new byte[Smb2Header.Size + 4];
    private ulong _messageId;

    [GlobalSetup]
    public void Setup()
    {
        var config = new ServerConfig(new GlobalConfig(), [new ShareConfig("share", Path.GetTempPath())]);
        var limits = new DatapathOptions();
        _dispatcher = ServerHost.CreateDispatcher(config, new InMemoryUserStore(), new NullLog(), limits);
        _connection = new Smb2Connection(null, limits.MaxCredits);
        var negotiate = new byte[256];
        int length = Smb2Header.Size + NegotiateRequest.Write(negotiate.AsSpan(Smb2Header.Size), 1, 0, Guid.NewGuid(), [Smb2Dialect.Smb302]);
        Smb2Header.WriteRequest(negotiate, Smb2Command.Negotiate, 0, 1, Smb2HeaderFlags.None, 0, 0, 0);
        _dispatcher.Process(_connection, negotiate.AsSpan(0, length), _response);
        _messageId = 1;
        EchoRequest.Write(_echo.AsSpan(Smb2Header.Size));
    }

    [Benchmark]
    public int Echo()
    {
        Smb2Header.WriteRequest(_echo, Smb2Command.Echo, 1, 1, Smb2HeaderFlags.None, _messageId++, 0, 0);
        _dispatcher.Process(_connection, _echo, _response);
        return _response.MessageLength;
    }

    private sealed class NullLog : IControlLog
    {
        public void LogonSucceeded(string client, string user, Smb2Dialect dialect) { }
        public void LogonFailed(string client, NtStatus status) { }
    }
}
