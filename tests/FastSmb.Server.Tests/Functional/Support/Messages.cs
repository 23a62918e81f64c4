using System.Buffers.Binary;
using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Server.Tests.Functional.Support;

/// <summary>
/// Hand-built request messages for what <see cref="Smb2ClientConnection.SendAsync"/> cannot send: chosen
/// MessageIds, compounds, corrupted bytes. Each is one SMB2 message (header + body) for
/// <see cref="Smb2ClientConnection.SendRawAsync"/>.
/// </summary>
internal static class Messages
{
    public static byte[] Build(Smb2Command command, ulong messageId, Smb2ClientConnection.BodyWriter body,
        ulong sessionId = 0, uint treeId = 0, ushort creditCharge = 1, ushort creditRequest = 1,
        Smb2HeaderFlags flags = Smb2HeaderFlags.None)
    {
        var buffer = new byte[Smb2Header.Size + 8192];
        int length = Smb2Header.Size + body(buffer.AsSpan(Smb2Header.Size));
        Smb2Header.WriteRequest(buffer, command, creditCharge, creditRequest, flags, messageId, treeId, sessionId);
        return buffer[..length];
    }

    public static byte[] Echo(ulong messageId, ulong sessionId = 0, Smb2HeaderFlags flags = Smb2HeaderFlags.None) =>
        Build(Smb2Command.Echo, messageId, EchoRequest.Write, sessionId, flags: flags);

    public static byte[] TreeConnect(ulong messageId, ulong sessionId, string path) =>
        Build(Smb2Command.TreeConnect, messageId, b => TreeConnectRequest.Write(b, 0, path), sessionId);

    /// <summary>Signs <paramref name="message"/> in place with the client's session key.</summary>
    public static byte[] Sign(byte[] message, Smb2ClientConnection c)
    {
        Smb2Header.SetFlags(message, Smb2Header.GetFlags(message) | Smb2HeaderFlags.Signed);
        Smb2Signer.Sign(message, c.SigningAlgorithm, c.SigningKey);
        return message;
    }

    /// <summary>
    /// Chains messages into one compound ([MS-SMB2] 3.2.4.1.4): each but the last padded to 8 bytes with
    /// NextCommand pointing at the next; <paramref name="related"/> sets SMB2_FLAGS_RELATED_OPERATIONS on all
    /// but the first.
    /// </summary>
    public static byte[] Compound(bool related, params byte[][] messages)
    {
        var chain = new List<byte>();
        for (int i = 0; i < messages.Length; i++)
        {
            var m = (byte[])messages[i].Clone();
            if (related && i > 0)
                Smb2Header.SetFlags(m, Smb2Header.GetFlags(m) | Smb2HeaderFlags.RelatedOperations);
            if (i < messages.Length - 1)
            {
                int padded = (m.Length + 7) & ~7;
                Array.Resize(ref m, padded);
                Smb2Header.SetNextCommand(m, (uint)padded);
            }
            chain.AddRange(m);
        }
        return [.. chain];
    }

    /// <summary>Splits a response frame into its compounded messages, by NextCommand.</summary>
    public static List<(int Offset, Smb2Response Response)> SplitChain(byte[] frame)
    {
        var list = new List<(int, Smb2Response)>();
        int offset = 0;
        while (true)
        {
            Assert.That(Smb2Header.TryParse(frame.AsSpan(offset), out var h), Is.True, $"SMB2 header at {offset}");
            uint next = h.NextCommand;
            int end = next == 0 ? frame.Length : offset + (int)next;
            list.Add((offset, new Smb2Response(frame[offset..end])));
            if (next == 0) return list;
            offset = end;
        }
    }

    public static NtStatus StatusOf(byte[] message) => (NtStatus)BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(8));
}

/// <summary>SESSION_SETUP leg by leg, keeping every response (the client's LogonAsync keeps only the status).</summary>
internal static class ManualLogon
{
    public sealed record Result(NtStatus Status, List<Smb2Response> Responses, SpnegoNtlmInitiator Initiator)
    {
        public Smb2Response Final => Responses[^1];
    }

    /// <summary>
    /// Runs the exchange; <paramref name="stopAfterLegs"/> leaves the session InProgress after that many legs.
    /// On success installs the session key in the client.
    /// </summary>
    public static async Task<Result> RunAsync(Smb2ClientConnection c, string? user, string password,
        byte securityMode = 1, int stopAfterLegs = int.MaxValue)
    {
        var ntlm = user is null ? NtlmClient.CreateAnonymous() : new NtlmClient(user, password, "WORKGROUP", "CLIENT");
        var initiator = new SpnegoNtlmInitiator(ntlm);
        var responses = new List<Smb2Response>();
        var status = initiator.Step(default, out var token);
        while (status == NtStatus.MoreProcessingRequired && responses.Count < stopAfterLegs)
        {
            var response = await c.SendAsync(Smb2Command.SessionSetup,
                body => SessionSetupRequest.Write(body, 0, securityMode, 0, 0, token));
            responses.Add(response);
            c.SessionId = response.SessionId;
            if (response.Status != NtStatus.MoreProcessingRequired)
            {
                if (response.Status == NtStatus.Success && !initiator.IsAnonymous)
                {
                    SessionSetupResponse.TryParse(response.Message, out var setup);
                    if (!initiator.IsComplete) initiator.Step(setup.SecurityBuffer.ToArray(), out _);
                    c.SetSessionKey(initiator.SessionKey);
                }
                return new Result(response.Status, responses, initiator);
            }
            Assert.That(SessionSetupResponse.TryParse(response.Message, out var more), Is.True);
            status = initiator.Step(more.SecurityBuffer.ToArray(), out token);
        }
        return new Result(NtStatus.MoreProcessingRequired, responses, initiator);
    }
}
