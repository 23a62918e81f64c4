using FastSmb.Protocol.Security;
using FastSmb.Protocol.Security.Ntlm;
using FastSmb.Protocol.Tests.Support;

namespace FastSmb.Protocol.Tests.Security.Ntlm;

/// <summary>NtlmClient against NtlmServer, and the message parsers over tokens they produce.</summary>
public class NtlmExchangeTests
{
    private static readonly ServerIdentity Names = new();

    private static bool Lookup(string user, out byte[] hash)
    {
        hash = NtlmV2.NtHash("secret1");
        return string.Equals(user, "alice", StringComparison.OrdinalIgnoreCase);
    }

    private static (NtStatus status, NtlmServer server, NtlmClient client, byte[] negotiate, byte[] challenge, byte[] auth)
        Run(NtlmClient client, Func<byte[], byte[]>? tamper = null)
    {
        var server = new NtlmServer(Names, Lookup);
        byte[] negotiate = client.CreateNegotiate();
        Assert.That(server.ProcessNegotiate(negotiate, out var challenge), Is.EqualTo(NtStatus.MoreProcessingRequired));
        Assert.That(client.TryProcessChallenge(challenge, out var auth), Is.True);
        if (tamper is not null) auth = tamper(auth);
        return (server.ProcessAuthenticate(auth), server, client, negotiate, challenge!, auth);
    }

    [Test]
    public void ProcessAuthenticate_RightPassword_SucceedsWithSameKey()
    {
        var r = Run(new NtlmClient("Alice", "secret1", "WORKGROUP", "PC1"));
        Assert.Multiple(() =>
        {
            Assert.That(r.status, Is.EqualTo(NtStatus.Success));
            Assert.That(r.server.ExportedSessionKey, Has.Length.EqualTo(16));
            Assert.That(r.server.ExportedSessionKey, Is.EqualTo(r.client.ExportedSessionKey));
            Assert.That(r.server.UserName, Is.EqualTo("Alice"));
            Assert.That(r.server.DomainName, Is.EqualTo("WORKGROUP"));
            Assert.That(r.server.Workstation, Is.EqualTo("PC1"));
            Assert.That(r.server.IsAnonymous, Is.False);
        });
    }

    [TestCase("workgroup")]
    [TestCase("")]
    [TestCase("SomeOtherDomain")]
    public void ProcessAuthenticate_AnyDomainSpelling_Succeeds(string domain)
    {
        Assert.That(Run(new NtlmClient("alice", "secret1", domain)).status, Is.EqualTo(NtStatus.Success));
    }

    [Test]
    public void ProcessAuthenticate_WrongPassword_LogonFailure()
    {
        Assert.That(Run(new NtlmClient("alice", "wrong", "WORKGROUP")).status, Is.EqualTo(NtStatus.LogonFailure));
    }

    [Test]
    public void ProcessAuthenticate_UnknownUser_LogonFailure()
    {
        Assert.That(Run(new NtlmClient("mallory", "secret1", "WORKGROUP")).status, Is.EqualTo(NtStatus.LogonFailure));
    }

    [Test]
    public void ProcessAuthenticate_TamperedMic_LogonFailure()
    {
        var r = Run(new NtlmClient("alice", "secret1", ""), a => { a[NtlmAuthenticateMessage.MicOffset] ^= 1; return a; });
        Assert.That(r.status, Is.EqualTo(NtStatus.LogonFailure));
    }

    [Test]
    public void ProcessAuthenticate_TamperedFlags_LogonFailureThroughMic()
    {
        // The flags are not covered by NTProofStr; the MIC is what protects them.
        var r = Run(new NtlmClient("alice", "secret1", ""), a => { a[60] ^= 0x10; return a; });
        Assert.That(r.status, Is.EqualTo(NtStatus.LogonFailure));
    }

    [Test]
    public void ProcessAuthenticate_Anonymous_SucceedsWithoutKey()
    {
        var r = Run(NtlmClient.CreateAnonymous());
        Assert.Multiple(() =>
        {
            Assert.That(r.status, Is.EqualTo(NtStatus.Success));
            Assert.That(r.server.IsAnonymous, Is.True);
            Assert.That(r.server.ExportedSessionKey, Is.Empty);
            Assert.That(r.server.CreateSessionSecurity(), Is.Null);
        });
    }

