using FastSmb.Control.Auth;
using FastSmb.Control.Config;
using FastSmb.Datapath;
using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Control.Smb2;

/// <summary>
/// [MS-SMB2] 3.3.5.3.1 (SMB1 multi-protocol negotiate) and 3.3.5.4 (SMB2 NEGOTIATE): picks the dialect,
/// states the server's capabilities, limits and security mode, and hands out the SPNEGO hint.
/// Stateless; thread-safe.
/// </summary>
public sealed class NegotiateHandler(GlobalConfig config, DatapathOptions limits, ISecurityContextFactory security)
{
    /// <summary>Dialects this build implements, lowest first. 3.1.1 joins with its negotiate contexts.</summary>
    private static readonly Smb2Dialect[] Implemented =
        [Smb2Dialect.Smb202, Smb2Dialect.Smb210, Smb2Dialect.Smb300, Smb2Dialect.Smb302];

    /// <summary>2.0.2 has no multi-credit requests, so one message moves at most 64 KiB.</summary>
    private const uint Smb202MaxIo = 65536;

    private static readonly long ServerStartTime = DateTime.UtcNow.ToFileTimeUtc();

    public NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        if (!NegotiateRequest.TryParse(request.Message, out var negotiate)) return NtStatus.InvalidParameter;
        // [MS-SMB2] 3.3.5.4: "If the DialectCount of the SMB2 NEGOTIATE Request is 0, the server MUST fail the
        // request with STATUS_INVALID_PARAMETER."
        if (negotiate.DialectCount == 0) return NtStatus.InvalidParameter;

        var offered = new ushort[negotiate.DialectCount];
        for (int i = 0; i < offered.Length; i++) offered[i] = (ushort)negotiate.GetDialect(i);
        var dialect = Choose(offered);
        if (dialect == Smb2Dialect.None)
        {
            // "If a common dialect is not found, the server MUST fail the request with STATUS_NOT_SUPPORTED."
            return NtStatus.NotSupported;
        }

        var connection = request.Connection;
        connection.ClientDialects = offered;
        connection.ClientSecurityMode = (ushort)negotiate.SecurityMode;
        connection.ClientCapabilities = (uint)negotiate.Capabilities;
        connection.ClientGuid = dialect == Smb2Dialect.Smb202 ? Guid.Empty : negotiate.ClientGuid;
        return Respond(connection, dialect, response);
    }

    public NtStatus HandleSmb1(Smb2Connection connection, bool wildcard, ResponseBuffer response) =>
        // "SMB 2.???" asks for a second, SMB2 NEGOTIATE: answer the wildcard dialect and keep negotiating.
        // A client offering only "SMB 2.002" gets 2.0.2 at once.
        Respond(connection, wildcard ? Smb2Dialect.Wildcard : Smb2Dialect.Smb202, response);

    private NtStatus Respond(Smb2Connection connection, Smb2Dialect dialect, ResponseBuffer response)
    {
        uint capabilities = 0;
        if (dialect is not (Smb2Dialect.Smb202 or Smb2Dialect.Wildcard))
            capabilities |= (uint)Smb2GlobalCapabilities.LargeMtu; // multi-credit requests; nothing else is implemented yet
        ushort securityMode = (ushort)Smb2SecurityMode.SigningEnabled;
        if (config.ServerSigning == SigningPolicy.Mandatory) securityMode |= (ushort)Smb2SecurityMode.SigningRequired;

        uint maxIo = dialect is Smb2Dialect.Smb202 or Smb2Dialect.Wildcard ? Smb202MaxIo : limits.MaxIoSize;
        uint maxTransact = dialect is Smb2Dialect.Smb202 or Smb2Dialect.Wildcard ? Smb202MaxIo : limits.MaxTransactSize;
        connection.Dialect = dialect;
        connection.ServerGuid = config.ServerGuid;
        connection.ServerCapabilities = capabilities;
        connection.ServerSecurityMode = securityMode;
        connection.MaxReadSize = maxIo;
        connection.MaxWriteSize = maxIo;
        connection.MaxTransactSize = maxTransact;

        int written = NegotiateResponse.Write(response.GetBodySpan(128 + security.NegotiateHint.Length), securityMode,
            dialect, config.ServerGuid, capabilities, maxTransact, maxIo, maxIo, DateTime.UtcNow.ToFileTimeUtc(),
            ServerStartTime, security.NegotiateHint);
        response.Advance(written);
        return NtStatus.Success;
    }

    private Smb2Dialect Choose(ushort[] offered)
    {
        for (int i = Implemented.Length - 1; i >= 0; i--)
        {
            var d = Implemented[i];
            if (d < config.MinProtocol || d > config.MaxProtocol) continue;
            if (Array.IndexOf(offered, (ushort)d) >= 0) return d;
        }
        return Smb2Dialect.None;
    }
}
