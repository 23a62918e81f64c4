using FastSmb.Client.Smb2;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2;
using FastSmb.Protocol.Smb2.Commands;
using FastSmb.Protocol.Smb2.Signing;

namespace FastSmb.Server.Tests.Smb311;

/// <summary>[MS-SMB2] 3.3.5.4 for 3.1.1: which contexts are answered how, and the NegotiateContextList rules.</summary>
public class Smb311NegotiateTests
{
    private static readonly Smb2Dialect[] All =
        [Smb2Dialect.Smb202, Smb2Dialect.Smb210, Smb2Dialect.Smb300, Smb2Dialect.Smb302, Smb2Dialect.Smb311];

    [Test]
    public async Task Negotiate_Offers311_Chooses311WithGcmGmacAndSalt()
    {
        await using var server = new Smb311TestServer();
        await using var c = server.Connect();
        var response = await c.NegotiateAsync(All);

        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(c.Dialect, Is.EqualTo(Smb2Dialect.Smb311));
        Assert.That(c.CipherId, Is.EqualTo(Smb2CipherId.Aes128Gcm));
        Assert.That(c.NegotiatedSigningAlgorithm, Is.EqualTo(SigningAlgorithm.AesGmac));
        var contexts = Contexts(response.Message);
        Assert.That(contexts.Select(x => x.Type), Is.EqualTo(new[]
        {
            Smb2NegotiateContextType.PreauthIntegrityCapabilities, Smb2NegotiateContextType.EncryptionCapabilities,
            Smb2NegotiateContextType.SigningCapabilities,
        }));
        // HashAlgorithmCount 1, SaltLength 32, SHA-512, 32 salt bytes.
        Assert.That(contexts[0].Data.Length, Is.EqualTo(38));
        Assert.That(contexts[0].Data[..6], Is.EqualTo(new byte[] { 1, 0, 32, 0, 1, 0 }));
        Assert.That(Capabilities(response.Message) & Smb2GlobalCapabilities.Encryption, Is.EqualTo(Smb2GlobalCapabilities.None),
            "3.1.1 negotiates encryption with the context, not the capability");
    }

    [Test]
    public async Task Negotiate_ClientCiphers_ServerPrefersGcm()
    {
        await using var server = new Smb311TestServer();
        await using var c = server.Connect();
        c.OfferedCiphers = [Smb2CipherId.Aes128Ccm, Smb2CipherId.Aes256Gcm];
        c.OfferedSigningAlgorithms = [SigningAlgorithm.AesCmac, SigningAlgorithm.AesGmac];
        await c.NegotiateAsync(All);

        Assert.That(c.CipherId, Is.EqualTo(Smb2CipherId.Aes256Gcm));
        Assert.That(c.NegotiatedSigningAlgorithm, Is.EqualTo(SigningAlgorithm.AesCmac), "the client's order decides signing");
    }

