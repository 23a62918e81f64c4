using System.Text;
using FastSmb.Protocol.Security.Ntlm;

namespace FastSmb.Protocol.Tests.Security.Ntlm;

/// <summary>
/// [MS-NLMP] 4.2.4 NTLMv2 Authentication example: User "User", UserDom "Domain", Passwd "Password", ServerChallenge
/// 0123456789abcdef, ClientChallenge aa×8, Time 0, RandomSessionKey 55×16, AV pairs NbDomainName "Domain",
/// NbComputerName "Server". Expected values from 4.2.4.1.x / 4.2.4.2.x / 4.2.4.4 (the intermediate temp and
/// NTProofStr were also recomputed with impacket.ntlm to confirm the transcription).
/// </summary>
public class NtlmV2Tests
{
    internal static readonly byte[] ServerChallenge = Convert.FromHexString("0123456789abcdef");
    internal static readonly byte[] ClientChallenge = Convert.FromHexString("aaaaaaaaaaaaaaaa");
    internal static readonly byte[] RandomSessionKey = Convert.FromHexString("55555555555555555555555555555555");
    internal static byte[] AvPairs() => new AvPairWriter()
        .Add(AvId.MsvAvNbDomainName, "Domain").Add(AvId.MsvAvNbComputerName, "Server").ToArray();

    private static byte[] ResponseKey()
    {
        var k = new byte[16];
        NtlmV2.ResponseKeyNt(NtlmV2.NtHash("Password"), "User", "Domain", k);
        return k;
    }

    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);

    [Test]
    public void ResponseKeyNt_Example_Matches412411()
    {
        Assert.That(Hex(ResponseKey()), Is.EqualTo("0c868a403bfd7a93a3001ef22ef02e3f"));
    }

    [Test]
    public void BuildTemp_Example_MatchesSpecLayout()
    {
        var temp = NtlmV2.BuildTemp(0, ClientChallenge, AvPairs());
        Assert.That(Hex(temp), Is.EqualTo(
            "01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000" +
            "02000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000"));
    }

    [Test]
    public void NtProofStrAndKeys_Example_Match()
    {
        var key = ResponseKey();
        var temp = NtlmV2.BuildTemp(0, ClientChallenge, AvPairs());
        var proof = new byte[16];
        NtlmV2.NtProofStr(key, ServerChallenge, temp, proof);
        var baseKey = new byte[16];
        NtlmV2.SessionBaseKey(key, proof, baseKey);
        var encrypted = new byte[16];
        NtlmV2.Rc4K(baseKey, RandomSessionKey, encrypted);
        Assert.Multiple(() =>
        {
            Assert.That(Hex(proof), Is.EqualTo("68cd0ab851e51c96aabc927bebef6a1c"), "4.2.4.2.2 NTProofStr");
            Assert.That(Hex(baseKey), Is.EqualTo("8de40ccadbc14a82f15cb0ad0de95ca3"), "4.2.4.1.2 SessionBaseKey");
            Assert.That(Hex(encrypted), Is.EqualTo("c5dad2544fc9799094ce1ce90bc9d03e"), "4.2.4.2.3 EncryptedSessionKey");
            Assert.That(Hex(NtlmV2.LmV2Response(key, ServerChallenge, ClientChallenge)),
                Is.EqualTo("86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"), "4.2.4.2.1 LMv2 response");
        });
    }

    [Test]
    public void SealAndSignKeys_Example_Match424_4()
    {
        const NtlmNegotiateFlags flags = (NtlmNegotiateFlags)0xe28a8233;
        var seal = new byte[16];
        var sign = new byte[16];
        NtlmV2.SealKey(RandomSessionKey, flags, clientToServer: true, seal);
        NtlmV2.SignKey(RandomSessionKey, clientToServer: true, sign);
        Assert.Multiple(() =>
        {
            Assert.That(Hex(seal), Is.EqualTo("59f600973cc4960a25480a7c196e4c58"));
            Assert.That(Hex(sign), Is.EqualTo("4788dc861b4782f35d43fd98fe1a2d39"));
        });
    }

    [Test]
    public void Seal_Example_MatchesGssWrapEx424_4()
    {
        var security = new NtlmSessionSecurity(RandomSessionKey, (NtlmNegotiateFlags)0xe28a8233, isClient: true);
        byte[] data = Encoding.Unicode.GetBytes("Plaintext");
        byte[] signature = security.Seal(data);
        Assert.Multiple(() =>
        {
            Assert.That(Hex(data), Is.EqualTo("54e50165bf1936dc996020c1811b0f06fb5f"));
            Assert.That(Hex(signature), Is.EqualTo("010000007fb38ec5c55d497600000000"));
        });
    }

    [Test]
    public void SignVerify_ClientToServerAndBack_AgreeAndDetectTampering()
    {
        const NtlmNegotiateFlags flags = (NtlmNegotiateFlags)0xe28a8233;
        var client = new NtlmSessionSecurity(RandomSessionKey, flags, isClient: true);
        var server = new NtlmSessionSecurity(RandomSessionKey, flags, isClient: false);
        var message = "mechTypes"u8.ToArray();
        byte[] fromClient = client.Sign(message);
        byte[] fromServer = server.Sign(message);
        Assert.Multiple(() =>
        {
            Assert.That(server.Verify(message, fromClient), Is.True);
            Assert.That(client.Verify(message, fromServer), Is.True);
            Assert.That(fromClient, Is.Not.EqualTo(fromServer));
            // Sequence numbers moved on: the same signature replayed no longer verifies.
            Assert.That(server.Verify(message, fromClient), Is.False);
        });
    }
}