    [Test]
    public void ProcessAuthenticate_NtlmV1LengthResponse_LogonFailure()
    {
        var server = new NtlmServer(Names, Lookup);
        server.ProcessNegotiate(new NtlmClient("alice", "secret1", "").CreateNegotiate(), out _);
        var user = System.Text.Encoding.Unicode.GetBytes("alice");
        var auth = new byte[NtlmAuthenticateMessage.GetSize(24, 24, 0, user.Length, 0, 0)];
        NtlmAuthenticateMessage.Write(auth, NtlmClient.RequestedFlags, new byte[24], new byte[24], [], user, [], []);
        Assert.That(server.ProcessAuthenticate(auth), Is.EqualTo(NtStatus.LogonFailure));
    }

    [Test]
    public void ProcessAuthenticate_NtlmV2ResponseWithMalformedAvPairs_InvalidParameter()
    {
        // smbtorture's smb2.session.ntlmssp_bug14932: the NTLMv2 response a NetApp diagnostic tool sends, whose
        // AV_PAIR list claims 0x8108 bytes; Windows and Samba answer STATUS_INVALID_PARAMETER, not a logon failure.
        var nt = Convert.FromHexString(
            "abababababababababababababababab" + "0101000000000000" + "3f3f3f3f3f3f3f3f" + "b8823af1b3dd0815" +
            "0000000011a20881" + "503822782b9447fe" + "54947bff17275ab4" + "f418badc2c38fd5b" + "fb0ec1851ecc92bb" +
            "9bb1c4d55314ff8c" + "7649f5459019a2");
        Assert.That(nt, Has.Length.EqualTo(95));
        var server = new NtlmServer(Names, Lookup);
        server.ProcessNegotiate(new NtlmClient("alice", "secret1", "").CreateNegotiate(), out _);
        var user = System.Text.Encoding.Unicode.GetBytes("alice");
        var auth = new byte[NtlmAuthenticateMessage.GetSize(24, nt.Length, 0, user.Length, 0, 0)];
        NtlmAuthenticateMessage.Write(auth, NtlmClient.RequestedFlags, new byte[24], nt, [], user, [], []);
        Assert.That(server.ProcessAuthenticate(auth), Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public void ProcessAuthenticate_BeforeNegotiate_InvalidParameter()
    {
        var server = new NtlmServer(Names, Lookup);
        Assert.That(server.ProcessAuthenticate(new byte[100]), Is.EqualTo(NtStatus.InvalidParameter));
    }

    [Test]
    public void ProcessAuthenticate_FixedChallenge_ChallengeCarriesIt()
    {
        var fixedChallenge = Convert.FromHexString("1122334455667788");
        var server = new NtlmServer(Names, Lookup, fixedChallenge);
        server.ProcessNegotiate(new NtlmClient("alice", "secret1", "").CreateNegotiate(), out var challenge);
        Assert.That(NtlmChallengeMessage.TryParse(challenge, out var c), Is.True);
        Assert.That(c.ServerChallenge.ToArray(), Is.EqualTo(fixedChallenge));
    }

    [Test]
    public void Parsers_GeneratedTokens_RejectPrefixesAndSurviveCorruption()
    {
        var r = Run(new NtlmClient("alice", "secret1", "WORKGROUP", "PC1"));
        ParserRobustness.Check(r.negotiate, s => NtlmNegotiateMessage.TryParse(s, out _),
            minimumValidLength: NtlmNegotiateMessage.MinimumSize);
        ParserRobustness.Check(r.challenge, s => NtlmChallengeMessage.TryParse(s, out _));
        ParserRobustness.Check(r.auth, s => NtlmAuthenticateMessage.TryParse(s, out _));
    }

    [Test]
    public void ProcessAuthenticate_CorruptedTokens_NeverThrow()
    {
        var r = Run(new NtlmClient("alice", "secret1", "WORKGROUP", "PC1"));
        var rng = new Random(99);
        for (int i = 0; i < 500; i++)
        {
            var server = new NtlmServer(Names, Lookup);
            server.ProcessNegotiate(r.negotiate, out _);
            var bad = (byte[])r.auth.Clone();
            for (int f = 0; f < 3; f++) bad[rng.Next(bad.Length)] = (byte)rng.Next(256);
            Assert.That(() => server.ProcessAuthenticate(bad), Throws.Nothing);
        }
    }
}
