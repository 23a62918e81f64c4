using System.Security.Cryptography;
using FastSmb.Control.Auth;
using FastSmb.Control.Config;
using FastSmb.Datapath;
using FastSmb.Datapath.Connections;
using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Crypto;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Control.Smb2;

/// <summary>
/// [MS-SMB2] 3.3.5.3.1 (SMB1 multi-protocol negotiate) and 3.3.5.4 (SMB2 NEGOTIATE): picks the dialect,
/// states the server's capabilities, limits and security mode, hands out the SPNEGO hint, and for 3.1.1 answers the
/// negotiate contexts and starts the preauth integrity hash. Stateless; thread-safe.
/// </summary>
public sealed class NegotiateHandler(GlobalConfig config, DatapathOptions limits, ISecurityContextFactory security,
    Func<bool>? persistentHandles = null)
{
    /// <summary>Dialects this build implements, lowest first.</summary>
    private static readonly Smb2Dialect[] Implemented =
        [Smb2Dialect.Smb202, Smb2Dialect.Smb210, Smb2Dialect.Smb300, Smb2Dialect.Smb302, Smb2Dialect.Smb311];

    /// <summary>The server's cipher preference (3.3.5.4 lets the server choose among the client's): GCM first, as it
    /// is the faster on CPUs with carry-less multiply, 128-bit keys before 256.</summary>
    private static readonly Smb2CipherId[] CipherPreference =
        [Smb2CipherId.Aes128Gcm, Smb2CipherId.Aes256Gcm, Smb2CipherId.Aes128Ccm, Smb2CipherId.Aes256Ccm];

    /// <summary>2.0.2 has no multi-credit requests, so one message moves at most 64 KiB.</summary>
    private const uint Smb202MaxIo = 65536;

    /// <summary>Windows and Samba send a 32-byte preauth salt.</summary>
    private const int SaltLength = 32;

    private static readonly long ServerStartTime = DateTime.UtcNow.ToFileTimeUtc();

    private bool EncryptionSupported => config.ServerEncryption != EncryptionPolicy.Off;

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

        var contexts = default(ContextChoice);
        if (dialect == Smb2Dialect.Smb311)
        {
            var status = ChooseContexts(negotiate.GetNegotiateContexts(), out contexts);
            if (status != NtStatus.Success) return status;
        }

        var connection = request.Connection;
        connection.ClientDialects = offered;
        connection.ClientSecurityMode = (ushort)negotiate.SecurityMode;
        connection.ClientCapabilities = (uint)negotiate.Capabilities;
        connection.ClientGuid = dialect == Smb2Dialect.Smb202 ? Guid.Empty : negotiate.ClientGuid;
        if (dialect == Smb2Dialect.Smb311)
        {
            connection.CipherId = contexts.Cipher;
            connection.SigningAlgorithmId = contexts.Signing;
            // 3.3.5.4: the hash starts from zero over the request as received; the response is added by the
            // dispatcher once its header is written.
            connection.PreauthIntegrity.Reset();
            connection.PreauthIntegrity.Update(request.Message);
            request.HashResponseInto = connection.PreauthIntegrity;
        }
        else if (dialect.IsSmb3() && EncryptionSupported
            && (negotiate.Capabilities & Smb2GlobalCapabilities.Encryption) != 0)
        {
            connection.CipherId = Smb2CipherId.Aes128Ccm; // 3.0 and 3.0.2 know only AES-128-CCM
        }
        return Respond(connection, dialect, response, contexts);
    }

    public NtStatus HandleSmb1(Smb2Connection connection, bool wildcard, ResponseBuffer response) =>
        // "SMB 2.???" asks for a second, SMB2 NEGOTIATE: answer the wildcard dialect and keep negotiating.
        // A client offering only "SMB 2.002" gets 2.0.2 at once.
        Respond(connection, wildcard ? Smb2Dialect.Wildcard : Smb2Dialect.Smb202, response, default);

    /// <summary>What the 3.1.1 negotiate contexts decided, and which ones the response answers.</summary>
    private struct ContextChoice
    {
        public bool AnswerEncryption, AnswerSigning;
        public Smb2CipherId Cipher;
        public SigningAlgorithm Signing;
    }

    /// <summary>[MS-SMB2] 3.3.5.4, the NegotiateContextList rules for 3.1.1.</summary>
    private NtStatus ChooseContexts(NegotiateContextList list, out ContextChoice choice)
    {
        choice = new ContextChoice { Signing = SigningAlgorithm.AesCmac };
        int preauth = 0, encryption = 0, compression = 0, rdma = 0, signing = 0, transport = 0;
        bool sha512 = false;
        foreach (var (type, data) in list)
        {
            switch (type)
            {
                case Smb2NegotiateContextType.PreauthIntegrityCapabilities:
                    if (++preauth > 1 || !PreauthIntegrityCapabilities.TryParse(data, out var p))
                        return NtStatus.InvalidParameter;
                    sha512 = p.HashAlgorithms.Contains(Smb2HashAlgorithm.Sha512);
                    break;
                case Smb2NegotiateContextType.EncryptionCapabilities:
                    if (++encryption > 1 || !IdList.TryParseCounted(data, out var ciphers)) return NtStatus.InvalidParameter;
                    if (EncryptionSupported)
                    {
                        // "If the client and server have no common cipher, the server MUST set Connection.CipherId
                        // to 0" — and still answers with that 0.
                        choice.AnswerEncryption = true;
                        foreach (var c in CipherPreference)
                        {
                            if (ciphers.Contains((ushort)c)) { choice.Cipher = c; break; }
                        }
                    }
                    break;
                case Smb2NegotiateContextType.SigningCapabilities:
                    if (++signing > 1 || !IdList.TryParseCounted(data, out var algorithms)) return NtStatus.InvalidParameter;
                    // The first algorithm of the client's (most preferred first) list that the server implements;
                    // with none in common, AES-CMAC (3.3.5.4).
                    choice.AnswerSigning = true;
                    for (int i = 0; i < algorithms.Count; i++)
                    {
                        if (algorithms[i] is (ushort)SigningAlgorithm.AesGmac or (ushort)SigningAlgorithm.AesCmac
                            or (ushort)SigningAlgorithm.HmacSha256)
                        {
                            choice.Signing = (SigningAlgorithm)algorithms[i];
                            break;
                        }
                    }
                    break;
                // Compression is declined (not answered) until it is implemented; RDMA transforms and transport
                // security (QUIC) are not offered. Each may still appear only once.
                case Smb2NegotiateContextType.CompressionCapabilities:
                    if (++compression > 1) return NtStatus.InvalidParameter;
                    break;
                case Smb2NegotiateContextType.RdmaTransformCapabilities:
                    if (++rdma > 1) return NtStatus.InvalidParameter;
                    break;
                case Smb2NegotiateContextType.TransportCapabilities:
                    if (++transport > 1) return NtStatus.InvalidParameter;
                    break;
                default:
                    // NETNAME_NEGOTIATE_CONTEXT_ID is informational; unknown contexts "MUST be ignored".
                    break;
            }
        }
        // "If the NegotiateContextList does not contain exactly one SMB2_PREAUTH_INTEGRITY_CAPABILITIES negotiate
        // context, then the server MUST fail the negotiate request with STATUS_INVALID_PARAMETER."
        if (preauth != 1) return NtStatus.InvalidParameter;
        if (!sha512) return NtStatus.SmbNoPreauthIntegrityHashOverlap;
        return NtStatus.Success;
    }

    private NtStatus Respond(Smb2Connection connection, Smb2Dialect dialect, ResponseBuffer response, ContextChoice contexts)
    {
        uint capabilities = 0;
        if (dialect is not (Smb2Dialect.Smb202 or Smb2Dialect.Wildcard))
            capabilities |= (uint)Smb2GlobalCapabilities.LargeMtu | (uint)Smb2GlobalCapabilities.Leasing; // multi-credit requests, leases (2.1+)
        // 3.0/3.0.2 announce encryption as a capability; 3.1.1 through ENCRYPTION_CAPABILITIES only (3.3.5.4).
        if (dialect is Smb2Dialect.Smb300 or Smb2Dialect.Smb302 && connection.CipherId != Smb2CipherId.None)
            capabilities |= (uint)Smb2GlobalCapabilities.Encryption;
        // [MS-SMB2] 3.3.5.4: SMB2_GLOBAL_CAP_MULTI_CHANNEL for a 3.x dialect when IsMultiChannelCapable and the client
        // set it in its Capabilities (Samba and Windows answer only a client that asks).
        if (dialect.IsSmb3() && config.ServerMultiChannelSupport
            && (connection.ClientCapabilities & (uint)Smb2GlobalCapabilities.MultiChannel) != 0)
            capabilities |= (uint)Smb2GlobalCapabilities.MultiChannel;
        // [MS-SMB2] 3.3.5.4: SMB2_GLOBAL_CAP_DIRECTORY_LEASING for 3.x when the server supports directory leasing.
        if (dialect.IsSmb3() && config.DirectoryLeases) capabilities |= (uint)Smb2GlobalCapabilities.DirectoryLeasing;
        // [MS-SMB2] 3.3.5.4: SMB2_GLOBAL_CAP_PERSISTENT_HANDLES for 3.x when persistent handles are supported, which
        // they are while a share is continuously available.
        if (dialect.IsSmb3() && persistentHandles?.Invoke() == true) capabilities |= (uint)Smb2GlobalCapabilities.PersistentHandles;
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

        var body = response.GetBodySpan(256 + security.NegotiateHint.Length);
        int written = NegotiateResponse.Write(body, securityMode, dialect, config.ServerGuid, capabilities, maxTransact,
            maxIo, maxIo, DateTime.UtcNow.ToFileTimeUtc(), ServerStartTime, security.NegotiateHint);
        if (dialect == Smb2Dialect.Smb311)
            written = WriteContexts(body, written, contexts);
        response.Advance(written);
        return NtStatus.Success;
    }

    /// <summary>The 3.1.1 response contexts (3.3.5.4): preauth always; encryption and signing when the client sent them.</summary>
    private static int WriteContexts(Span<byte> body, int written, ContextChoice contexts)
    {
        var writer = NegotiateContextWriter.ForResponse(body, written);
        var preauth = writer.Add(Smb2NegotiateContextType.PreauthIntegrityCapabilities,
            PreauthIntegrityCapabilities.SizeOf(1, SaltLength));
        Span<byte> salt = stackalloc byte[SaltLength];
        RandomNumberGenerator.Fill(salt);
        PreauthIntegrityCapabilities.Write(preauth, Smb2HashAlgorithm.Sha512, salt);
        if (contexts.AnswerEncryption)
        {
            IdList.WriteCounted(writer.Add(Smb2NegotiateContextType.EncryptionCapabilities, IdList.SizeOfCounted(1)),
                [(ushort)contexts.Cipher]);
        }
        if (contexts.AnswerSigning)
        {
            IdList.WriteCounted(writer.Add(Smb2NegotiateContextType.SigningCapabilities, IdList.SizeOfCounted(1)),
                [(ushort)contexts.Signing]);
        }
        return writer.Length;
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