    [Test]
    public async Task Negotiate_NoCommonCipher_AnswersCipherZero()
    {
        await using var server = new Smb311TestServer();
        await using var c = server.Connect();
        var response = await SendNegotiate(c, (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
            (Smb2NegotiateContextType.EncryptionCapabilities, Ids(0x0009)));

        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        var encryption = Contexts(response.Message).Single(x => x.Type == Smb2NegotiateContextType.EncryptionCapabilities);
        Assert.That(encryption.Data, Is.EqualTo(new byte[] { 1, 0, 0, 0 }));
    }

    [Test]
    public async Task Negotiate_EncryptionOffGlobally_EncryptionContextNotAnswered()
    {
        await using var server = new Smb311TestServer(global: Control.Config.EncryptionPolicy.Off,
            secretShare: Control.Config.EncryptionPolicy.Default);
        await using var c = server.Connect();
        var response = await c.NegotiateAsync(All);
        Assert.That(c.CipherId, Is.EqualTo(Smb2CipherId.None));
        Assert.That(Contexts(response.Message).Select(x => x.Type), Does.Not.Contain(Smb2NegotiateContextType.EncryptionCapabilities));
    }

    [Test]
    public async Task Negotiate_CompressionNetnameTransport_AcceptedNotAnswered()
    {
        await using var server = new Smb311TestServer();
        await using var c = server.Connect();
        var response = await SendNegotiate(c,
            (Smb2NegotiateContextType.NetnameNegotiateContextId, "s\0r\0v\0"u8.ToArray()),
            (Smb2NegotiateContextType.CompressionCapabilities, [1, 0, 0, 0, 0, 0, 0, 0, 2, 0]),
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
            (Smb2NegotiateContextType.TransportCapabilities, [1, 0, 0, 0]),
            (0x0100, [1, 2, 3])); // an unknown (POSIX extensions) context is ignored

        Assert.That(response.Status, Is.EqualTo(NtStatus.Success));
        Assert.That(Contexts(response.Message).Select(x => x.Type),
            Is.EqualTo(new[] { Smb2NegotiateContextType.PreauthIntegrityCapabilities }));
    }

    private static IEnumerable<TestCaseData> InvalidLists()
    {
        yield return new TestCaseData(new[] { (Smb2NegotiateContextType.EncryptionCapabilities, Ids(2)) },
            NtStatus.InvalidParameter).SetName("Negotiate_NoPreauthContext_InvalidParameter");
        yield return new TestCaseData(new[]
        {
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
        }, NtStatus.InvalidParameter).SetName("Negotiate_TwoPreauthContexts_InvalidParameter");
        yield return new TestCaseData(new[]
        {
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
            (Smb2NegotiateContextType.EncryptionCapabilities, Ids(2)),
            (Smb2NegotiateContextType.EncryptionCapabilities, Ids(1)),
        }, NtStatus.InvalidParameter).SetName("Negotiate_TwoEncryptionContexts_InvalidParameter");
        yield return new TestCaseData(new[]
        {
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
            (Smb2NegotiateContextType.SigningCapabilities, Ids(2)),
            (Smb2NegotiateContextType.SigningCapabilities, Ids(1)),
        }, NtStatus.InvalidParameter).SetName("Negotiate_TwoSigningContexts_InvalidParameter");
        yield return new TestCaseData(new[]
        {
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
            (Smb2NegotiateContextType.EncryptionCapabilities, new byte[] { 3, 0, 2, 0 }),
        }, NtStatus.InvalidParameter).SetName("Negotiate_CipherCountBeyondData_InvalidParameter");
        yield return new TestCaseData(new[]
        {
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, Preauth()),
            (Smb2NegotiateContextType.SigningCapabilities, new byte[] { 0, 0 }),
        }, NtStatus.InvalidParameter).SetName("Negotiate_ZeroSigningAlgorithms_InvalidParameter");
        yield return new TestCaseData(new[]
        {
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, new byte[] { 1, 0, 32, 0, 1, 0, 9 }),
        }, NtStatus.InvalidParameter).SetName("Negotiate_SaltBeyondData_InvalidParameter");
        yield return new TestCaseData(new[]
        {
            (Smb2NegotiateContextType.PreauthIntegrityCapabilities, new byte[] { 1, 0, 0, 0, 2, 0 }),
        }, NtStatus.SmbNoPreauthIntegrityHashOverlap).SetName("Negotiate_NoSha512_NoPreauthIntegrityHashOverlap");
    }

    [TestCaseSource(nameof(InvalidLists))]
    public async Task Negotiate_BadContextList_Fails((ushort, byte[])[] contexts, NtStatus expected)
    {
        await using var server = new Smb311TestServer();
        await using var c = server.Connect();
        var response = await SendNegotiate(c, contexts);
        Assert.That(response.Status, Is.EqualTo(expected));
        Assert.That(response.Command, Is.EqualTo(Smb2Command.Negotiate));
    }

    [Test]
    public async Task Negotiate_MaxProtocol302_ContextsIgnored()
    {
        await using var server = new Smb311TestServer(maxProtocol: Smb2Dialect.Smb302);
        await using var c = server.Connect();
        var response = await SendNegotiate(c, (Smb2NegotiateContextType.EncryptionCapabilities, Ids(2)));
        Assert.That(response.Status, Is.EqualTo(NtStatus.Success), "no preauth context is fine when 3.1.1 is not chosen");
        Assert.That(NegotiateResponse.TryParse(response.Message, out var n) ? n.DialectRevision : default,
            Is.EqualTo(Smb2Dialect.Smb302));
    }

    internal static byte[] Preauth()
    {
        var data = new byte[PreauthIntegrityCapabilities.SizeOf(1, 32)];
        PreauthIntegrityCapabilities.Write(data, Smb2HashAlgorithm.Sha512, new byte[32]);
        return data;
    }

    internal static byte[] Ids(params ushort[] ids)
    {
        var data = new byte[IdList.SizeOfCounted(ids.Length)];
        IdList.WriteCounted(data, ids);
        return data;
    }

    /// <summary>A NEGOTIATE offering 3.0.2 and 3.1.1 with exactly these contexts, in this order.</summary>
    internal static Task<Smb2Response> SendNegotiate(Smb2ClientConnection c, params (ushort Type, byte[] Data)[] contexts) =>
        c.SendAsync(Smb2Command.Negotiate, body =>
        {
            int n = NegotiateRequest.Write(body, 1, 0, Guid.NewGuid(), [Smb2Dialect.Smb302, Smb2Dialect.Smb311]);
            var writer = NegotiateContextWriter.ForRequest(body, n);
            foreach (var (type, data) in contexts) writer.Add(type, data);
            return writer.Length;
        });

    private static List<(ushort Type, byte[] Data)> Contexts(byte[] message)
    {
        var list = new List<(ushort, byte[])>();
        Assert.That(NegotiateResponse.TryParse(message, out var n), Is.True);
        foreach (var (type, data) in n.GetNegotiateContexts()) list.Add((type, data.ToArray()));
        return list;
    }

    private static Smb2GlobalCapabilities Capabilities(byte[] message) =>
        NegotiateResponse.TryParse(message, out var n) ? n.Capabilities : default;
}
