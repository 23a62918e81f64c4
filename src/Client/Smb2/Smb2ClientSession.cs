using FastSmb.Protocol;
using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Client.Smb2;

/// <summary>Logon, tree connect and named-pipe calls on top of <see cref="Smb2ClientConnection"/>.</summary>
public static class Smb2ClientSession
{
    /// <summary>
    /// Runs SESSION_SETUP with SPNEGO/NTLMv2 to completion. Returns the final status; on success the
    /// connection holds the session id and signing key. <paramref name="user"/> null logs on anonymously.
    /// <paramref name="previousSessionId"/> names a session the server is to end once this one is authenticated
    /// ([MS-SMB2] 3.2.4.2.3, a reconnecting client).
    /// </summary>
    public static async Task<NtStatus> LogonAsync(this Smb2ClientConnection c, string? user, string password,
        string domain = "WORKGROUP", byte securityMode = 1, ulong previousSessionId = 0)
    {
        var ntlm = user is null ? NtlmClient.CreateAnonymous() : new NtlmClient(user, password, domain, "CLIENT");
        var initiator = new SpnegoNtlmInitiator(ntlm);
        bool reauth = c.SessionId != 0 && c.SigningKey.Length > 0; // SESSION_SETUP on a live session
        var status = initiator.Step(default, out var token);
        while (status == NtStatus.MoreProcessingRequired)
        {
            var response = await c.SendAsync(Smb2Command.SessionSetup,
                body => SessionSetupRequest.Write(body, 0, securityMode, 0, previousSessionId, token)).ConfigureAwait(false);
            c.SessionId = response.SessionId;
            if (response.Status != NtStatus.Success && response.Status != NtStatus.MoreProcessingRequired)
                return response.Status;
            if (!SessionSetupResponse.TryParse(response.Message, out var setup)) return NtStatus.InvalidNetworkResponse;
            var serverToken = setup.SecurityBuffer.ToArray();
            if (response.Status == NtStatus.Success)
            {
                if (!initiator.IsComplete)
                {
                    var final = initiator.Step(serverToken, out _);
                    if (final != NtStatus.Success) return final;
                }
                if (reauth)
                {
                    // The session keeps its keys; 3.x servers sign the final response with them.
                    if (c.Dialect.IsSmb3() && !c.VerifySignature(response)) return NtStatus.AccessDenied;
                }
                else if (!initiator.IsAnonymous)
                {
                    c.SetSessionKey(initiator.SessionKey);
                    if (c.Dialect.IsSmb3() && !c.VerifySignature(response))
                        return NtStatus.AccessDenied; // 3.x servers must sign the final SESSION_SETUP response
                    // SMB2_SESSION_FLAG_ENCRYPT_DATA: the server wants everything on the session encrypted.
                    if ((setup.SessionFlags & Smb2SessionFlags.EncryptData) != 0 && c.CanEncrypt)
                        c.EncryptRequests = true;
                }
                return NtStatus.Success;
            }
            status = initiator.Step(serverToken, out token);
            if (status == NtStatus.Success)
            {
                // SPNEGO finished on our side but the server still wants a leg; send nothing more.
                return NtStatus.InvalidNetworkResponse;
            }
        }
        return status;
    }

    /// <summary>
    /// Binds this connection to the session of <paramref name="primary"/> as another channel ([MS-SMB2] 3.2.4.1.7):
    /// SESSION_SETUP with SMB2_SESSION_FLAG_BINDING, signed with the session's key, authenticating the session's
    /// user again. This connection must have negotiated the same dialect with the same ClientGuid. On success requests
    /// sent here reach the session's tree connects and opens, signed with the channel's own key.
    /// </summary>
    public static async Task<NtStatus> BindAsync(this Smb2ClientConnection c, Smb2ClientConnection primary, string user,
        string password, string domain = "WORKGROUP", byte securityMode = 1)
    {
        var initiator = new SpnegoNtlmInitiator(new NtlmClient(user, password, domain, "CLIENT"));
        c.BeginBinding(primary);
        var status = initiator.Step(default, out var token);
        while (status == NtStatus.MoreProcessingRequired)
        {
            var response = await c.SendAsync(Smb2Command.SessionSetup, body => SessionSetupRequest.Write(body,
                SessionSetupRequest.FlagBinding, securityMode, 0, 0, token), sign: true).ConfigureAwait(false);
            if (response.Status != NtStatus.Success && response.Status != NtStatus.MoreProcessingRequired)
            {
                c.AbandonBinding();
                return response.Status;
            }
            if (!SessionSetupResponse.TryParse(response.Message, out var setup))
            {
                c.AbandonBinding();
                return NtStatus.InvalidNetworkResponse;
            }
            var serverToken = setup.SecurityBuffer.ToArray();
            if (response.Status == NtStatus.Success)
            {
                if (!initiator.IsComplete && initiator.Step(serverToken, out _) is var final && final != NtStatus.Success)
                {
                    c.AbandonBinding();
                    return final;
                }
                c.CompleteBinding(initiator.SessionKey);
                // 3.2.5.3.3: the final response is signed with the new channel's key.
                return c.VerifySignature(response) ? NtStatus.Success : NtStatus.AccessDenied;
            }
            status = initiator.Step(serverToken, out token);
        }
        c.AbandonBinding();
        return status == NtStatus.Success ? NtStatus.InvalidNetworkResponse : status;
    }

    /// <summary>TREE_CONNECT to \\server\share; returns the status and the tree id.</summary>
    public static async Task<(NtStatus Status, uint TreeId, byte ShareType)> TreeConnectAsync(this Smb2ClientConnection c,
        string path)
    {
        var response = await c.SendAsync(Smb2Command.TreeConnect, body => TreeConnectRequest.Write(body, 0, path))
            .ConfigureAwait(false);
        byte type = 0;
        if (TreeConnectResponse.TryParse(response.Message, out var tc))
        {
            type = tc.ShareType;
            // SMB2_SHAREFLAG_ENCRYPT_DATA (0x8000): this client then encrypts everything, not only this tree's.
            if ((tc.ShareFlags & 0x8000) != 0 && c.CanEncrypt) c.EncryptRequests = true;
        }
        return (response.Status, response.TreeId, type);
    }

    /// <summary>Opens a named pipe on an IPC$ tree.</summary>
    public static async Task<(NtStatus Status, FileId FileId)> OpenPipeAsync(this Smb2ClientConnection c, uint treeId,
        string name)
    {
        const uint ReadWrite = 0x0012019F;
        var response = await c.SendAsync(Smb2Command.Create, body => CreateRequest.Write(body, 0, 2, ReadWrite, 0,
            3, 1, 0, name, default), treeId).ConfigureAwait(false);
        var id = CreateResponse.TryParse(response.Message, out var cr) ? cr.FileId : default;
        return (response.Status, id);
    }

    /// <summary>FSCTL_PIPE_TRANSCEIVE: one DCERPC PDU in, the reply out.</summary>
    public static async Task<(NtStatus Status, byte[] Output)> TransceiveAsync(this Smb2ClientConnection c, uint treeId,
        FileId fileId, byte[] input, uint maxOutput = 4280)
    {
        var response = await c.SendAsync(Smb2Command.Ioctl, body => IoctlRequest.Write(body,
            FsctlCodes.FSCTL_PIPE_TRANSCEIVE, fileId, input, 0, maxOutput, IoctlRequest.FlagIsFsctl), treeId)
            .ConfigureAwait(false);
        var output = IoctlResponse.TryParse(response.Message, out var io) ? io.Output.ToArray() : [];
        return (response.Status, output);
    }
}
