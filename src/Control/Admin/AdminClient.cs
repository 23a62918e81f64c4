using System.Net.Sockets;

namespace FastSmb.Control.Admin;

/// <summary>
/// The CLI's side of the admin socket. <see cref="Send"/> tells "no server" (no socket file, or nothing listening:
/// the caller may then open the store itself) apart from "a server that refused us" (no permission: it may not).
/// Stateless.
/// </summary>
public static class AdminClient
{
    public enum Outcome { Answered, NoServer, PermissionDenied }

    public static Outcome Send(string socketPath, AdminRequest request, out AdminResponse? response, TimeSpan? timeout = null)
    {
        response = null;
        if (!File.Exists(socketPath)) return Outcome.NoServer;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable
                                            or SocketError.HostNotFound)
        {
            return Outcome.NoServer;   // a socket file left by a server that is gone
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            return Outcome.PermissionDenied;
        }
        catch (UnauthorizedAccessException)
        {
            return Outcome.PermissionDenied;
        }
        using var stream = new NetworkStream(socket, ownsSocket: false);
        AdminFraming.WriteRequestAsync(stream, request, cts.Token).GetAwaiter().GetResult();
        try
        {
            response = AdminFraming.ReadResponseOrFailureAsync(stream, cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            response = AdminResponse.Failure($"the admin connection failed: {e.Message}");
        }
        return Outcome.Answered;
    }
}
