using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Pipes;

namespace FastSmb.Datapath.Dispatch;

/// <summary>
/// What the data path needs from the control plane (ARCHITECTURE.md: Datapath calls into Control only through
/// interfaces it defines). NEGOTIATE, SESSION_SETUP, LOGOFF and TREE_CONNECT/DISCONNECT are the control
/// plane's; named pipes on IPC$ reach its DCERPC services through <see cref="Pipes"/>.
/// Implementations are thread-safe: every connection owner calls them.
/// </summary>
public interface IControlPlane
{
    Smb2CommandHandler Negotiate { get; }
    Smb2CommandHandler SessionSetup { get; }
    Smb2CommandHandler Logoff { get; }
    Smb2CommandHandler TreeConnect { get; }
    Smb2CommandHandler TreeDisconnect { get; }

    /// <summary>
    /// Answers an SMB1 multi-protocol NEGOTIATE ([MS-SMB2] 3.3.5.3.1) by writing an SMB2 NEGOTIATE response
    /// body into <paramref name="response"/>; <paramref name="wildcard"/> says the client offered "SMB 2.???"
    /// (answer dialect 0x02FF), otherwise only "SMB 2.002" (answer 0x0202, negotiation done).
    /// </summary>
    Protocol.NtStatus NegotiateFromSmb1(Smb2Connection connection, bool wildcard, ResponseBuffer response);

    INamedPipeHost Pipes { get; }

    /// <summary>The server's interfaces for FSCTL_QUERY_NETWORK_INTERFACE_INFO (multichannel; [MS-SMB2] 3.3.5.15.11).</summary>
    IReadOnlyList<Protocol.Smb2.Commands.NetworkInterfaceEntry> QueryNetworkInterfaces() => [];
}
